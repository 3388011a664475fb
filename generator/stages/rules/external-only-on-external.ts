import type { MeshRule } from './rule.ts';

export const externalOnlyOnExternal: MeshRule = {
  id: 'MR005',
  name: 'external-only-on-external',
  explain: 'Only a cluster with role external has an external block; on any other role it would be ignored, which hides a mistake.',
  check(ctx) {
    return ctx
      .writtenClusters()
      .filter(({ cluster }) => cluster.external !== undefined && cluster.role !== 'external')
      .map(({ cluster, index }) =>
        ctx.error(ctx.clusterPath(index, 'external'), `a ${cluster.role} cluster cannot host an external control plane; set role: external or remove this block`),
      );
  },
};
