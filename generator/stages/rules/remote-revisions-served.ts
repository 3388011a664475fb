import type { Diagnostic } from '../../diagnostics.ts';
import type { MeshRule } from './rule.ts';

export const remoteRevisionsServed: MeshRule = {
  id: 'MR013',
  name: 'remote-revisions-served',
  explain:
    "Every revision a remote cluster runs is also run by its control plane: the remote's injection webhooks and istiod Service of a revision point at that revision's istiod on the controlPlane cluster, which must exist. A remote runs every revision unless it lists its own revisions.",
  check(ctx) {
    const byName = new Map(ctx.topology.clusters.map((c) => [c.name, c]));
    const out: Diagnostic[] = [];
    for (const { cluster, index } of ctx.writtenClusters()) {
      if (cluster.role !== 'remote' || !cluster.controlPlane) continue;
      const remote = byName.get(cluster.name);
      const cp = byName.get(cluster.controlPlane);
      // Unknown names are reported by control-plane-exists and revisions-known.
      if (!remote || !cp || cp.role === 'remote') continue;
      const runs = new Set(cp.revisions);
      const missing = remote.revisions.filter((r) => !runs.has(r));
      if (missing.length === 0) continue;
      const served = cp.revisions.join(', ') || 'none';
      if (cluster.revisions) {
        cluster.revisions.forEach((r, i) => {
          if (!missing.includes(r)) return;
          out.push(
            ctx.error(
              ctx.clusterPath(index, 'revisions', i),
              `remote ${JSON.stringify(cluster.name)} runs revision ${JSON.stringify(r)}, but its control plane ${JSON.stringify(cp.name)} runs only ${served}; add ${JSON.stringify(r)} to ${cp.name}'s revisions or remove it here`,
            ),
          );
        });
      } else {
        out.push(
          ctx.error(
            ctx.clusterPath(index, 'controlPlane'),
            `remote ${JSON.stringify(cluster.name)} runs every revision, but its control plane ${JSON.stringify(cp.name)} runs only ${served}; give ${cluster.name} revisions: [${cp.revisions.join(', ')}]`,
          ),
        );
      }
    }
    return out;
  },
};
