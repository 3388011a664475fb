/**
 * Reads the two parts meshrender needs from an official Istio release archive
 * (istio-<version>-linux-amd64.tar.gz) straight into memory: nothing is ever extracted to disk.
 * In: the archive's path, the version it must hold and size limits. Out: the archive's sha256,
 * the CRD text and the istio-discovery files. An archive that is truncated, corrupt, larger than
 * the limits, or holds an entry that would leave the release directory (absolute path, `..`,
 * a link pointing out) is refused as a whole with an ArchiveError saying why.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

/** Size bounds that keep a hostile or broken archive from exhausting memory or time. */
export interface ArchiveLimits {
  /** Bytes of the compressed archive. @default 512 MiB (an official release is about 30 MiB) */
  maxArchiveBytes: number;
  /** Bytes of one file meshrender keeps (crd-all.gen.yaml is under 1 MiB). @default 32 MiB */
  maxEntryBytes: number;
  /** Decompressed bytes of the whole archive, to defeat decompression bombs. @default 1 GiB */
  maxTotalBytes: number;
  /** Number of entries. @default 100000 */
  maxEntries: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxArchiveBytes: 512 * 1024 * 1024,
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxEntries: 100_000,
};

export const CRD_FILE = 'manifests/charts/base/files/crd-all.gen.yaml';
export const DISCOVERY_FILES_DIR = 'manifests/charts/istio-control/istio-discovery/files';

/** The name of the official release archive of a version. */
export function archiveName(version: string): string {
  return `istio-${version}-linux-amd64.tar.gz`;
}

/** What is wrong with one archive; the caller adds which Istio version needed it. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

export interface ArchiveContents {
  /** Lowercase hex sha256 of the archive file as stored. */
  sha256: string;
  crds: string;
  /** The files directly inside istio-discovery/files/, by name, sorted. */
  discoveryFiles: Map<string, string>;
}

/** The lowercase hex sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) hash.update(chunk);
  });
  return hash.digest('hex');
}

/**
 * Reads the CRDs and the istio-discovery files of Istio `version` from the archive at `path`.
 * Every entry must lie under istio-<version>/; the files meshrender keeps must be regular files.
 */
export async function readReleaseArchive(path: string, version: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ArchiveContents> {
  const size = (await stat(path)).size;
  if (size > limits.maxArchiveBytes) throw new ArchiveError(`${path} is ${size} bytes, more than the ${limits.maxArchiveBytes} bytes an Istio release archive may have`);

  const top = `istio-${version}/`;
  const crdPath = top + CRD_FILE;
  const filesDir = `${top}${DISCOVERY_FILES_DIR}/`;
  const hash = createHash('sha256');
  let total = 0;
  // Counted after gunzip: the bytes actually produced, whatever the tar headers claim.
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      if (total > limits.maxTotalBytes) cb(new ArchiveError(`${path} decompresses to more than ${limits.maxTotalBytes} bytes; refusing it as a decompression bomb`));
      else cb(null, chunk);
    },
  });
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const extract = tar.extract();
  // Collected now, inspected after the entries: a stream error also ends the iteration below.
  const flowed = pipeline(createReadStream(path), hasher, createGunzip(), counter, extract).then(
    () => null,
    (e: unknown) => e,
  );

  let crds: string | null = null;
  const discoveryFiles = new Map<string, string>();
  let entries = 0;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      if (++entries > limits.maxEntries) throw new ArchiveError(`${path} has more than ${limits.maxEntries} entries`);
      const name = entryPath(path, h.name);
      if (name !== top && !name.startsWith(top)) throw new ArchiveError(`${path} is not the Istio ${version} release archive: its entry ${JSON.stringify(h.name)} is outside ${top}`);
      if (h.type === 'symlink' || h.type === 'link') checkLink(path, top, name, h.type, h.linkname ?? '');
      const wanted = name === crdPath || (name.startsWith(filesDir) && !name.slice(filesDir.length).includes('/') && name.length > filesDir.length);
      if (!wanted) {
        entry.resume();
        continue;
      }
      if (h.type !== 'file' && h.type !== 'contiguous-file') throw new ArchiveError(`${path}: ${name} is a ${h.type ?? 'special entry'}, not a regular file`);
      if ((h.size ?? 0) > limits.maxEntryBytes) throw new ArchiveError(`${path}: ${name} is ${h.size} bytes, more than the ${limits.maxEntryBytes} bytes allowed for one file`);
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > limits.maxEntryBytes) throw new ArchiveError(`${path}: ${name} is more than the ${limits.maxEntryBytes} bytes allowed for one file`);
        chunks.push(chunk);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (name === crdPath) {
        if (crds !== null) throw new ArchiveError(`${path} holds ${name} twice`);
        crds = text;
      } else {
        const file = name.slice(filesDir.length);
        if (discoveryFiles.has(file)) throw new ArchiveError(`${path} holds ${name} twice`);
        discoveryFiles.set(file, text);
      }
    }
  } catch (e) {
    extract.destroy();
    const failure = await flowed;
    // A refusal of ours explains itself; otherwise the stream's own failure is the cause (gunzip, size bound).
    throw asArchiveError(path, e instanceof ArchiveError || !failure ? e : failure);
  }
  const failure = await flowed;
  if (failure) throw asArchiveError(path, failure);

  if (crds === null) throw new ArchiveError(`${path} lacks ${crdPath}: it is not a complete Istio ${version} release`);
  if (discoveryFiles.size === 0) throw new ArchiveError(`${path} lacks ${filesDir}: it is not a complete Istio ${version} release`);
  return {
    sha256: hash.digest('hex'),
    crds,
    discoveryFiles: new Map([...discoveryFiles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

/** An entry's path, normalised; refuses the archive when the path is absolute or climbs out with `..`. */
function entryPath(archive: string, raw: string): string {
  const escapes = raw.startsWith('/') || /^[A-Za-z]:/.test(raw) || raw.split(/[\\/]/).includes('..') || raw.includes('\0');
  if (escapes) throw new ArchiveError(`${archive} holds an entry whose path leaves the archive: ${JSON.stringify(raw)}; refusing it`);
  let name = raw.replace(/\/{2,}/g, '/');
  while (name.startsWith('./')) name = name.slice(2);
  return name;
}

/** A symbolic link resolves from its own directory, a hard link from the archive root; both must stay under top. */
function checkLink(archive: string, top: string, name: string, type: 'symlink' | 'link', target: string): void {
  const kind = type === 'symlink' ? 'symbolic link' : 'hard link';
  const refuse = () => new ArchiveError(`${archive} holds a ${kind} ${name} -> ${JSON.stringify(target)} that points out of ${top}; refusing it`);
  if (target === '' || target.startsWith('/') || /^[A-Za-z]:/.test(target) || target.includes('\\') || target.includes('\0')) throw refuse();
  const resolved = type === 'symlink' ? posix.normalize(posix.join(posix.dirname(name.replace(/\/$/, '')), target)) : posix.normalize(target.replace(/^(\.\/)+/, ''));
  if (resolved === '..' || resolved.startsWith('../') || !(resolved === top.slice(0, -1) || resolved.startsWith(top))) throw refuse();
}

function asArchiveError(path: string, e: unknown): ArchiveError {
  if (e instanceof ArchiveError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new ArchiveError(`${path} is truncated or corrupt (${detail})`);
}
