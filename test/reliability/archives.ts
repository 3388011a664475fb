/**
 * Hostile and broken Istio release archives, built at test time with placeholder content (never files
 * of a real release): truncated, not gzip, entries that climb out with `..` or are absolute, links that
 * point out of the release directory, a decompression bomb, a release of another version, and a
 * well-formed one for digest checks. Tar headers are written by hand so any name can be expressed.
 */
import { gzipSync } from 'node:zlib';

const CRD = 'manifests/charts/base/files/crd-all.gen.yaml';
const FILES = 'manifests/charts/istio-control/istio-discovery/files';

/** One ustar header block. type: '0' file, '1' hard link, '2' symbolic link, '5' directory. */
export function tarHeader(name: string, size: number, type = '0', linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => h.write(s.slice(0, len), off, len, 'latin1');
  const octal = (n: number, len: number) => `${n.toString(8).padStart(len - 1, '0')}\0`;
  put(name, 0, 100);
  put(octal(type === '5' ? 0o755 : 0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  put('        ', 148, 8);
  put(type, 156, 1);
  put(linkname, 157, 100);
  put('ustar\u000000', 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

function entry(name: string, content: string | Buffer = '', type = '0', linkname = ''): Buffer {
  const body = Buffer.from(content);
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([tarHeader(name, type === '0' ? body.length : 0, type, linkname), body, pad]);
}

const END = Buffer.alloc(1024);

/** The entries of a small, well-formed stand-in for istio-<version>/ (placeholder text only). */
function releaseEntries(version: string): Buffer[] {
  const top = `istio-${version}/`;
  return [
    entry(top, '', '5'),
    entry(`${top}${CRD}`, '# placeholder CRDs for a meshrender test, not an Istio file\n'),
    entry(`${top}${FILES}/injection-template.yaml`, '# placeholder for a meshrender test\n'),
  ];
}

/** A gzip'd tar of the given kind for Istio `version`. */
export async function buildArchive(version: string, kind: string): Promise<Buffer> {
  const top = `istio-${version}/`;
  const tar = (...parts: Buffer[]) => gzipSync(Buffer.concat([...parts, END]));
  switch (kind) {
    case 'valid':
      return tar(...releaseEntries(version));
    case 'truncated': {
      const whole = tar(...releaseEntries(version), entry(`${top}README.md`, 'x'.repeat(20_000)));
      return whole.subarray(0, Math.floor(whole.length * 0.6));
    }
    case 'not-gzip':
      return Buffer.from('<html><body>404 Not Found</body></html>\n');
    case 'dotdot':
      return tar(...releaseEntries(version), entry(`${top}../../etc/cron.d/meshrender`, '* * * * * root true\n'));
    case 'absolute':
      return tar(entry('/etc/cron.d/meshrender', '* * * * * root true\n'), ...releaseEntries(version));
    case 'symlink-out':
      return tar(...releaseEntries(version), entry(`${top}manifests/passwd`, '', '2', '../../../etc/passwd'));
    case 'hardlink-out':
      return tar(...releaseEntries(version), entry(`${top}manifests/shadow`, '', '1', 'etc/shadow'));
    case 'other-version':
      return tar(...releaseEntries('1.0.0'));
    case 'incomplete':
      return tar(entry(top, '', '5'), entry(`${top}${FILES}/injection-template.yaml`, '# placeholder\n'));
    case 'bomb':
      return bomb(top);
    default:
      throw new Error(`unknown archive kind ${kind}`);
  }
}

/**
 * An archive of about 1 MB that inflates to more than 1 GiB: a header claiming a huge file, then gzip
 * members of zeros (gzip allows concatenated members), so it is cheap to build and cheap to store.
 */
function bomb(top: string): Buffer {
  const chunk = 64 * 1024 * 1024;
  const chunks = 17;
  const size = chunk * chunks;
  const zeros = gzipSync(Buffer.alloc(chunk), { level: 9 });
  return Buffer.concat([gzipSync(Buffer.concat(releaseEntries(top.slice('istio-'.length, -1)).concat(tarHeader(`${top}bin/filler`, size)))), ...Array(chunks).fill(zeros), gzipSync(END)]);
}
