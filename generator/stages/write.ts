/**
 * write: OutputTree → disk, or a drift report for --check.
 * The new tree of a mesh is staged beside the old one (out/.<mesh>.meshrender-new), complete with
 * the files meshrender did not write, then swapped in with two renames under a journal, so a crash
 * leaves the old tree or the new one; the next run finishes or discards an interrupted swap.
 * Files listed in the previous index (out/<mesh>/.meshrender-index) that this render no longer
 * produces are removed; files meshrender did not write are never deleted or overwritten.
 * When nothing changed, nothing is written at all.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
import { WriteError } from '../errors.ts';
import type { OutputTree } from '../types.ts';

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
  /** Files at paths meshrender wants to write that it did not write before and that differ. */
  foreign: string[];
}

export interface WriteResult extends Drift {
  /** True when the tree on disk was replaced. */
  swapped: boolean;
}

export function isClean(d: Drift): boolean {
  return d.added.length + d.changed.length + d.removed.length === 0;
}

/** Compares a tree with what is on disk, writing nothing. */
export function checkTree(outDir: string, tree: OutputTree): Drift {
  const meshDir = join(outDir, tree.mesh);
  const current = existsSync(meshDir) ? meshDir : pendingSwap(outDir, tree.mesh);
  return compare(current, meshDir, tree);
}

/** Writes a tree atomically; see the file comment. */
export function writeTree(outDir: string, tree: OutputTree): WriteResult {
  prepareOutDir(outDir, tree.mesh);
  recoverSwap(outDir, tree.mesh);
  const meshDir = join(outDir, tree.mesh);
  const drift = compare(existsSync(meshDir) ? meshDir : null, meshDir, tree);
  if (drift.foreign.length > 0) {
    throw new WriteError(
      `${meshDir}: files meshrender did not write are in the way`,
      drift.foreign.map((p) => ({
        file: join(meshDir, p),
        severity: 'error',
        message: 'this file was not written by meshrender and would be overwritten; move it away or delete it, then render again',
      })),
    );
  }
  if (isClean(drift) && indexUpToDate(meshDir, tree)) return { ...drift, swapped: false };
  const paths = swapPaths(outDir, tree.mesh);
  try {
    stage(meshDir, paths.staging, tree, drift);
    writeFileSync(paths.journal, 'swap\n');
    if (existsSync(meshDir)) renameSync(meshDir, paths.old);
    renameSync(paths.staging, meshDir);
    rmSync(paths.journal, { force: true });
    rmSync(paths.old, { recursive: true, force: true });
  } catch (e) {
    if (e instanceof WriteError) throw e;
    // Leave the old tree in place: undo whatever the failed attempt started.
    if (!existsSync(meshDir) && existsSync(paths.old)) renameSync(paths.old, meshDir);
    rmSync(paths.staging, { recursive: true, force: true });
    rmSync(paths.journal, { force: true });
    throw writeError(outDir, e);
  }
  return { ...drift, swapped: true };
}

function swapPaths(outDir: string, mesh: string) {
  return {
    staging: join(outDir, `.${mesh}.meshrender-new`),
    old: join(outDir, `.${mesh}.meshrender-old`),
    journal: join(outDir, `.${mesh}.meshrender-swap`),
  };
}

/** Finishes or discards a swap that a crash interrupted, and removes leftovers. */
export function recoverSwap(outDir: string, mesh: string): void {
  const meshDir = join(outDir, mesh);
  const p = swapPaths(outDir, mesh);
  if (existsSync(p.journal)) {
    // The staged tree was complete when the journal was written: roll forward if the old one is gone.
    if (!existsSync(meshDir) && existsSync(p.staging)) renameSync(p.staging, meshDir);
    else if (!existsSync(meshDir) && existsSync(p.old)) renameSync(p.old, meshDir);
  }
  rmSync(p.staging, { recursive: true, force: true });
  rmSync(p.old, { recursive: true, force: true });
  rmSync(p.journal, { force: true });
}

/** The staged tree of an interrupted swap, which is what the next run will install. */
function pendingSwap(outDir: string, mesh: string): string | null {
  const p = swapPaths(outDir, mesh);
  return existsSync(p.journal) && existsSync(p.staging) ? p.staging : null;
}

function prepareOutDir(outDir: string, mesh: string): void {
  for (const dir of [outDir, join(outDir, mesh)]) {
    let st;
    try {
      st = lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) {
      throw writeErrorAt(dir, 'is a symbolic link; meshrender replaces its trees by renaming and writes only into real directories: pass --out with the real path');
    }
    if (!st.isDirectory()) throw writeErrorAt(dir, 'exists and is not a directory; pass --out with a directory');
  }
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw writeError(outDir, e);
  }
}

function compare(current: string | null, meshDir: string, tree: OutputTree): Drift {
  const index = current ? readIndex(current) : new Map<string, string>();
  const drift: Drift = { mesh: tree.mesh, dir: meshDir, added: [], changed: [], removed: [], foreign: [] };
  for (const [path, content] of tree.files) {
    const onDisk = current ? readIfFile(join(current, path)) : null;
    if (onDisk === null) drift.added.push(path);
    else if (!onDisk.equals(Buffer.from(content))) {
      if (index.has(path)) drift.changed.push(path);
      else drift.foreign.push(path);
    }
  }
  for (const path of index.keys()) {
    if (!tree.files.has(path) && current && existsSync(join(current, path))) drift.removed.push(path);
  }
  drift.removed.sort();
  return drift;
}

function indexUpToDate(meshDir: string, tree: OutputTree): boolean {
  const text = readIfFile(join(meshDir, INDEX_FILE));
  return text !== null && text.toString('utf8') === indexText(tree);
}

function stage(meshDir: string, staging: string, tree: OutputTree, drift: Drift): void {
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const rewrite = new Set([...drift.added, ...drift.changed]);
  const removed = new Set(drift.removed);
  // One mkdir per directory, not per file: trees have tens of thousands of files in a few thousand directories.
  const made = new Set<string>();
  const ensureDir = (dir: string) => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  };
  // Carry over everything on disk that stays: unchanged rendered files and files meshrender did not write.
  if (existsSync(meshDir)) {
    for (const rel of walk(meshDir)) {
      if (rel === INDEX_FILE || rewrite.has(rel) || removed.has(rel)) continue;
      const from = join(meshDir, rel);
      const to = safeJoin(staging, rel);
      ensureDir(dirname(to));
      const st = lstatSync(from);
      if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
      else {
        try {
          linkSync(from, to);
        } catch {
          copyFileSync(from, to);
        }
      }
    }
  }
  for (const path of rewrite) {
    const to = safeJoin(staging, path);
    ensureDir(dirname(to));
    writeFileSync(to, tree.files.get(path)!);
  }
  writeFileSync(join(staging, INDEX_FILE), indexText(tree));
}

export function indexText(tree: OutputTree): string {
  let s = INDEX_HEADER;
  for (const [path, content] of tree.files) s += `${sha256(content)}  ${path}\n`;
  return s;
}

function readIndex(meshDir: string): Map<string, string> {
  const text = readIfFile(join(meshDir, INDEX_FILE));
  const out = new Map<string, string>();
  if (text === null) return out;
  for (const line of text.toString('utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (m && isSafeRelative(m[2]!)) out.set(m[2]!, m[1]!);
  }
  return out;
}

/** Index entries come from disk and could be edited: never follow one out of the tree. */
function isSafeRelative(p: string): boolean {
  return !p.startsWith('/') && !p.split('/').some((s) => s === '..' || s === '' || s === '.');
}

function safeJoin(root: string, rel: string): string {
  const full = resolve(root, rel);
  if (!full.startsWith(resolve(root) + sep)) throw writeErrorAt(full, 'would be written outside the output directory');
  return full;
}

function* walk(root: string, prefix = ''): Iterable<string> {
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) yield* walk(root, rel);
    else yield rel;
  }
}

function readIfFile(path: string): Buffer | null {
  try {
    const st = lstatSync(path);
    if (!st.isFile()) return null;
    return readFileSync(path);
  } catch {
    return null;
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function writeErrorAt(path: string, message: string): WriteError {
  const d: Diagnostic = { file: path, severity: 'error', message };
  return new WriteError(`${path}: ${message}`, [d]);
}

function writeError(path: string, e: unknown): WriteError {
  const err = e as NodeJS.ErrnoException;
  const target = err.path ? relative(process.cwd(), err.path) || err.path : path;
  const why: Record<string, string> = {
    ENOSPC: 'the disk is full; free some space and render again (the previous tree is unchanged)',
    EACCES: 'permission denied; make the output directory writable or pass --out with another directory',
    EPERM: 'operation not permitted; make the output directory writable or pass --out with another directory',
    EROFS: 'the file system is read-only; pass --out with a writable directory',
    ENOTDIR: 'a path component is a file, not a directory; pass --out with a directory',
    EDQUOT: 'the disk quota is exceeded; free some space and render again',
  };
  return writeErrorAt(target, why[err.code ?? ''] ?? `cannot write: ${err.message}`);
}
