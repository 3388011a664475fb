import type { Diagnostic } from '../../diagnostics.ts';
import type { MeshRule } from './rule.ts';

export const controlPlaneReachable: MeshRule = {
  id: 'MR006',
  name: 'control-plane-reachable',
  explain:
    "A remote reaches its istiod through an address: the east-west gateway address (eastWest.address) of its primary, or the external control plane's external.address. Without it the remote's injection webhook and proxies have nowhere to connect. A primary that serves remotes also keeps its east-west gateway (no eastWest.enabled: false): istiod is exposed there.",
  check(ctx) {
    const byName = new Map(ctx.writtenClusters().map((e) => [e.cluster.name, e]));
    const out: Diagnostic[] = [];
    const reported = new Set<number>();
    for (const { cluster } of ctx.writtenClusters()) {
      if (cluster.role !== 'remote' || !cluster.controlPlane) continue;
      const cp = byName.get(cluster.controlPlane);
      if (!cp || cp.cluster.role !== 'primary' || reported.has(cp.index)) continue;
      reported.add(cp.index);
      if (cp.cluster.eastWest?.enabled === false) {
        out.push(
          ctx.error(
            ctx.clusterPath(cp.index, 'eastWest', 'enabled'),
            `primary ${JSON.stringify(cp.cluster.name)} serves remote ${JSON.stringify(cluster.name)}, which reaches istiod through this cluster's east-west gateway; remove eastWest.enabled: false`,
          ),
        );
      }
      if (cp.cluster.eastWest?.address) continue;
      out.push(
        ctx.error(
          ctx.clusterPath(cp.index, 'name'),
          `primary ${JSON.stringify(cp.cluster.name)} serves remote ${JSON.stringify(cluster.name)} but has no eastWest.address; add eastWest: { address: <IP or DNS name of its east-west gateway> }`,
        ),
      );
    }
    return out;
  },
};
