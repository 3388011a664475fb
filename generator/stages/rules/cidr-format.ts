import type { Diagnostic } from '../../diagnostics.ts';
import { parseCidr } from '../../util/cidr.ts';
import type { MeshRule } from './rule.ts';

export const cidrFormat: MeshRule = {
  id: 'MR015',
  name: 'cidr-format',
  explain:
    'podCIDR and serviceCIDR are one IPv4 or IPv6 CIDR, or one of each separated by a comma (dual-stack), with a prefix length the family allows and no host bits set (10.0.0.0/16, not 10.0.0.1/16), as Kubernetes expects for --cluster-cidr and --service-cluster-ip-range.',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { cluster, index } of ctx.writtenClusters()) {
      for (const key of ['podCIDR', 'serviceCIDR'] as const) {
        const value = cluster[key];
        if (value === undefined) continue;
        const path = ctx.clusterPath(index, key);
        const parts = value.split(',');
        const families = new Set<number>();
        for (const part of parts) {
          const c = parseCidr(part.trim());
          if ('error' in c) {
            out.push(ctx.error(path, `${key} ${JSON.stringify(part.trim())} is not a CIDR: ${c.error}; write it like 10.0.0.0/16 or fd00:10::/56`));
            continue;
          }
          if (c.canonical) out.push(ctx.error(path, `${key} ${c.text} has host bits set; write the range's first address: ${c.canonical}`));
          if (families.has(c.family)) out.push(ctx.error(path, `${key} has two IPv${c.family} ranges; a dual-stack cluster has one IPv4 and one IPv6 range`));
          families.add(c.family);
        }
      }
    }
    return out;
  },
};
