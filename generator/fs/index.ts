/**
 * The small file-system interface the write stage uses. It defaults to node:fs; tests pass a wrapper
 * that fails chosen calls (ENOSPC, EROFS, EACCES) or stops at a chosen call to simulate a crash.
 */
import * as fs from 'node:fs';

/** The synchronous node:fs calls the write stage makes, and nothing else. */
export type TreeFs = Pick<
  typeof fs,
  | 'closeSync'
  | 'copyFileSync'
  | 'existsSync'
  | 'fstatSync'
  | 'linkSync'
  | 'lstatSync'
  | 'mkdirSync'
  | 'openSync'
  | 'readdirSync'
  | 'readSync'
  | 'readFileSync'
  | 'readlinkSync'
  | 'renameSync'
  | 'rmSync'
  | 'symlinkSync'
  | 'writeFileSync'
>;

/** The real file system. */
export const nodeFs: TreeFs = fs;

/** Calls that change the disk; a wrapper that injects faults usually targets these. */
export const MUTATING_CALLS = ['copyFileSync', 'linkSync', 'mkdirSync', 'renameSync', 'rmSync', 'symlinkSync', 'writeFileSync'] as const;
