/**
 * Rendering a subset of a fleet's clusters (render --cluster, for sharding CI across jobs): the
 * subset is rendered in memory, then merged into the tree already on disk, so files of the clusters
 * not rendered stay exactly as they are and the write stage still swaps a complete tree.
 * Mesh-level files that depend on every cluster (the Argo CD applications list, the mesh README)
 * are kept from disk; shared files (CRDs of a version) are taken from the subset, which renders them
 * identically.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshrenderError } from '../errors.ts';
import type { OutputTree } from '../types.ts';
import { INDEX_FILE } from './write.ts';

/** Whether a path of a mesh tree belongs to one of the clusters. */
export function inClusterScope(path: string, clusters: ReadonlySet<string>): boolean {
  const m = /^(?:clusters|flux|argocd\/clusters)\/([^/]+)\//.exec(path) ?? /^argocd\/applications\/application-([^/]+)\.yaml$/.exec(path);
  return m !== null && clusters.has(m[1]!);
}

/** The files meshrender wrote into a mesh directory, by its index. */
export function readManagedFiles(meshDir: string): Map<string, string> {
  const index = join(meshDir, INDEX_FILE);
  if (!existsSync(index)) {
    throw new MeshrenderError(`${meshDir} has no ${INDEX_FILE}`, [
      { file: meshDir, severity: 'error', message: 'render --cluster updates clusters inside a tree meshrender rendered before: render the whole mesh once first' },
    ]);
  }
  const out = new Map<string, string>();
  for (const line of readFileSync(index, 'utf8').split('\n')) {
    const m = /^[0-9a-f]{64} {2}(.+)$/.exec(line);
    if (!m || m[1]!.split('/').some((s) => s === '..' || s === '')) continue;
    const full = join(meshDir, m[1]!);
    if (existsSync(full) && lstatSync(full).isFile()) out.set(m[1]!, readFileSync(full, 'utf8'));
  }
  return out;
}

export function mergeSubset(subset: OutputTree, onDisk: ReadonlyMap<string, string>, clusters: ReadonlySet<string>): OutputTree {
  const files = new Map<string, string>();
  for (const [path, content] of onDisk) if (!inClusterScope(path, clusters)) files.set(path, content);
  for (const [path, content] of subset.files) {
    if (inClusterScope(path, clusters) || path.startsWith('shared/') || !files.has(path)) files.set(path, content);
  }
  return { mesh: subset.mesh, files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}
