/**
 * The topology picture as data: Topology → MeshPicture (pure).
 * Clusters grouped by network, each with its role, revisions and gateways; control-plane edges
 * (remote → the cluster whose istiod serves it) and remote-secret edges (istiod → the cluster whose
 * API server it reads, from remoteSecretReads). mermaid.ts and dot.ts only lay this out, so the
 * README diagram and `meshrender graph` always show the same picture.
 */
import { controlPlaneEdges, remoteSecretReads, type ClusterRead } from '../components/mesh-graph.ts';
import type { Cluster, ClusterRole, Topology } from '../types.ts';

/**
 * Above this many primary → cluster reads, they are drawn through one "every primary reads every
 * other cluster" node instead of one edge each: twenty primaries would otherwise need 380 edges.
 */
export const MAX_DIRECT_PRIMARY_READS = 6;

export interface PictureGateway {
  id: string;
  kind: 'east-west' | 'istiod-ingress';
  /** What it is, e.g. "east-west gateway". */
  title: string;
  /** The address other clusters reach it at, where the topology gives one. */
  address: string | null;
}

export interface PictureCluster {
  id: string;
  name: string;
  role: ClusterRole;
  /** Lines under the name: role, revisions, the external control plane. */
  lines: string[];
  gateways: PictureGateway[];
}

export interface PictureNetwork {
  id: string;
  name: string;
  clusters: PictureCluster[];
}

export interface PictureEdge {
  from: string;
  to: string;
  kind: 'control-plane' | 'reads' | 'reads-config';
  label: string | null;
}

export interface MeshPicture {
  title: string;
  /** One line per revision of the mesh: name, Istio version, tags. */
  revisions: string[];
  networks: PictureNetwork[];
  /** The node that stands for "every primary reads every other cluster", when reads are folded into it. */
  readsHub: { id: string; lines: string[] } | null;
  edges: PictureEdge[];
  /** One line per kind of edge and node used, for a legend. */
  legend: string[];
}

/** A node ID for Mermaid and DOT: only [A-Za-z0-9_], distinct for distinct names (other characters become _xx). */
export function nodeId(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, (ch) => `_${ch.codePointAt(0)!.toString(16)}`)}`;
}

export function buildPicture(topology: Topology): MeshPicture {
  const versions = new Map(topology.istio.revisions.map((r) => [r.name, r.version]));
  const tagsOf = (rev: string) => topology.istio.tags.filter((t) => t.revision === rev).map((t) => t.name);
  const configOf = new Map(topology.clusters.filter((c) => c.external).map((c) => [c.external!.configCluster, c.name]));
  const clusterId = (name: string) => nodeId('c', name);

  const pictureCluster = (c: Cluster): PictureCluster => {
    const lines = [roleLine(c, configOf.get(c.name) ?? null)];
    if (c.revisions.length > 0) lines.push(c.revisions.map((r) => `${r} (${versions.get(r) ?? '?'})`).join(', '));
    const gateways: PictureGateway[] = [];
    if (c.eastWestGateway) gateways.push({ id: nodeId('ew', c.name), kind: 'east-west', title: 'east-west gateway', address: c.eastWestAddress });
    if (c.external) gateways.push({ id: nodeId('ig', c.name), kind: 'istiod-ingress', title: 'istiod ingress gateway', address: c.external.address });
    return { id: clusterId(c.name), name: c.name, role: c.role, lines, gateways };
  };

  // Networks as spec.networks lists them, then any a cluster names that is not there (a rule reports it).
  const networkNames = [...new Set([...topology.networks, ...topology.clusters.map((c) => c.network)])];
  const networks = networkNames
    .map((n) => ({ id: nodeId('net', n), name: n, clusters: topology.clusters.filter((c) => c.network === n).map(pictureCluster) }))
    .filter((n) => n.clusters.length > 0);

  const edges: PictureEdge[] = [];
  // Labelled while few; in a fleet the legend says what a solid arrow is.
  const served = controlPlaneEdges(topology);
  for (const e of served) edges.push({ from: clusterId(e.remote), to: clusterId(e.controlPlane), kind: 'control-plane', label: served.length <= 4 ? 'control plane' : null });

  const reads = remoteSecretReads(topology);
  const roleOf = new Map(topology.clusters.map((c) => [c.name, c.role]));
  const primaryReads = reads.filter((r) => roleOf.get(r.reader) === 'primary');
  const folded = primaryReads.length > MAX_DIRECT_PRIMARY_READS;
  let readsHub: MeshPicture['readsHub'] = null;
  if (folded) {
    // Each primary points at one node that stands for all its reads; the README table lists the pairs.
    const targets = new Set(primaryReads.map((r) => r.target)).size;
    readsHub = { id: 'remote_secrets', lines: ['remote secrets:', 'every primary reads the API server', `of every other primary and remote (${targets} clusters)`] };
    const readers = [...new Set(primaryReads.map((r) => r.reader))];
    for (const r of readers) edges.push({ from: clusterId(r), to: readsHub.id, kind: 'reads', label: null });
  }
  for (const r of reads) {
    if (folded && roleOf.get(r.reader) === 'primary') continue;
    edges.push(readEdge(r, clusterId));
  }

  const used = new Set(edges.map((e) => e.kind));
  const legend = [
    'box: a cluster (blue primary, amber remote, violet external control plane) with its revisions, grouped by network',
    ...(networks.some((n) => n.clusters.some((c) => c.gateways.length > 0)) ? ['⇄ row: a gateway of the cluster, with the address other clusters reach it at where the topology gives one'] : []),
    ...(used.has('control-plane') ? ['solid arrow: a remote and the cluster whose istiod serves it'] : []),
    ...(used.has('reads') || used.has('reads-config')
      ? [`dashed arrow: an istiod reads that cluster's API server through a remote secret${used.has('reads-config') ? ' ("config": the config cluster of an external control plane)' : ''}`]
      : []),
  ];
  const revisions = topology.istio.revisions.map((r) => revisionLine(r.name, r.version, tagsOf(r.name)));
  return { title: `mesh ${topology.name} (mesh ID ${topology.mesh.id})`, revisions, networks, readsHub, edges, legend };
}

function readEdge(r: ClusterRead, id: (name: string) => string): PictureEdge {
  return { from: id(r.reader), to: id(r.target), kind: r.type === 'config' ? 'reads-config' : 'reads', label: r.type === 'config' ? 'config' : null };
}

function roleLine(c: Cluster, configFor: string | null): string {
  if (c.role === 'primary') return 'primary';
  if (c.role === 'external') return `external control plane (istiod in ${c.external?.namespace ?? '?'})`;
  if (configFor) return `remote, config cluster of ${configFor}`;
  return c.controlPlane ? `remote of ${c.controlPlane}` : 'remote';
}

/** "canary · Istio 1.30.3 · tag prod" */
export function revisionLine(revision: string, version: string, tags: readonly string[]): string {
  const t = tags.length === 0 ? '' : ` · tag${tags.length > 1 ? 's' : ''} ${tags.join(', ')}`;
  return `${revision} · Istio ${version}${t}`;
}
