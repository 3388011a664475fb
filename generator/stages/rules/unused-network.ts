import type { MeshRule } from './rule.ts';

export const unusedNetwork: MeshRule = {
  id: 'MR003',
  name: 'unused-network',
  explain: 'Warns about a network in spec.networks that no cluster is on; it is usually a typo or a leftover.',
  check(ctx) {
    const used = new Set(ctx.written.spec.clusters.map((c) => c.network));
    return ctx.topology.networks
      .filter((n) => !used.has(n))
      .map((n) => ctx.warningAtKey(['spec', 'networks', n], `network ${JSON.stringify(n)} has no cluster; remove it or put a cluster on it`));
  },
};
