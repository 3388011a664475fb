import type { Diagnostic } from '../../diagnostics.ts';
import { didYouMean } from '../../util/did-you-mean.ts';
import type { MeshRule } from './rule.ts';

export const controlPlaneExists: MeshRule = {
  id: 'MR004',
  name: 'control-plane-exists',
  explain:
    "A remote cluster's controlPlane names a cluster of the mesh whose role is primary or external. Only remotes have a controlPlane: primaries and external clusters run their own istiod.",
  check(ctx) {
    const byName = new Map(ctx.written.spec.clusters.map((c) => [c.name, c]));
    const names = [...byName.keys()];
    const out: Diagnostic[] = [];
    for (const { cluster, index } of ctx.writtenClusters()) {
      if (cluster.controlPlane === undefined) continue;
      const path = ctx.clusterPath(index, 'controlPlane');
      if (cluster.role !== 'remote') {
        out.push(ctx.error(path, `only a remote cluster has a controlPlane; a ${cluster.role} cluster runs its own istiod, so remove controlPlane`));
        continue;
      }
      const target = byName.get(cluster.controlPlane);
      if (!target) {
        const guess = didYouMean(cluster.controlPlane, names);
        out.push(
          ctx.error(
            path,
            `controlPlane ${JSON.stringify(cluster.controlPlane)} is not a cluster of this mesh${guess ? `; did you mean ${JSON.stringify(guess)}?` : `; name a primary or external cluster`}`,
          ),
        );
      } else if (target.role === 'remote') {
        out.push(ctx.error(path, `controlPlane ${JSON.stringify(cluster.controlPlane)} is a remote cluster; a remote must be served by a primary or external cluster`));
      }
    }
    return out;
  },
};
