import type { Diagnostic } from '../../diagnostics.ts';
import type { MeshRule } from './rule.ts';

export const externalConfigCluster: MeshRule = {
  id: 'MR010',
  name: 'external-config-cluster',
  explain:
    "An external control plane's configCluster is a remote cluster of the mesh whose controlPlane is that external cluster: its API server holds the mesh configuration the external istiod reads.",
  check(ctx) {
    const byName = new Map(ctx.written.spec.clusters.map((c) => [c.name, c]));
    const out: Diagnostic[] = [];
    for (const { cluster, index } of ctx.writtenClusters()) {
      if (cluster.role !== 'external' || !cluster.external) continue;
      const name = cluster.external.configCluster;
      const cfg = byName.get(name);
      const path = ctx.clusterPath(index, 'external', 'configCluster');
      if (!cfg) out.push(ctx.error(path, `configCluster ${JSON.stringify(name)} is not a cluster of this mesh; name the remote that holds the mesh configuration`));
      else if (cfg.role !== 'remote' || cfg.controlPlane !== cluster.name)
        out.push(ctx.error(path, `configCluster ${JSON.stringify(name)} must be a remote with controlPlane: ${cluster.name}`));
    }
    return out;
  },
};
