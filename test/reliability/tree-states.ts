/**
 * What an output directory holds after an interrupted write, in the terms of the write stage's guarantee
 * (docs/security.md): the complete old tree, the complete new tree, or, between the two renames of the
 * swap, no out/<mesh> but the journal and the complete new tree staged beside it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotTree } from '../support/tree-snapshot.ts';

export type TreeState = 'old' | 'new' | 'staged-new' | `neither: ${string}`;

/** Compares out/ (snapshots as made by snapshotTree, paths relative to out/) with the old and new snapshots. */
export function observedState(out: string, mesh: string, oldSnap: Map<string, string>, newSnap: Map<string, string>, snap = snapshotTree(out)): TreeState {
  const temp = `.${mesh}.meshrender-`;
  const visible = new Map([...snap].filter(([p]) => !p.startsWith(temp)));
  if (sameSnapshot(visible, oldSnap)) return 'old';
  if (sameSnapshot(visible, newSnap)) return 'new';
  if (!existsSync(join(out, mesh)) && existsSync(join(out, `${temp}swap`))) {
    const staged = `${temp}new/`;
    const installed = new Map(visible);
    for (const [p, v] of snap) if (p.startsWith(staged)) installed.set(`${mesh}/${p.slice(staged.length)}`, v);
    if (sameSnapshot(installed, newSnap)) return 'staged-new';
  }
  const differing = [...new Set([...visible.keys(), ...oldSnap.keys()])].filter((p) => visible.get(p) !== oldSnap.get(p) && visible.get(p) !== newSnap.get(p));
  return `neither: ${differing.slice(0, 5).join(', ')} (${differing.length} paths match neither tree)`;
}

export function sameSnapshot(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** meshrender's temporary entries (.<mesh>.meshrender-new, -old, -swap) left in out/. */
export function temporaryEntries(snap: ReadonlyMap<string, string>): string[] {
  return [...new Set([...snap.keys()].map((p) => p.split('/')[0]!).filter((p) => /^\..*\.meshrender-/.test(p)))];
}
