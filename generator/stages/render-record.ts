/**
 * The render record: what the last render of a tree on this machine rendered from which inputs, so
 * that the next render can skip clusters whose inputs did not change (stages/inputs.ts).
 * It is kept outside the tree, in the user's cache, and never in the repository: the tree is
 * committed to git and anyone can edit it, while a record is trusted to say which bytes a render
 * wrote. A record in the tree could be forged together with a tampered file so that `render --check`
 * found the tampered file "as rendered"; a record in the cache of the machine that rendered cannot.
 * A fresh clone (a CI job) has no record, so its first render or --check renders every cluster.
 * Records are keyed by the absolute path of the mesh directory, written atomically and sealed with
 * a digest of their content; one that is missing, damaged or edited is ignored.
 * Lines: `<sha256> <stat>  <path>` per file (stat: inode:size:mtime:ctime in ns when the file was
 * last found intact and settled, else `-`), then `input <sha256>  <cluster>` per cluster.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { MESH_LEVEL, type PreviousRender } from './inputs.ts';

const HEADER = '# meshrender render record 2\n';
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

/** The record of the last render of `meshDir`; empty when there is none, or it is damaged or of another format. */
export function readRenderRecord(recordDir: string, meshDir: string): Omit<PreviousRender, 'dir'> {
  const files = new Map<string, string>();
  const inputs = new Map<string, string>();
  const stats = new Map<string, string>();
  const none = { files: new Map(), inputs: new Map(), stats: new Map() };
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
  for (const line of body.split('\n')) {
    if (line.startsWith('input ')) inputs.set(line.slice(72), line.slice(6, 70));
    else if (line.length > 66 && !line.startsWith('#')) {
      const gap = line.indexOf('  ', 65);
      const path = line.slice(gap + 2);
      files.set(path, line.slice(0, 64));
      const stat = line.slice(65, gap);
      if (stat !== '-') stats.set(path, stat);
    }
  }
  return { files, inputs, stats };
}

/** Whether writing this render's record would write what `previous` (read from disk) already says. */
export function sameRecord(previous: Omit<PreviousRender, 'dir'>, files: ReadonlyMap<string, string>, inputs: ReadonlyMap<string, string>, stats: ReadonlyMap<string, string>): boolean {
  if (previous.inputs.size !== inputs.size || previous.stats.size !== stats.size) return false;
  for (const [owner, digest] of inputs) if (previous.inputs.get(owner) !== digest) return false;
  let recorded = 0;
  for (const [path, digest] of files) {
    const owner = /^clusters\/([^/]+)\//.exec(path)?.[1] ?? MESH_LEVEL;
    if (!inputs.has(owner)) continue;
    recorded++;
    if (previous.files.get(path) !== digest || (previous.stats.get(path) ?? '') !== (stats.get(path) ?? '')) return false;
  }
  return recorded === previous.files.size;
}

/**
 * Records what was rendered into `meshDir`: the input digest of each cluster and the digest of each
 * of its files. A cache: failing to write it only makes the next render slower, so errors are ignored.
 */
export function writeRenderRecord(
  recordDir: string,
  meshDir: string,
  files: ReadonlyMap<string, string>,
  inputs: ReadonlyMap<string, string>,
  stats: ReadonlyMap<string, string> = new Map(),
): void {
  const lines = [HEADER, `# ${resolve(meshDir)}\n`];
  for (const [path, digest] of files) {
    // A file under clusters/<name>/ is that cluster's; any other is the mesh level's.
    const owner = /^clusters\/([^/]+)\//.exec(path)?.[1] ?? MESH_LEVEL;
    if (inputs.has(owner)) lines.push(`${digest} ${stats.get(path) || '-'}  ${path}\n`);
  }
  for (const [cluster, digest] of inputs) lines.push(`input ${digest}  ${cluster}\n`);
  const body = lines.join('');
  const file = recordFile(recordDir, meshDir);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(recordDir, { recursive: true });
    writeFileSync(tmp, `${body}# sha256 ${createHash('sha256').update(body).digest('hex')}\n`);
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing more to do for a cache.
    }
  }
}
