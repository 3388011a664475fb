import type { Cluster, Topology } from '../types.ts';

/** The Istio minors (e.g. "1.29") of the revisions a cluster runs, sorted. */
export function revisionMinorsOf(topology: Topology, cluster: Cluster): string[] {
  const minors = new Set(cluster.revisions.map((r) => topology.istio.revisions.find((x) => x.name === r)?.minor).filter((m): m is string => m !== undefined));
  return [...minors].sort();
}
