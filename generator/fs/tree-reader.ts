/**
 * Reading a tree meshrender wrote, never through a symbolic link: what stands in the way of a
 * rendered path, the bytes of a file, and whether files are still what a render record says they are.
 * The write stage compares with these; the stream (stages/stream.ts) checks the files of unchanged
 * clusters with intactFiles, on the worker thread for most of a large fleet.
 */
import { createHash } from 'node:crypto';
import { constants, type BigIntStats } from 'node:fs';
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
        // lstat: a link to a directory is a link, not a directory.
        state = st.isDirectory() ? null : rel;
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

/** A recorded file: its path relative to the tree, its sha256, and the stat it had when last found intact ('' when none was recorded). */
export type FileRecord = readonly [path: string, digest: string, stat: string];

/** How recently a file may have changed for its stat to be recorded: within this window, a later change could leave the same timestamps. */
const SETTLED_NS = 1_000_000_000n;

/**
 * For each recorded file, whether it is on disk, a regular file reached without a symbolic link,
 * with exactly the recorded bytes: false if not, else the stat to record for it ('' when it changed
 * too recently to be trusted next time). Like git's index, a file whose stat (inode, size,
 * modification and change times, to the nanosecond) is the recorded one is taken as unchanged
 * without reading it: any write changes the change time, which no user call can set back. Any other
 * file is read and hashed, leanly: open (not following a link, not blocking on a FIFO), one read
 * into a reused buffer, close. Anything unusual (a short read that is not the end, a directory, a
 * FIFO) cannot produce the recorded bytes, so it only makes the file not intact, and the write
 * stage then looks at it closely (readRegularFile).
 */
export function intactFiles(root: string, files: readonly FileRecord[], fs: TreeFs = nodeFs): (string | false)[] {
  const above = blockingDirectories(fs, root);
  const settledBefore = BigInt(Date.now()) * 1_000_000n - SETTLED_NS;
  return files.map(([path, digest, recorded]) => {
    if (above(path) !== null) return false;
    const full = join(root, path);
    let st: BigIntStats;
    try {
      st = fs.lstatSync(full, { bigint: true }) as BigIntStats;
    } catch {
      return false;
    }
    if (!st.isFile()) return false;
    const settled = st.ctimeNs < settledBefore && st.mtimeNs < settledBefore;
    const stat = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    if (settled && stat === recorded) return stat;
    return sha256Of(fs, full) === digest ? (settled ? stat : '') : false;
  });
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
