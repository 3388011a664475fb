import type { Diagnostic } from '../../diagnostics.ts';
import type { MeshRule } from './rule.ts';

export const eastWestPerNetwork: MeshRule = {
  id: 'MR017',
  name: 'east-west-per-network',
  explain:
    'In a mesh that spans several networks, every network with primary or remote clusters has at least one east-west gateway: traffic from other networks enters a network only through one. Clusters get an east-west gateway by default in a multi-network mesh; eastWest.enabled: false switches one off.',
  check(ctx) {
    if (!ctx.topology.multiNetwork) return [];
    const out: Diagnostic[] = [];
    // Clusters on networks missing from spec.networks are reported by known-network.
    for (const network of ctx.topology.networks) {
      const members = ctx.topology.clusters.filter((c) => c.network === network && c.role !== 'external');
      if (members.length === 0 || members.some((c) => c.eastWestGateway)) continue;
      const names = members.map((c) => c.name).join(', ');
      const msg = `network ${JSON.stringify(network)} has no east-west gateway, so other networks cannot reach its pods; remove eastWest.enabled: false from one of its clusters (${names})`;
      // Point at each switch that turned a gateway off; without any, at the network.
      const switches = ctx.writtenClusters().filter(({ cluster }) => cluster.network === network && cluster.role !== 'external' && cluster.eastWest?.enabled === false);
      if (switches.length === 0) out.push(ctx.errorAtKey(['spec', 'networks', network], msg));
      for (const { index } of switches) out.push(ctx.error(ctx.clusterPath(index, 'eastWest', 'enabled'), msg));
    }
    return out;
  },
};
