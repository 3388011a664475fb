/**
 * Reading a tree meshrender wrote, never through a symbolic link: what stands in the way of a
 * rendered path, the bytes of a file, and whether files are still what an index says they are.
 * The write stage compares with these; the stream (stages/stream.ts) checks the files of unchanged
 * clusters with intactFiles, on the worker thread for most of a large fleet.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { nodeFs, type TreeFs } from './index.ts';

export const ABSENT = Symbol('absent');
export const NOT_A_FILE = Symbol('not a regular file');

/**
 * Finds, for a rendered path, what above it on disk would stop meshrender from writing a regular
 * file there without following a link: a symbolic link or non-directory. Returns that entry's path,
 * ABSENT when a directory above it does not exist (so neither does the file), or null. Results are
 * cached per directory: trees have tens of thousands of files in a few thousand directories.
 */
export function blockingDirectories(fs: TreeFs, root: string): (rel: string) => string | typeof ABSENT | null {
  const dirs = new Map<string, string | typeof ABSENT | null>();
  const dirState = (rel: string): string | typeof ABSENT | null => {
    const hit = dirs.get(rel);
    if (hit !== undefined) return hit;
    const parent = rel.includes('/') ? dirState(rel.slice(0, rel.lastIndexOf('/'))) : null;
    let state = parent;
    if (parent === null) {
      try {
        const st = fs.lstatSync(join(root, rel));
        state = st.isDirectory() && !st.isSymbolicLink() ? null : rel;
      } catch {
        state = ABSENT;
      }
    }
    dirs.set(rel, state);
    return state;
  };
  return (rel) => (rel.includes('/') ? dirState(rel.slice(0, rel.lastIndexOf('/'))) : null);
}

/**
 * The bytes of a regular file; null when nothing is there; NOT_A_FILE for a symbolic link, a
 * directory, a FIFO or a device. Opened without following a link and without blocking (a FIFO),
 * so it costs four system calls (open, fstat, read, close) and never reads through a link.
 */
export function readRegularFile(fs: TreeFs, path: string): Buffer | null | typeof NOT_A_FILE {
  let fd: number;
  try {
    fd = fs.openSync(path, OPEN_NO_FOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ELOOP' || code === 'EMLINK' ? NOT_A_FILE : null;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return NOT_A_FILE;
    const buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < st.size) {
      const n = fs.readSync(fd, buf, got, st.size - got, null);
      if (n === 0) break;
      got += n;
    }
    return got === st.size ? buf : buf.subarray(0, got);
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

const OPEN_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * For each file (path relative to root, sha256), whether it is on disk, a regular file reached
 * without a symbolic link, with exactly those bytes. This is the check of every file of every
 * unchanged cluster, so it is lean: open (not following a link, not blocking on a FIFO), one read
 * into a reused buffer, close. Anything unusual (a short read that is not the end, a directory, a
 * FIFO) cannot produce the recorded bytes, so it only makes the file not intact, and the write
 * stage then looks at it closely (readRegularFile).
 */
export function intactFiles(root: string, files: readonly (readonly [path: string, digest: string])[], fs: TreeFs = nodeFs): boolean[] {
  const above = blockingDirectories(fs, root);
  return files.map(([path, digest]) => above(path) === null && sha256Of(fs, join(root, path)) === digest);
}

let buffer = Buffer.allocUnsafe(64 * 1024);

/** sha256 of a file's bytes as read by open + read + close (a larger file grows the buffer and reads on); null when it cannot be read. */
function sha256Of(fs: TreeFs, path: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(path, OPEN_NO_FOLLOW);
  } catch {
    return null;
  }
  try {
    let got = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, got, buffer.length - got, null);
      got += n;
      if (got < buffer.length || n === 0) break;
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, got);
      buffer = bigger;
    }
    return createHash('sha256').update(buffer.subarray(0, got)).digest('hex');
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
