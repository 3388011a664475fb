import { didYouMean } from '../../util/did-you-mean.ts';
import type { MeshRule } from './rule.ts';

export const knownNetwork: MeshRule = {
  id: 'MR002',
  name: 'known-network',
  explain:
    "Every cluster's network is one of spec.networks. The network name becomes the topology.istio.io/network label and the injection path; a typo would silently split the mesh.",
  check(ctx) {
    const networks = ctx.topology.networks;
    return ctx
      .writtenClusters()
      .filter(({ cluster }) => !networks.includes(cluster.network))
      .map(({ cluster, index }) => {
        const guess = didYouMean(cluster.network, networks);
        return ctx.error(
          ctx.clusterPath(index, 'network'),
          `network ${JSON.stringify(cluster.network)} is not in spec.networks (${networks.join(', ')})${guess ? `; did you mean ${JSON.stringify(guess)}?` : '; add it there or fix the name'}`,
        );
      });
  },
};
