import type { Diagnostic } from '../../diagnostics.ts';
import type { MeshRule } from './rule.ts';

export const uniqueClusterNames: MeshRule = {
  id: 'MR001',
  name: 'unique-cluster-names',
  explain:
    'Every cluster name is unique in the mesh. The name is the Istio cluster ID and the output directory, so two clusters with one name would overwrite each other and confuse every istiod.',
  check(ctx) {
    const first = new Map<string, number>();
    const out: Diagnostic[] = [];
    for (const { cluster, index } of ctx.writtenClusters()) {
      const earlier = first.get(cluster.name);
      if (earlier === undefined) first.set(cluster.name, index);
      else
        out.push(
          ctx.error(
            ctx.clusterPath(index, 'name'),
            `cluster name ${JSON.stringify(cluster.name)} is already used by spec.clusters[${earlier}]; give each cluster its own name`,
          ),
        );
    }
    return out;
  },
};
