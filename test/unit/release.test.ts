/**
 * The Istio release loader on local inputs: directory trees and archives in a distribution directory,
 * the safety checks of archive reading, digest pins, and the real releases of ../shared/istio-dist.
 * Archives are built here at test time from small synthetic files (never upstream content);
 * the one built from ../shared lives in a temp directory only.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { PlanError } from '../../generator/errors.ts';
import { ArchiveError, readReleaseArchive } from '../../generator/istio/archive.ts';
import { formatReleaseSource, loadReleases, releaseSettings, type IstioRelease, type ReleaseOptions } from '../../generator/istio/release.ts';
import { parseSha256File, releaseCacheDir } from '../../generator/istio/download.ts';
import { planErrorMessages as problems } from '../support/plan-error.ts';
import { tarGz, type TarEntry } from '../support/tar-gz.ts';
import { modelFrom, tempDir, topologyDoc, topologyFile } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, sharedSkipReason } from '../support/paths.ts';
import { runCli } from '../support/run-cli.ts';
import { snapshotTree } from '../support/tree-snapshot.ts';

const CRD = 'manifests/charts/base/files/crd-all.gen.yaml';
const FILES = 'manifests/charts/istio-control/istio-discovery/files';


/** The entries of a made-up release: a top directory, a CRD file, two discovery files and a binary meshrender skips. */
function syntheticEntries(version: string): TarEntry[] {
  const top = `istio-${version}/`;
  return [
    { name: top, type: 'directory' },
    { name: `${top}bin/istioctl`, content: Buffer.alloc(4096, 7) },
    { name: `${top}${CRD}`, content: `# synthetic CRDs of ${version}\n` },
    { name: `${top}${FILES}/injection-template.yaml`, content: `# synthetic sidecar template of ${version}\n` },
    { name: `${top}${FILES}/gateway-injection-template.yaml`, content: `# synthetic gateway template of ${version}\n` },
    { name: `${top}${FILES}/nested/ignored.yaml`, content: 'not directly in files/\n' },
  ];
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes bytes as DIR/istio-<version>-linux-amd64.tar.gz and returns its path. */
function putArchive(dir: string, version: string, bytes: Buffer): string {
  const path = join(dir, `istio-${version}-linux-amd64.tar.gz`);
  writeFileSync(path, bytes);
  return path;
}

/** Options that can never reach the network or the user's cache. */
function local(distDir: string | null, extra: Partial<ReleaseOptions> = {}): ReleaseOptions {
  return { distDir, offline: true, cacheDir: tempDir('meshrender-cache-'), ...extra };
}

function topology(revisions: { name: string; version: string; sha256?: string }[] = [{ name: 'default', version: '1.30.3' }]) {
  return modelFrom(topologyDoc({ istio: { revisions } }));
}

describe('release archives in the distribution directory', () => {
  it('reads the CRDs and the files directly in istio-discovery/files/, and records the archive digest', async () => {
    const dist = tempDir();
    const bytes = await tarGz(syntheticEntries('1.30.3'));
    const path = putArchive(dist, '1.30.3', bytes);
    const release = (await loadReleases(topology(), local(dist))).get('1.30.3')!;
    expect(release.origin).toBe(path);
    expect(release.archiveSha256).toBe(sha256(bytes));
    expect(release.crds).toBe('# synthetic CRDs of 1.30.3\n');
    expect([...release.discoveryFiles]).toEqual([
      ['gateway-injection-template.yaml', '# synthetic gateway template of 1.30.3\n'],
      ['injection-template.yaml', '# synthetic sidecar template of 1.30.3\n'],
    ]);
    expect(formatReleaseSource(release)).toBe(`istio 1.30.3: sha256 ${sha256(bytes)} (${path})`);
  });

  it('prefers the archive to a directory tree of the same version, because its digest can be checked', async () => {
    const dist = tempDir();
    const bytes = await tarGz(syntheticEntries('1.30.3'));
    putArchive(dist, '1.30.3', bytes);
    mkdirSync(join(dist, 'istio-1.30.3'));
    const release = (await loadReleases(topology(), local(dist))).get('1.30.3')!;
    expect(release.archiveSha256).toBe(sha256(bytes));
  });

  it('reads archives of two versions side by side, and accepts links that stay inside the release', async () => {
    const dist = tempDir();
    putArchive(dist, '1.29.6', await tarGz(syntheticEntries('1.29.6')));
    putArchive(
      dist,
      '1.30.3',
      await tarGz([
        ...syntheticEntries('1.30.3'),
        { name: 'istio-1.30.3/bin/istioctl-link', type: 'symlink', linkname: 'istioctl' },
        { name: 'istio-1.30.3/samples/up', type: 'symlink', linkname: '../manifests' },
        { name: 'istio-1.30.3/bin/hard', type: 'link', linkname: 'istio-1.30.3/bin/istioctl' },
      ]),
    );
    const t = topology([
      { name: 'old', version: '1.29.6' },
      { name: 'new', version: '1.30.3' },
    ]);
    const releases = await loadReleases(t, local(dist));
    expect([...releases.keys()]).toEqual(['1.29.6', '1.30.3']);
    expect(releases.get('1.29.6')!.crds).toBe('# synthetic CRDs of 1.29.6\n');
  });

  it('says that a directory tree has no archive digest', async () => {
    const dist = tempDir();
    const root = join(dist, 'istio-1.30.3');
    mkdirSync(join(root, FILES), { recursive: true });
    mkdirSync(dirname(join(root, CRD)), { recursive: true });
    writeFileSync(join(root, CRD), '# crds\n');
    writeFileSync(join(root, FILES, 'injection-template.yaml'), '# t\n');
    const release = (await loadReleases(topology(), local(dist))).get('1.30.3')!;
    expect(release.archiveSha256).toBeNull();
    expect(formatReleaseSource(release)).toBe(`istio 1.30.3: no archive digest (directory tree ${root})`);
  });
});

describe('refused archives', () => {
  const top = 'istio-1.30.3/';
  // [case, entries or raw bytes, limits, what the message must say]
  const cases: [string, () => Promise<Buffer>, Partial<ReleaseOptions['limits']>, RegExp][] = [
    ['truncated', async () => (await tarGz(syntheticEntries('1.30.3'))).subarray(0, 300), {}, /is truncated or corrupt \(.+\); replace it with the official istio-1\.30\.3-linux-amd64\.tar\.gz from https:\/\/github\.com\/istio\/istio\/releases\/tag\/1\.30\.3$/],
    ['not gzip at all', async () => Buffer.from('this is not an archive\n'), {}, /is truncated or corrupt \(incorrect header check\)/],
    ['an entry climbing out with ..', () => tarGz([...syntheticEntries('1.30.3'), { name: `${top}../../evil.sh`, content: 'x' }]), {}, /holds an entry whose path leaves the archive: "istio-1\.30\.3\/\.\.\/\.\.\/evil\.sh"; refusing it/],
    ['an absolute entry', () => tarGz([{ name: '/etc/cron.d/evil', content: 'x' }, ...syntheticEntries('1.30.3')]), {}, /holds an entry whose path leaves the archive: "\/etc\/cron\.d\/evil"/],
    ['a symbolic link pointing out', () => tarGz([...syntheticEntries('1.30.3'), { name: `${top}bin/sneaky`, type: 'symlink', linkname: '../../../etc/passwd' }]), {}, /holds a symbolic link istio-1\.30\.3\/bin\/sneaky -> "\.\.\/\.\.\/\.\.\/etc\/passwd" that points out of istio-1\.30\.3\//],
    ['a symbolic link to an absolute path', () => tarGz([...syntheticEntries('1.30.3'), { name: `${top}bin/sneaky`, type: 'symlink', linkname: '/etc/passwd' }]), {}, /holds a symbolic link .* -> "\/etc\/passwd" that points out/],
    ['a hard link pointing out', () => tarGz([...syntheticEntries('1.30.3'), { name: `${top}bin/hard`, type: 'link', linkname: 'etc/passwd' }]), {}, /holds a hard link istio-1\.30\.3\/bin\/hard -> "etc\/passwd" that points out of istio-1\.30\.3\//],
    ['a needed file that is a link', () => tarGz([{ name: `${top}${CRD}`, type: 'symlink', linkname: 'other.yaml' }, ...syntheticEntries('1.30.3').slice(3)]), {}, /crd-all\.gen\.yaml is a symlink, not a regular file/],
    ['an entry outside istio-<version>/', () => tarGz([...syntheticEntries('1.30.3'), { name: 'istio-1.29.6/README.md', content: 'x' }]), {}, /is not the Istio 1\.30\.3 release archive: its entry "istio-1\.29\.6\/README\.md" is outside istio-1\.30\.3\//],
    ['another version', () => tarGz(syntheticEntries('1.29.6')), {}, /is not the Istio 1\.30\.3 release archive/],
    ['no CRD file', () => tarGz(syntheticEntries('1.30.3').filter((e) => !e.name.endsWith('crd-all.gen.yaml'))), {}, /lacks istio-1\.30\.3\/manifests\/charts\/base\/files\/crd-all\.gen\.yaml: it is not a complete Istio 1\.30\.3 release/],
    ['no discovery files', () => tarGz(syntheticEntries('1.30.3').filter((e) => !e.name.includes('istio-discovery'))), {}, /lacks istio-1\.30\.3\/manifests\/charts\/istio-control\/istio-discovery\/files\/: it is not a complete/],
    // 8 MiB of zeros gzip to a few KiB: the bound on decompressed bytes, not the archive size, stops it.
    ['a decompression bomb', () => tarGz([...syntheticEntries('1.30.3'), { name: `${top}bomb`, content: Buffer.alloc(8 * 1024 * 1024) }]), { maxTotalBytes: 1024 * 1024 }, /decompresses to more than 1048576 bytes; refusing it as a decompression bomb/],
    ['a needed file over the per-file bound', () => tarGz([...syntheticEntries('1.30.3').slice(0, 2), { name: `${top}${CRD}`, content: Buffer.alloc(70_000, 'a') }, ...syntheticEntries('1.30.3').slice(3)]), { maxEntryBytes: 65_536 }, /crd-all\.gen\.yaml is 70000 bytes, more than the 65536 bytes allowed for one file/],
    ['an archive over the size bound', () => tarGz(syntheticEntries('1.30.3')), { maxArchiveBytes: 100 }, /is \d+ bytes, more than the 100 bytes an Istio release archive may have/],
    ['too many entries', () => tarGz(syntheticEntries('1.30.3')), { maxEntries: 3 }, /has more than 3 entries/],
  ];

  it.each(cases)('refuses %s, naming the archive and the version', async (_name, bytes, limits, message) => {
    const dist = tempDir();
    const path = putArchive(dist, '1.30.3', await bytes());
    const [msg, ...rest] = await problems(loadReleases(topology(), local(dist, { limits })));
    expect(rest).toEqual([]);
    expect(msg).toMatch(/^Istio 1\.30\.3: /);
    expect(msg).toContain(path);
    expect(msg).toMatch(message);
    expect(msg).toContain('https://github.com/istio/istio/releases/tag/1.30.3');
  });

  it('stops a bomb of 64 MiB at a 1 MiB bound', async () => {
    const dist = tempDir();
    const path = putArchive(dist, '1.30.3', await tarGz([{ name: 'istio-1.30.3/bomb', content: Buffer.alloc(64 * 1024 * 1024) }]));
    const limits = { maxArchiveBytes: 1 << 30, maxEntryBytes: 1 << 20, maxTotalBytes: 1 << 20, maxEntries: 10 };
    await expect(readReleaseArchive(path, '1.30.3', limits)).rejects.toThrow(new ArchiveError(`${path} decompresses to more than 1048576 bytes; refusing it as a decompression bomb`));
  });
});

describe('digest pins', () => {
  it('accepts an archive with the pinned digest', async () => {
    const dist = tempDir();
    const bytes = await tarGz(syntheticEntries('1.30.3'));
    putArchive(dist, '1.30.3', bytes);
    const releases = await loadReleases(topology([{ name: 'default', version: '1.30.3', sha256: sha256(bytes) }]), local(dist));
    expect(releases.get('1.30.3')!.archiveSha256).toBe(sha256(bytes));
  });

  it('refuses an archive with another digest, naming both', async () => {
    const dist = tempDir();
    const bytes = await tarGz(syntheticEntries('1.30.3'));
    const path = putArchive(dist, '1.30.3', bytes);
    const pin = 'a'.repeat(64);
    expect(await problems(loadReleases(topology([{ name: 'default', version: '1.30.3', sha256: pin }]), local(dist)))).toEqual([
      `Istio 1.30.3: ${path} has sha256 ${sha256(bytes)}, but the topology pins sha256 ${pin} (spec.istio.revisions[].sha256): it is not the archive the topology trusts; use the official archive or correct the pin`,
    ]);
  });

  it('refuses two revisions of one version pinning different digests, before reading anything', async () => {
    const t = topology([
      { name: 'a', version: '1.30.3', sha256: 'a'.repeat(64) },
      { name: 'b', version: '1.30.3', sha256: 'b'.repeat(64) },
    ]);
    expect(await problems(loadReleases(t, local(join(tempDir(), 'never-read'))))).toEqual([
      `Istio 1.30.3 is pinned to 2 different sha256 digests (revision a pins ${'a'.repeat(64)}, revision b pins ${'b'.repeat(64)}); one release archive has one digest, so give the same sha256 to every revision of 1.30.3`,
    ]);
  });

  it('refuses a pin it cannot check: a directory tree has no archive digest', async () => {
    const dist = tempDir();
    mkdirSync(join(dist, 'istio-1.30.3'));
    const [msg] = await problems(loadReleases(topology([{ name: 'default', version: '1.30.3', sha256: 'c'.repeat(64) }]), local(dist)));
    expect(msg).toBe(
      `Istio 1.30.3 is pinned to sha256 ${'c'.repeat(64)}, but ${dist} holds only the directory tree ${join(dist, 'istio-1.30.3')}/, which has no archive digest to check; put istio-1.30.3-linux-amd64.tar.gz beside it, or remove the pin`,
    );
  });

  it('checks an archive against the .sha256 file beside it', async () => {
    const dist = tempDir();
    const bytes = await tarGz(syntheticEntries('1.30.3'));
    const path = putArchive(dist, '1.30.3', bytes);
    writeFileSync(`${path}.sha256`, `${sha256(bytes)}  istio-1.30.3-linux-amd64.tar.gz\n`);
    expect((await loadReleases(topology(), local(dist))).get('1.30.3')!.archiveSha256).toBe(sha256(bytes));
    writeFileSync(`${path}.sha256`, `${'d'.repeat(64)}  istio-1.30.3-linux-amd64.tar.gz\n`);
    const [msg] = await problems(loadReleases(topology(), local(dist)));
    expect(msg).toBe(`Istio 1.30.3: ${path} has sha256 ${sha256(bytes)}, but ${path}.sha256 beside it says ${'d'.repeat(64)}: the archive is corrupt or was replaced; replace it with the official istio-1.30.3-linux-amd64.tar.gz from https://github.com/istio/istio/releases/tag/1.30.3`);
  });
});

describe('missing releases', () => {
  it('names what is missing and how to get it, for every missing version at once', async () => {
    const dist = tempDir();
    const opts = local(dist);
    const cache = releaseSettings(opts).cacheDir;
    const t = topology([
      { name: 'old', version: '1.29.6' },
      { name: 'new', version: '1.30.3' },
    ]);
    expect(await problems(loadReleases(t, opts))).toEqual(
      ['1.29.6', '1.30.3'].map(
        (v) =>
          `Istio ${v} is not in ${dist} (neither istio-${v}-linux-amd64.tar.gz nor istio-${v}/) nor in the download cache ${cache}, and meshrender runs offline (--offline or MESHRENDER_OFFLINE), so it does not download it; download istio-${v}-linux-amd64.tar.gz from https://github.com/istio/istio/releases/tag/${v}, put it in a directory and pass --istio-dist DIR`,
      ),
    );
  });

  it('says when no distribution directory is set', async () => {
    const opts = local(null);
    const [msg] = await problems(loadReleases(topology(), opts));
    expect(msg).toMatch(/^Istio 1\.30\.3 is not in the download cache .* and no distribution directory is set \(--istio-dist, MESHRENDER_ISTIO_DIST or spec\.istio\.distribution\), and meshrender runs offline/);
  });

  it('names a file missing from a directory tree', async () => {
    const dist = tempDir();
    mkdirSync(join(dist, 'istio-1.30.3'));
    const [msg] = await problems(loadReleases(topology(), local(dist)));
    expect(msg).toBe(
      `${join(dist, 'istio-1.30.3', CRD)} is missing: ${join(dist, 'istio-1.30.3')} is not a complete Istio 1.30.3 release; download istio-1.30.3-linux-amd64.tar.gz from https://github.com/istio/istio/releases/tag/1.30.3, put it in a directory and pass --istio-dist DIR`,
    );
  });

  it('refuses a distribution directory that does not exist instead of looking elsewhere', async () => {
    const dist = join(tempDir(), 'typo');
    expect(await problems(loadReleases(topology(), local(dist)))).toEqual([`the Istio distribution directory ${dist} (--istio-dist or MESHRENDER_ISTIO_DIST) does not exist or is not a directory`]);
  });

  it('reads spec.istio.distribution relative to the topology file', async () => {
    const file = topologyFile(topologyDoc({ istio: { distribution: 'releases' } }));
    const dist = join(dirname(file), 'releases');
    mkdirSync(dist);
    const bytes = await tarGz(syntheticEntries('1.30.3'));
    putArchive(dist, '1.30.3', bytes);
    const t = { ...topology(), file, istio: { ...topology().istio, distribution: 'releases' } };
    expect((await loadReleases(t, local(null))).get('1.30.3')!.archiveSha256).toBe(sha256(bytes));
  });

  it('render --offline: prints file:line:col: error naming the version, exits 1 and writes nothing', async () => {
    const file = topologyFile(topologyDoc());
    const dist = tempDir();
    const out = tempDir();
    writeFileSync(join(out, 'kept.yaml'), 'kept: true\n');
    const before = snapshotTree(out);
    const saved = process.env.MESHRENDER_CACHE_DIR;
    process.env.MESHRENDER_CACHE_DIR = tempDir('meshrender-cache-');
    let r;
    try {
      r = await runCli(['render', file, '--out', out, '--istio-dist', dist, '--offline']);
    } finally {
      if (saved === undefined) delete process.env.MESHRENDER_CACHE_DIR;
      else process.env.MESHRENDER_CACHE_DIR = saved;
    }
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    // The pipeline may point the error at the revision's version (file:line:col, rule MR012).
    expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+:\\d+)?: error: Istio 1\\.30\\.3 is not in ${dist}.*--offline.*pass --istio-dist DIR( \\[MR012\\])?$`));
    expect(snapshotTree(out)).toEqual(before);
  });
});

describe('settings from the environment', () => {
  it.each([
    [{ MESHRENDER_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' }, '/c'],
    [{ XDG_CACHE_HOME: '/x', HOME: '/h' }, '/x/meshrender/istio'],
  ])('cache directory from %o is %s', (env, dir) => {
    expect(releaseCacheDir(env)).toBe(dir);
  });

  it('falls back to ~/.cache/meshrender/istio', () => {
    expect(releaseCacheDir({})).toMatch(/\/\.cache\/meshrender\/istio$/);
  });

  it.each([
    [{}, false, 'https://github.com/istio/istio/releases/download'],
    [{ MESHRENDER_OFFLINE: '1', MESHRENDER_ISTIO_RELEASES_URL: 'http://mirror.internal/istio' }, true, 'http://mirror.internal/istio'],
    [{ MESHRENDER_OFFLINE: 'true' }, true, 'https://github.com/istio/istio/releases/download'],
    [{ MESHRENDER_OFFLINE: '0' }, false, 'https://github.com/istio/istio/releases/download'],
  ])('env %o: offline %s, releases from %s', (env, offline, url) => {
    const s = releaseSettings({ distDir: null }, env);
    expect(s.offline).toBe(offline);
    expect(s.releasesUrl).toBe(url);
  });

  it('lets an explicit option win over the environment', () => {
    expect(releaseSettings({ distDir: null, offline: false }, { MESHRENDER_OFFLINE: '1' }).offline).toBe(false);
  });
});

describe('published sha256 files', () => {
  const hex = 'ab'.repeat(32);
  it.each([
    [`${hex}  istio-1.30.3-linux-amd64.tar.gz\n`, hex],
    [`${hex} *istio-1.30.3-linux-amd64.tar.gz`, hex],
    [`${hex.toUpperCase()}  istio-1.30.3-linux-amd64.tar.gz`, hex],
    [`${hex}\n`, hex],
    [`${hex}  istio-1.29.6-linux-amd64.tar.gz`, null],
    ['not a digest  istio-1.30.3-linux-amd64.tar.gz', null],
    ['<html>404</html>', null],
    ['', null],
  ])('%j -> %s', (text, digest) => {
    expect(parseSha256File(text, 'istio-1.30.3-linux-amd64.tar.gz')).toBe(digest);
  });
});

describe.skipIf(!HAS_SHARED)('the real releases of ../shared/istio-dist', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});

  it('reads 1.29.6 and 1.30.3 from their directory trees', async () => {
    const t = topology([
      { name: 'old', version: '1.29.6' },
      { name: 'new', version: '1.30.3' },
    ]);
    const releases = await loadReleases(t, local(ISTIO_DIST));
    for (const v of ['1.29.6', '1.30.3']) {
      const r = releases.get(v)!;
      expect(r.origin).toBe(join(ISTIO_DIST, `istio-${v}`));
      expect(r.crds).toBe(readFileSync(join(ISTIO_DIST, `istio-${v}`, CRD), 'utf8'));
      expect([...r.discoveryFiles.keys()]).toEqual(readdirSync(join(ISTIO_DIST, `istio-${v}`, FILES)).sort());
      expect(r.discoveryFiles.get('injection-template.yaml')).toMatch(/^\S/m);
    }
  });

  it('reads the same content from an archive of the 1.30.3 tree as from the tree', async () => {
    const root = join(ISTIO_DIST, 'istio-1.30.3');
    const files = readdirSync(join(root, FILES)).sort();
    const bytes = await tarGz([
      { name: 'istio-1.30.3/', type: 'directory' },
      { name: `istio-1.30.3/${CRD}`, content: readFileSync(join(root, CRD)) },
      // In reverse order: the reader must not rely on the order of the entries.
      ...files.reverse().map((f) => ({ name: `istio-1.30.3/${FILES}/${f}`, content: readFileSync(join(root, FILES, f)) })),
    ]);
    const dist = tempDir();
    putArchive(dist, '1.30.3', bytes);
    const fromTree = (await loadReleases(topology(), local(ISTIO_DIST))).get('1.30.3')!;
    const fromArchive: IstioRelease = (await loadReleases(topology(), local(dist))).get('1.30.3')!;
    expect(fromArchive.archiveSha256).toBe(sha256(bytes));
    expect(fromArchive.crds).toBe(fromTree.crds);
    expect([...fromArchive.discoveryFiles]).toEqual([...fromTree.discoveryFiles]);
  });

  it('render prints the digest of the archive it used, and that a tree has none', async () => {
    const root = join(ISTIO_DIST, 'istio-1.30.3');
    const bytes = await tarGz([
      { name: `istio-1.30.3/${CRD}`, content: readFileSync(join(root, CRD)) },
      ...readdirSync(join(root, FILES)).map((f) => ({ name: `istio-1.30.3/${FILES}/${f}`, content: readFileSync(join(root, FILES, f)) })),
    ]);
    const dist = tempDir();
    const path = putArchive(dist, '1.30.3', bytes);
    const file = topologyFile(topologyDoc());
    const withArchive = await runCli(['render', file, '--out', tempDir(), '--istio-dist', dist, '--offline']);
    // Only the release lines: the topology's own warnings may come beside them.
    const releaseLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('istio '));
    expect(withArchive.code).toBe(0);
    expect(releaseLines(withArchive.stderr)).toEqual([`istio 1.30.3: sha256 ${sha256(bytes)} (${path})`]);
    const withTree = await runCli(['render', file, '--out', tempDir(), '--istio-dist', ISTIO_DIST, '--offline']);
    expect(withTree.code).toBe(0);
    expect(releaseLines(withTree.stderr)).toEqual([`istio 1.30.3: no archive digest (directory tree ${join(ISTIO_DIST, 'istio-1.30.3')})`]);
  });
});

describe('diagnostics', () => {
  it('print as file: error: message', async () => {
    const err = await loadReleases(topology(), local(null)).catch((e: PlanError) => e);
    expect(formatDiagnostic((err as PlanError).diagnostics[0]!)).toMatch(/^topology\.yaml: error: Istio 1\.30\.3 is not in the download cache /);
  });
});
