/**
 * The check cache: the outcome of checking a topology (load → validate → resolve → rules, with the
 * warnings to print), kept beside the render records (render-record.ts) in the user's cache, keyed
 * by the file's name, its bytes, the working directory and meshrender itself (inputs.ts). Checking a
 * fleet of 1,000 clusters takes a good part of a second, which a re-render of an unchanged topology
 * need not spend. Only a topology that passes is cached, so every mistake is still reported, and any
 * change to the file or to meshrender checks it again. An entry that cannot be read is ignored.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
import { writeCacheFile } from '../fs/cache-file.ts';
import type { Topology } from '../types.ts';
import { engineDigest } from './inputs.ts';
import { MAX_TOPOLOGY_BYTES } from './load.ts';
import { deepFreeze } from './resolve.ts';

export interface Checked {
  topology: Topology;
  warnings: Diagnostic[];
}

/** The outcome of `check(file)`, from the cache in `cacheDir` when the file and meshrender are those it was cached for. */
export function cachedCheck(file: string, cacheDir: string, check: (file: string) => Checked): Checked {
  let bytes: Buffer;
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > MAX_TOPOLOGY_BYTES) return check(file);
    bytes = readFileSync(file);
  } catch {
    return check(file);
  }
  const where = `${process.cwd()}\0${file}\0`;
  const key = createHash('sha256').update(`${engineDigest()}\0${where}`).update(bytes).digest('hex');
  // One entry per topology file (its name and the working directory), replaced when the file changes: the cache does not grow with edits.
  const entry = join(cacheDir, `check-${createHash('sha256').update(where).digest('hex')}.json`);
  try {
    const hit = JSON.parse(readFileSync(entry, 'utf8')) as Checked & { key: string };
    if (hit.key === key) return { topology: deepFreeze(hit.topology), warnings: hit.warnings };
  } catch {
    // Not cached yet, or unreadable: check.
  }
  const checked = check(file);
  writeCacheFile(entry, JSON.stringify({ key, ...checked }));
  return checked;
}
