/**
 * Namespaces: no chart renders them (facts §1.5, §2.8), yet istiod reads the system namespace's
 * topology.istio.io/network label, and an istiod manages a remote only when the remote's system
 * namespace lists its cluster ID in topology.istio.io/controlPlaneClusters. Declared gateways in a
 * namespace of their own get that Namespace too.
 */
import { ANNOTATION_CONTROL_PLANE_CLUSTERS, LABEL_NETWORK } from '../k8s/names.ts';
import type { Cluster, Topology } from '../types.ts';
import type { ComponentPlanner } from './component.ts';

export interface NamespaceSpec {
  name: string;
  labels: Record<string, string> | null;
  annotations: Record<string, string> | null;
}

export const planNamespaces: ComponentPlanner = ({ topology, cluster }) => [
  {
    component: 'namespace',
    layer: 'namespaces',
    unit: 'namespaces',
    revision: null,
    context: { mesh: topology.mesh, cluster: { name: cluster.name }, namespaces: clusterNamespaces(topology, cluster) },
  },
];

export function clusterNamespaces(topology: Topology, cluster: Cluster): NamespaceSpec[] {
  const system: NamespaceSpec = {
    name: cluster.istioNamespace,
    labels: { [LABEL_NETWORK]: cluster.network },
    annotations: null,
  };
  const servedBy = controlPlaneClusterId(topology, cluster);
  if (servedBy) system.annotations = { [ANNOTATION_CONTROL_PLANE_CLUSTERS]: servedBy };
  const out = [system];
  if (cluster.external && cluster.external.namespace !== cluster.istioNamespace) {
    // The external istiod's own cluster is the config cluster, so this namespace carries no topology labels.
    out.push({ name: cluster.external.namespace, labels: null, annotations: null });
  }
  // Declared gateways may live in namespaces of their own (istio-ingress, ...): Helm needs them to exist.
  // Their pods are injected through pod labels, so these namespaces need no labels.
  for (const ns of new Set(cluster.gateways.map((g) => g.namespace))) {
    if (!out.some((n) => n.name === ns)) out.push({ name: ns, labels: null, annotations: null });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * The cluster ID of the istiod that manages a remote: the primary's name, or for an external control
 * plane the ID that external istiod runs with, which is its config cluster's name (seed 002).
 */
export function controlPlaneClusterId(topology: Topology, cluster: Cluster): string | null {
  if (cluster.role !== 'remote' || !cluster.controlPlane) return null;
  const cp = topology.clusters.find((c) => c.name === cluster.controlPlane);
  if (!cp) return null;
  return cp.role === 'external' && cp.external ? cp.external.configCluster : cp.name;
}
