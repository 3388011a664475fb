/**
 * GitOps entry points of a mesh (Argo CD Applications, Flux Kustomizations), derived from the
 * topology and the assembled tree; they live beside the cluster trees, never inside them.
 */
import type { Topology, TreePaths } from '../types.ts';
import { argocdFiles } from './argocd.ts';
import { fluxFiles } from './flux.ts';

export function gitopsFiles(topology: Topology, tree: TreePaths): Map<string, string> {
  return new Map([...argocdFiles(topology, tree), ...fluxFiles(topology, tree)]);
}
