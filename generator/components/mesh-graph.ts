/**
 * Who talks to whom in a mesh, derived from the resolved topology alone: which istiod reads which
 * cluster's API server (the remote-secret relation) and which cluster serves which remote.
 * Pure; used by the topology picture (generator/graph/) and by the remote secrets, so both always
 * agree on the same pairs.
 */
import type { Cluster, Topology } from '../types.ts';

/** One istiod reading the API server of one cluster through a remote secret (facts sheet §5). */
export interface ClusterRead {
  /** The cluster whose istiod reads: the remote secret lives there. */
  reader: string;
  /** Namespace of that istiod on the reader: where the remote secret goes. */
  readerNamespace: string;
  /** The cluster whose API server is read. */
  target: string;
  /** Istio namespace of the target: where the reading ServiceAccount and its token Secret live. */
  targetNamespace: string;
  /**
   * config: an external control plane reading its config cluster (Secret istio-kubeconfig, key
   * `config`, ServiceAccount istiod); remote: any other read (Secret istio-remote-secret-<target>,
   * ServiceAccount istio-reader-service-account).
   */
  type: 'config' | 'remote';
}

/**
 * Every istiod → API server read of the mesh, sorted by reader then target:
 *  - every primary reads every other primary and remote of the mesh (multi-primary reads both ways;
 *    a primary reads its remotes and the remotes of other primaries, to see their endpoints);
 *  - an external control plane reads its config cluster (type config) and every other remote whose
 *    controlPlane it is (type remote), from its external namespace.
 * Clusters with role external are never read: they host a control plane, not mesh workloads.
 * A remote whose controlPlane does not resolve is read by nobody but the primaries (the mesh rules
 * report the broken reference).
 */
export function remoteSecretReads(topology: Topology): ClusterRead[] {
  // Planners ask once per cluster; the relation has |primaries| × |clusters| entries, so compute it
  // once per (frozen) topology.
  const hit = readsCache.get(topology);
  if (hit) return hit;
  const out = Object.freeze(computeReads(topology)) as ClusterRead[];
  readsCache.set(topology, out);
  return out;
}

const readsCache = new WeakMap<Topology, ClusterRead[]>();

function computeReads(topology: Topology): ClusterRead[] {
  const out: ClusterRead[] = [];
  const meshMembers = topology.clusters.filter((c) => c.role !== 'external');
  for (const reader of topology.clusters) {
    if (reader.role === 'primary') {
      for (const target of meshMembers) {
        if (target.name === reader.name) continue;
        out.push(read(reader, reader.istioNamespace, target, 'remote'));
      }
    } else if (reader.role === 'external' && reader.external) {
      const ns = reader.external.namespace;
      for (const target of topology.clusters) {
        if (target.role !== 'remote' || target.controlPlane !== reader.name) continue;
        out.push(read(reader, ns, target, target.name === reader.external.configCluster ? 'config' : 'remote'));
      }
    }
  }
  return out.sort((a, b) => cmp(a.reader, b.reader) || cmp(a.target, b.target));
}

/** A remote and the cluster whose istiod serves it (its controlPlane), for every remote whose controlPlane exists. */
export interface ControlPlaneEdge {
  remote: string;
  controlPlane: string;
  /** How the remote reaches that istiod: the primary's eastWest.address or the external address, or null when unknown. */
  address: string | null;
}

export function controlPlaneEdges(topology: Topology): ControlPlaneEdge[] {
  const byName = new Map(topology.clusters.map((c) => [c.name, c]));
  const out: ControlPlaneEdge[] = [];
  for (const c of topology.clusters) {
    if (c.role !== 'remote' || !c.controlPlane) continue;
    const cp = byName.get(c.controlPlane);
    if (!cp) continue;
    out.push({ remote: c.name, controlPlane: cp.name, address: cp.role === 'external' ? (cp.external?.address ?? null) : cp.eastWestAddress });
  }
  return out.sort((a, b) => cmp(a.remote, b.remote));
}

function read(reader: Cluster, readerNamespace: string, target: Cluster, type: ClusterRead['type']): ClusterRead {
  return { reader: reader.name, readerNamespace, target: target.name, targetNamespace: target.istioNamespace, type };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
