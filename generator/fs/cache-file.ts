/**
 * Writing one file of the user's cache (render records, checked topologies): atomically, so a
 * reader sees the old file or the new one, and best effort, since a cache that cannot be written
 * only makes the next run slower.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeCacheFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing more to do for a cache.
    }
  }
}
