/**
 * The render record: what the last render of a tree on this machine rendered from which inputs, so
 * that the next render can skip clusters whose inputs did not change (stages/inputs.ts).
 * It is kept outside the tree, in the user's cache, and never in the repository: the tree is
 * committed to git and anyone can edit it, while a record is trusted to say which bytes a render
 * wrote. A record in the tree could be forged together with a tampered file so that `render --check`
 * found the tampered file "as rendered"; a record in the cache of the machine that rendered cannot.
 * A fresh clone (a CI job) has no record, so its first render or --check renders every cluster.
 * Records are keyed by the absolute path of the mesh directory, written atomically and sealed with
 * a digest of their content; one that is missing, damaged, edited or of another format is ignored.
 * Format: a header line, one line of JSON, a seal line. The JSON maps each cluster (and MESH_LEVEL)
 * to its input digest and its files as [path, sha256, stat], the stat being inode:size:mtime:ctime
 * in nanoseconds when the file was last found intact and settled, else '' (fs/tree-reader.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeCacheFile } from '../fs/cache-file.ts';
import type { FileRecord } from '../fs/tree-reader.ts';
import { MESH_LEVEL, type ClusterRecord, type PreviousRender } from './inputs.ts';

const HEADER = '# meshrender render record 3\n';
const SEAL = /^# sha256 ([0-9a-f]{64})\n$/;

/** Where records are kept: $MESHRENDER_RENDER_CACHE_DIR, else $XDG_CACHE_HOME/meshrender/renders, else ~/.cache/meshrender/renders. */
export function renderRecordDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.MESHRENDER_RENDER_CACHE_DIR) return env.MESHRENDER_RENDER_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'meshrender', 'renders');
  return join(homedir(), '.cache', 'meshrender', 'renders');
}

function recordFile(recordDir: string, meshDir: string): string {
  return join(recordDir, `${createHash('sha256').update(resolve(meshDir)).digest('hex')}.record`);
}

type RecordJson = { units: Record<string, [input: string, files: FileRecord[]]> };

/** The record of the last render of `meshDir`; empty when there is none, or it is damaged or of another format. */
export function readRenderRecord(recordDir: string, meshDir: string): Omit<PreviousRender, 'dir' | 'from'> {
  const none = { records: new Map<string, ClusterRecord>(), body: null };
  let text: string;
  try {
    text = readFileSync(recordFile(recordDir, meshDir), 'utf8');
  } catch {
    return none;
  }
  const sealAt = text.lastIndexOf('# sha256 ');
  const seal = SEAL.exec(text.slice(sealAt));
  const body = text.slice(0, sealAt);
  if (!text.startsWith(HEADER) || sealAt < 0 || !seal || createHash('sha256').update(body).digest('hex') !== seal[1]) return none;
  try {
    const json = JSON.parse(body.slice(HEADER.length)) as RecordJson;
    return { records: new Map(Object.entries(json.units).map(([owner, [digest, files]]) => [owner, { digest, files }])), body };
  } catch {
    return none;
  }
}

/**
 * The record of a render: the input digest of each cluster (and of the mesh level) and the digest
 * and stat of each of their files, in the order of `files`.
 */
export function renderRecordBody(files: ReadonlyMap<string, string>, inputs: ReadonlyMap<string, string>, stats: ReadonlyMap<string, string>): string {
  const units: RecordJson['units'] = {};
  for (const [owner, digest] of inputs) units[owner] = [digest, []];
  for (const [path, digest] of files) {
    // A file under clusters/<name>/ is that cluster's; any other is the mesh level's.
    const owner = /^clusters\/([^/]+)\//.exec(path)?.[1] ?? MESH_LEVEL;
    units[owner]?.[1].push([path, digest, stats.get(path) ?? '']);
  }
  return `${HEADER}${JSON.stringify({ units } satisfies RecordJson)}\n`;
}

/** Writes a record. A cache: failing to write it only makes the next render slower, so errors are ignored. */
export function writeRenderRecord(recordDir: string, meshDir: string, body: string): void {
  writeCacheFile(recordFile(recordDir, meshDir), `${body}# sha256 ${createHash('sha256').update(body).digest('hex')}\n`);
}
