import type { Diagnostic } from '../../diagnostics.ts';
import { isIP } from 'node:net';
import type { MeshRule } from './rule.ts';

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** How an address is used: IP literals get an EndpointSlice, DNS names an ExternalName Service. */
export function addressKind(address: string): 'ipv4' | 'ipv6' | 'dns' | null {
  const ip = isIP(address);
  if (ip === 4) return 'ipv4';
  if (ip === 6) return 'ipv6';
  return DNS_NAME.test(address) ? 'dns' : null;
}

export const addressFormat: MeshRule = {
  id: 'MR007',
  name: 'address-format',
  explain:
    'eastWest.address and external.address are an IPv4 address, an IPv6 address or a lowercase DNS name, without scheme or port: IP addresses become EndpointSlices, DNS names ExternalName Services.',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { cluster, index } of ctx.writtenClusters()) {
      const fields: [string, string, string | undefined][] = [
        ['eastWest', 'address', cluster.eastWest?.address],
        ['external', 'address', cluster.external?.address],
      ];
      for (const [block, key, value] of fields) {
        if (value === undefined || addressKind(value) !== null) continue;
        out.push(
          ctx.error(
            ctx.clusterPath(index, block, key),
            `${JSON.stringify(value)} is not an IPv4 address, an IPv6 address or a DNS name; write just the host, such as 34.75.71.237 or istiod.example.com`,
          ),
        );
      }
    }
    return out;
  },
};
