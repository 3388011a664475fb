import type { Diagnostic } from '../../diagnostics.ts';
import { cidrsOverlap, parseCidr, type Cidr } from '../../util/cidr.ts';
import type { MeshRule } from './rule.ts';

interface Range {
  cidr: Cidr;
  cluster: string;
  index: number;
  key: 'podCIDR' | 'serviceCIDR';
}

export const cidrsDisjoint: MeshRule = {
  id: 'MR016',
  name: 'cidrs-disjoint',
  explain:
    'Clusters on one network reach each other\'s pods directly, so where the topology gives podCIDR and serviceCIDR, no two ranges of clusters on the same network overlap (pod with pod, service with service, pod with service, also within one cluster). Clusters on different networks may reuse ranges: their traffic crosses east-west gateways.',
  check(ctx) {
    const byNetwork = new Map<string, Range[]>();
    for (const { cluster, index } of ctx.writtenClusters()) {
      for (const key of ['podCIDR', 'serviceCIDR'] as const) {
        for (const part of (cluster[key] ?? '').split(',')) {
          if (part.trim() === '') continue;
          const cidr = parseCidr(part.trim());
          // Malformed ranges are reported by cidr-format.
          if ('error' in cidr) continue;
          const list = byNetwork.get(cluster.network) ?? [];
          list.push({ cidr, cluster: cluster.name, index, key });
          byNetwork.set(cluster.network, list);
        }
      }
    }
    const out: Diagnostic[] = [];
    for (const [network, ranges] of byNetwork) {
      ranges.forEach((b, j) => {
        const a = ranges.slice(0, j).find((earlier) => cidrsOverlap(earlier.cidr, b.cidr));
        if (!a) return;
        const other = a.cluster === b.cluster ? `its own ${a.key} ${a.cidr.text}` : `${a.key} ${a.cidr.text} of cluster ${JSON.stringify(a.cluster)}`;
        out.push(
          ctx.error(
            ctx.clusterPath(b.index, b.key),
            `${b.key} ${b.cidr.text} of cluster ${JSON.stringify(b.cluster)} overlaps ${other} on network ${JSON.stringify(network)}; give every cluster of one network its own ranges, or put the clusters on different networks`,
          ),
        );
      });
    }
    return out;
  },
};
