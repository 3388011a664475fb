/**
 * write: OutputTree → disk, or a drift report for --check.
 * The new tree of a mesh is staged beside the old one (out/.<mesh>.meshrender-new), complete with
 * the files meshrender did not write, then swapped in with two renames under a journal, so a crash
 * leaves the old tree or the new one; the next run finishes or discards an interrupted swap.
 * Files listed in the previous index (out/<mesh>/.meshrender-index) that this render no longer
 * produces are removed; files meshrender did not write are never deleted or overwritten, and nothing
 * is ever written through a symbolic link. When nothing changed, nothing is written at all.
 * A lock file (out/.<mesh>.meshrender-lock, holding the writer's pid) keeps two renders from writing
 * one mesh at once: the second stops with an error; a lock left by a killed process is taken over.
 * Files arrive as a stream (stream.ts renders a fleet cluster by cluster): each is compared with the
 * disk and, if new or changed, written into the staging directory at once, so memory holds one
 * cluster's files and the index digests, never the fleet. Several meshes are all staged before any
 * is swapped in, so a failure in one leaves every tree as it was.
 * A stream that reuses the previous render (stream.ts, render-record.ts) sends the files of unchanged
 * clusters as Recorded entries, most already found intact on disk; only one that is missing or
 * differs has its content rendered and written. When every file is as rendered and only the index
 * differs (edited by hand), the index alone is replaced (one rename).
 * All disk access goes through a TreeFs (node:fs by default), so tests can inject faults.
 */
import { createHash } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
import { MeshrenderError, WriteError } from '../errors.ts';
import { nodeFs, type TreeFs } from '../fs/index.ts';
import { ABSENT, blockingDirectories, NOT_A_FILE, readRegularFile } from '../fs/tree-reader.ts';
import type { UpdateEntry } from './inputs.ts';

export const INDEX_FILE = '.meshrender-index';
const INDEX_HEADER =
  '# Files written by meshrender (sha256, path). meshrender removes these when they are no longer rendered;\n# it never deletes or overwrites a file that is not listed here.\n';

export interface Drift {
  mesh: string;
  /** Mesh directory on disk. */
  dir: string;
  added: string[];
  changed: string[];
  removed: string[];
  /**
   * Paths meshrender did not write that are in the way of a rendered file: a differing file it did not
   * write, or a symbolic link, directory or other non-file at or above a rendered path.
   */
  foreign: string[];
  /** Number of files rendered. */
  files: number;
}

/** The files of one mesh's tree: an OutputTree's map, or a stream from stream.ts. */
export interface MeshFiles {
  mesh: string;
  /** The files, or a function of the tree on disk (null: none yet) that streams them, reusing what is there. */
  files: Iterable<readonly [string, string]> | ((current: string | null) => Iterable<UpdateEntry>);
  /** Called with the digest of every file once the tree on disk is this one (written, or found up to date). */
  written?: (digests: ReadonlyMap<string, string>) => void;
}

export interface WriteResult extends Drift {
  /** True when the tree on disk was replaced. */
  swapped: boolean;
}

export function isClean(d: Drift): boolean {
  return d.added.length + d.changed.length + d.removed.length === 0;
}

/** Compares a tree with what is on disk, writing nothing. */
export function checkTree(outDir: string, tree: MeshFiles, fs: TreeFs = nodeFs): Drift {
  refuseLinks(fs, outDir, tree.mesh);
  const meshDir = join(outDir, tree.mesh);
  const current = exists(fs, meshDir) ? meshDir : pendingSwap(fs, outDir, tree.mesh);
  return compare(fs, current, meshDir, tree).drift;
}

/** Writes a tree atomically; see the file comment. */
export function writeTree(outDir: string, tree: MeshFiles, fs: TreeFs = nodeFs): WriteResult {
  return writeTrees(outDir, [tree], fs)[0]!;
}

/**
 * Writes several meshes: stages every one (consuming its stream), then swaps them in. If staging
 * any fails (a rendering error in the stream, a file in the way, a full disk), every staged tree is
 * discarded and every mesh directory is left as it was.
 */
export function writeTrees(outDir: string, trees: readonly MeshFiles[], fs: TreeFs = nodeFs): WriteResult[] {
  const locks: { release: () => void }[] = [];
  const staged: Staged[] = [];
  try {
    for (const tree of trees) {
      prepareOutDir(fs, outDir, tree.mesh);
      locks.push(lockMesh(fs, outDir, tree.mesh));
      staged.push(stageMesh(outDir, tree, fs));
    }
    return staged.map((s) => {
      const result = commit(fs, s);
      s.written?.(s.digests);
      return result;
    });
  } catch (e) {
    for (const s of staged) discard(fs, s.paths);
    throw e;
  } finally {
    for (const lock of locks) lock.release();
  }
}

interface Staged {
  meshDir: string;
  paths: ReturnType<typeof swapPaths>;
  drift: Drift;
  /** Nothing changed: nothing was staged and nothing is to be swapped. */
  upToDate: boolean;
  /** Every file is as rendered but the index differs (edited by hand): the index to install in place of the old one. */
  indexOnly?: string;
  /** The digest of every file of the new tree. */
  digests: ReadonlyMap<string, string>;
  written?: MeshFiles['written'];
}

function stageMesh(outDir: string, tree: MeshFiles, fs: TreeFs): Staged {
  try {
    recoverSwap(outDir, tree.mesh, fs);
  } catch (e) {
    throw writeError(outDir, e);
  }
  const meshDir = join(outDir, tree.mesh);
  const paths = swapPaths(outDir, tree.mesh);
  const current = exists(fs, meshDir) ? meshDir : null;
  // One mkdir per directory, not per file: trees have tens of thousands of files in a few thousand directories.
  const made = new Set<string>();
  let started = false;
  // The staging directory is made when the first file is written: an unchanged tree writes nothing.
  const start = () => {
    if (started) return;
    fs.rmSync(paths.staging, { recursive: true, force: true });
    // Not recursive: out/ exists, and a recursive mkdir reports ENOENT instead of EROFS on a read-only file system.
    fs.mkdirSync(paths.staging);
    started = true;
  };
  const write = (path: string, content: string) => {
    start();
    const to = safeJoin(paths.staging, path);
    const dir = dirname(to);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      for (let d = dir; d.length > paths.staging.length && !made.has(d); d = dirname(d)) made.add(d);
    }
    fs.writeFileSync(to, content);
  };
  try {
    const { drift, digests } = compare(fs, current, meshDir, tree, write);
    if (drift.foreign.length > 0) {
      throw new WriteError(
        `${meshDir}: files meshrender did not write are in the way`,
        drift.foreign.map((p) => ({ file: join(meshDir, p), severity: 'error', message: inTheWay(fs, join(meshDir, p)) })),
      );
    }
    const index = indexTextOf(digests);
    // A clean drift means nothing was written, so nothing was staged either.
    if (isClean(drift) && current) {
      const same = readIfFile(fs, join(meshDir, INDEX_FILE))?.toString('utf8') === index;
      return { meshDir, paths, drift, upToDate: same, ...(same ? {} : { indexOnly: index }), digests, written: tree.written };
    }
    start();
    // Carry over everything on disk that stays: unchanged rendered files and files meshrender did not write.
    if (current) carryOver(fs, current, paths.staging, new Set([...drift.added, ...drift.changed, ...drift.removed]), made);
    fs.writeFileSync(join(paths.staging, INDEX_FILE), index);
    return { meshDir, paths, drift, upToDate: false, digests, written: tree.written };
  } catch (e) {
    discard(fs, paths);
    if (e instanceof MeshrenderError || !(e instanceof Error) || !('code' in e)) throw e;
    throw writeError(meshDir, e);
  }
}

/** Installs a staged tree: two renames under a journal. */
function commit(fs: TreeFs, s: Staged): WriteResult {
  if (s.upToDate) return { ...s.drift, swapped: false };
  const { meshDir, paths } = s;
  if (s.indexOnly !== undefined) {
    try {
      fs.writeFileSync(paths.index, s.indexOnly);
      fs.renameSync(paths.index, join(meshDir, INDEX_FILE));
    } catch (e) {
      fs.rmSync(paths.index, { force: true });
      throw writeError(meshDir, e);
    }
    return { ...s.drift, swapped: false };
  }
  try {
    fs.writeFileSync(paths.journal, 'swap\n');
    if (exists(fs, meshDir)) fs.renameSync(meshDir, paths.old);
    // Between these two renames out/<mesh> is absent; the journal and the complete staged tree say
    // what to install, and the next run (or --check, which reads the staged tree) finishes the swap.
    fs.renameSync(paths.staging, meshDir);
  } catch (e) {
    // Leave the old tree in place: undo whatever the failed attempt started.
    try {
      if (!exists(fs, meshDir) && isRealDir(fs, paths.old)) fs.renameSync(paths.old, meshDir);
      discard(fs, paths);
    } catch {
      // The journal (if still there) lets the next run restore the old tree.
    }
    if (e instanceof WriteError) throw e;
    throw writeError(meshDir, e);
  }
  // The new tree is in place; what is left is cleanup, which the next run repeats if this fails.
  try {
    fs.rmSync(paths.journal, { force: true });
    fs.rmSync(paths.old, { recursive: true, force: true });
  } catch {
    // Leftovers are removed by recoverSwap on the next run.
  }
  return { ...s.drift, swapped: true };
}

/** Removes a staged tree that will not be installed. */
function discard(fs: TreeFs, paths: ReturnType<typeof swapPaths>): void {
  try {
    fs.rmSync(paths.staging, { recursive: true, force: true });
    fs.rmSync(paths.journal, { force: true });
  } catch {
    // recoverSwap removes leftovers on the next run.
  }
}

/**
 * Takes out/.<mesh>.meshrender-lock, or explains who holds it. A lock whose process is gone (killed
 * mid-render) or that this process left (an earlier failed attempt) is stale and taken over.
 */
function lockMesh(fs: TreeFs, outDir: string, mesh: string): { release: () => void } {
  const path = join(outDir, `.${mesh}.meshrender-lock`);
  const mine = `${process.pid}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(path, mine, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        // On a full disk the file is created but its pid cannot be written: leave nothing behind.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') fs.rmSync(path, { force: true });
        throw writeError(join(outDir, mesh), e);
      }
    }
    const holder = Number.parseInt(readIfFile(fs, path)?.toString('utf8') ?? '', 10);
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw writeErrorAt(
        join(outDir, mesh),
        `another meshrender (pid ${holder}) is writing this tree; wait for it to finish and render again (if no meshrender is running, delete ${path})`,
      );
    }
    fs.rmSync(path, { force: true });
  }
  return {
    release: () => {
      try {
        if (readIfFile(fs, path)?.toString('utf8') === mine) fs.rmSync(path, { force: true });
      } catch {
        // A lock left behind is taken over by the next run.
      }
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function swapPaths(outDir: string, mesh: string) {
  return {
    staging: join(outDir, `.${mesh}.meshrender-new`),
    old: join(outDir, `.${mesh}.meshrender-old`),
    journal: join(outDir, `.${mesh}.meshrender-swap`),
    /** A new index, renamed into the tree when it is all that changed. */
    index: join(outDir, `.${mesh}.meshrender-index`),
  };
}

/** Finishes or discards a swap that a crash interrupted, and removes leftovers. */
export function recoverSwap(outDir: string, mesh: string, fs: TreeFs = nodeFs): void {
  const meshDir = join(outDir, mesh);
  const p = swapPaths(outDir, mesh);
  if (exists(fs, p.journal) && !exists(fs, meshDir)) {
    // The staged tree was complete when the journal was written: roll forward if the old one is gone.
    // Only real directories are moved into place, never a symbolic link someone put there.
    if (isRealDir(fs, p.staging)) fs.renameSync(p.staging, meshDir);
    else if (isRealDir(fs, p.old)) fs.renameSync(p.old, meshDir);
  }
  fs.rmSync(p.staging, { recursive: true, force: true });
  fs.rmSync(p.old, { recursive: true, force: true });
  fs.rmSync(p.journal, { force: true });
  fs.rmSync(p.index, { force: true });
}

/** The staged tree of an interrupted swap, which is what the next run will install. */
function pendingSwap(fs: TreeFs, outDir: string, mesh: string): string | null {
  const p = swapPaths(outDir, mesh);
  return exists(fs, p.journal) && isRealDir(fs, p.staging) ? p.staging : null;
}

/** The output directory and the mesh directory must be real directories when they exist. */
function refuseLinks(fs: TreeFs, outDir: string, mesh: string): void {
  for (const dir of [outDir, join(outDir, mesh)]) {
    let st;
    try {
      st = fs.lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) {
      throw writeErrorAt(dir, 'is a symbolic link; meshrender replaces its trees by renaming and writes only into real directories: pass --out with the real path');
    }
    if (!st.isDirectory()) throw writeErrorAt(dir, 'exists and is not a directory; pass --out with a directory');
  }
}

function prepareOutDir(fs: TreeFs, outDir: string, mesh: string): void {
  refuseLinks(fs, outDir, mesh);
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw writeError(outDir, e);
  }
}

/**
 * Compares a stream of files with the tree at `current` (null: nothing on disk yet). Each added or
 * changed file is handed to `write` as it arrives, until something is found in the way (then the
 * write is abandoned, and the comparison goes on to report everything in the way at once).
 * Returns the drift and the digest of every rendered file.
 */
function compare(
  fs: TreeFs,
  current: string | null,
  meshDir: string,
  tree: MeshFiles,
  write: (path: string, content: string) => void = () => {},
): { drift: Drift; digests: Map<string, string> } {
  const index = current ? readIndex(fs, current) : new Map<string, string>();
  const drift: Drift = { mesh: tree.mesh, dir: meshDir, added: [], changed: [], removed: [], foreign: [], files: 0 };
  const digests = new Map<string, string>();
  const blocked = new Set<string>();
  const above = current ? blockingDirectories(fs, current) : () => ABSENT;
  const entries = typeof tree.files === 'function' ? tree.files(current) : tree.files;
  for (const [path, entry] of entries) {
    if (digests.has(path)) throw new Error(`internal: ${path} is rendered twice`);
    // A file of an unchanged cluster that the stream already found on disk as recorded.
    if (typeof entry !== 'string' && entry.intact) {
      digests.set(path, entry.digest);
      continue;
    }
    const blockedAbove = above(path);
    const found = blockedAbove === null ? readRegularFile(fs, join(current!, path)) : null;
    const blocker = typeof blockedAbove === 'string' ? blockedAbove : found === NOT_A_FILE ? path : null;
    if (blocker !== null) {
      digests.set(path, typeof entry === 'string' ? sha256(Buffer.from(entry)) : entry.digest);
      blocked.add(blocker);
      continue;
    }
    const onDisk = found as Buffer | null;
    // A kept file the stream found not intact: render it and compare, like any other.
    const content = typeof entry === 'string' ? entry : entry.content();
    const bytes = Buffer.from(content);
    digests.set(path, sha256(bytes));
    if (onDisk === null) drift.added.push(path);
    else if (onDisk.equals(bytes)) continue;
    else if (index.has(path)) drift.changed.push(path);
    else {
      drift.foreign.push(path);
      continue;
    }
    if (drift.foreign.length === 0 && blocked.size === 0) write(path, content);
  }
  drift.files = digests.size;
  drift.foreign.push(...blocked);
  for (const path of index.keys()) {
    if (!digests.has(path) && current && fs.existsSync(join(current, path))) drift.removed.push(path);
  }
  for (const list of [drift.added, drift.changed, drift.removed, drift.foreign]) list.sort(byPath);
  return { drift, digests };
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Why a path blocks a write, for the message. */
function inTheWay(fs: TreeFs, full: string): string {
  let st;
  try {
    st = fs.lstatSync(full);
  } catch {
    return 'this file was not written by meshrender and would be overwritten; move it away or delete it, then render again';
  }
  if (st.isSymbolicLink()) {
    return 'this symbolic link is where meshrender writes, and meshrender never writes through links; replace it with a real directory or file (or delete it), then render again';
  }
  if (st.isDirectory()) return 'this directory is where meshrender writes a file; move it away, then render again';
  if (!st.isFile()) return 'this is not a regular file (a FIFO, socket or device) and is where meshrender writes; move it away, then render again';
  return 'this file was not written by meshrender and would be overwritten; move it away or delete it, then render again';
}

/** Links (or copies) into the staging directory every entry of the current tree that is not in `skip`. */
function carryOver(fs: TreeFs, current: string, staging: string, skip: ReadonlySet<string>, made: Set<string>): void {
  for (const rel of walk(fs, current)) {
    if (rel === INDEX_FILE || skip.has(rel)) continue;
    const from = join(current, rel);
    const to = safeJoin(staging, rel);
    // A rendered file was written below what is carried over (found in the way before writing, so this does not happen).
    if (made.has(to)) throw writeErrorAt(from, 'is in the way of a rendered file; move it away, then render again');
    const dir = dirname(to);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      for (let d = dir; d.length > staging.length && !made.has(d); d = dirname(d)) made.add(d);
    }
    const st = fs.lstatSync(from);
    if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
    else if (!st.isFile()) {
      // copyFileSync would block forever on a FIFO.
      throw writeErrorAt(from, 'is not a regular file or symbolic link (a FIFO, socket or device); move it out of the output directory, then render again');
    } else {
      try {
        fs.linkSync(from, to);
      } catch {
        fs.copyFileSync(from, to);
      }
    }
  }
}

/** The index of a tree: header, then `sha256  path` per file, sorted by path. */
function indexTextOf(digests: ReadonlyMap<string, string>): string {
  const lines = [INDEX_HEADER];
  for (const path of [...digests.keys()].sort(byPath)) lines.push(`${digests.get(path)}  ${path}\n`);
  return lines.join('');
}

function readIndex(fs: TreeFs, meshDir: string): Map<string, string> {
  const text = readIfFile(fs, join(meshDir, INDEX_FILE));
  const out = new Map<string, string>();
  if (text === null) return out;
  for (const line of text.toString('utf8').split('\n')) {
    if (line.length <= 66 || !INDEX_LINE.test(line)) continue;
    const path = line.slice(66);
    if (!UNSAFE_PATH.test(path)) out.set(path, line.slice(0, 64));
  }
  return out;
}

const INDEX_LINE = /^[0-9a-f]{64} {2}/;
/**
 * Index entries come from disk and could be edited: never follow one out of the tree. A path with
 * an empty, `.` or `..` segment (which includes an absolute path) is ignored.
 */
const UNSAFE_PATH = /(?:^|\/)\.{0,2}(?:\/|$)/;

function safeJoin(root: string, rel: string): string {
  const full = resolve(root, rel);
  if (!full.startsWith(resolve(root) + sep)) throw writeErrorAt(full, 'would be written outside the output directory');
  return full;
}

function* walk(fs: TreeFs, root: string, prefix = ''): Iterable<string> {
  for (const entry of fs.readdirSync(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) yield* walk(fs, root, rel);
    else yield rel;
  }
}

/** Whether something is at `path`, without following a final symbolic link. */
function exists(fs: TreeFs, path: string): boolean {
  try {
    fs.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isRealDir(fs: TreeFs, path: string): boolean {
  try {
    return fs.lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readIfFile(fs: TreeFs, path: string): Buffer | null {
  try {
    const st = fs.lstatSync(path);
    if (!st.isFile()) return null;
    return fs.readFileSync(path);
  } catch {
    return null;
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function writeErrorAt(path: string, message: string): WriteError {
  const d: Diagnostic = { file: path, severity: 'error', message };
  return new WriteError(`${path}: ${message}`, [d]);
}

/** A failed file-system call as a user-facing error about `where` (the output or mesh directory). */
function writeError(where: string, e: unknown): WriteError {
  if (e instanceof WriteError) return e;
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOSPC: 'the disk is full; free some space and render again (the previous tree is unchanged)',
    EACCES: 'permission denied; make the output directory writable or pass --out with another directory',
    EPERM: 'operation not permitted; make the output directory writable or pass --out with another directory',
    EROFS: 'the file system is read-only; pass --out with a writable directory',
    ENOTDIR: 'a path component is a file, not a directory; pass --out with a directory',
    EDQUOT: 'the disk quota is exceeded; free some space and render again',
  };
  const target = relative(process.cwd(), where) || where;
  return writeErrorAt(target, why[err.code ?? ''] ?? `cannot write: ${err.message}`);
}
