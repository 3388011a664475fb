/**
 * A realistic fleet topology for benchmarks: several networks with a few primaries each, the rest
 * remotes served by a primary of their network, two revisions of different Istio minors with tags,
 * east-west gateways (multi-network), remote secrets from External Secrets, Argo CD and Flux entry
 * points. Deterministic for a given size.
 */
import { stringify } from 'yaml';

export interface FleetOptions {
  clusters: number;
  /** Clusters per network (default 50). */
  perNetwork?: number;
  /** Primaries per network (default 2). */
  primariesPerNetwork?: number;
}

export function fleetTopology(opts: FleetOptions): Record<string, unknown> {
  const perNetwork = opts.perNetwork ?? 50;
  const primariesPerNetwork = opts.primariesPerNetwork ?? 2;
  const networks = Math.max(1, Math.ceil(opts.clusters / perNetwork));
  const clusters: Record<string, unknown>[] = [];
  for (let i = 0; i < opts.clusters; i++) {
    const net = Math.floor(i / perNetwork);
    const inNet = i % perNetwork;
    const network = `network${net + 1}`;
    const apiServer = `https://c${i + 1}.k8s.example.com:6443`;
    if (inNet < primariesPerNetwork || i < primariesPerNetwork) {
      clusters.push({
        name: clusterName(i),
        role: 'primary',
        network,
        apiServer,
        eastWest: { address: `10.${net}.${inNet}.10` },
      });
    } else {
      const primaryIndex = net * perNetwork + (inNet % primariesPerNetwork);
      clusters.push({ name: clusterName(i), role: 'remote', network, controlPlane: clusterName(primaryIndex), apiServer });
    }
  }
  return {
    apiVersion: 'meshrender.dev/v1alpha1',
    kind: 'MeshTopology',
    metadata: { name: `fleet-${opts.clusters}` },
    spec: {
      mesh: { id: 'fleet' },
      istio: {
        revisions: [
          { name: '1-29-6', version: '1.29.6' },
          { name: '1-30-3', version: '1.30.3' },
        ],
        tags: { default: '1-29-6', stable: '1-29-6', canary: '1-30-3' },
      },
      networks: Object.fromEntries(Array.from({ length: networks }, (_, n) => [`network${n + 1}`, {}])),
      clusters,
      remoteSecrets: { provider: 'external-secrets', store: { name: 'fleet-secrets', kind: 'ClusterSecretStore' } },
      gitops: { repoURL: 'https://git.example.com/platform/fleet.git', argocd: { enabled: true }, flux: { enabled: true, sourceRef: { name: 'fleet' } } },
    },
  };
}

export function clusterName(i: number): string {
  return `c${String(i + 1).padStart(4, '0')}`;
}

export function fleetYaml(opts: FleetOptions): string {
  return stringify(fleetTopology(opts), { lineWidth: 0 });
}
