/**
 * CIDR arithmetic for the address-range rules: parse IPv4 and IPv6 CIDRs exactly (node:net decides
 * what an address is) and tell whether two ranges overlap.
 */
import { isIP } from 'node:net';

export interface Cidr {
  /** As written. */
  text: string;
  family: 4 | 6;
  prefix: number;
  /** The first address of the range, as a number of 32 or 128 bits. */
  start: bigint;
  /** The range with the host bits cleared, when the written address has host bits set (else null). */
  canonical: string | null;
}

/** Parses one CIDR, or returns why it is not one. */
export function parseCidr(text: string): Cidr | { error: string } {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return { error: 'has no /prefix length' };
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family = isIP(address);
  if (family !== 4 && family !== 6) return { error: `${JSON.stringify(address)} is not an IPv4 or IPv6 address` };
  const bits = family === 4 ? 32 : 128;
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > bits) return { error: `the prefix length must be 0 to ${bits}` };
  const prefix = Number(prefixText);
  const value = family === 4 ? ipv4Value(address) : ipv6Value(address);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const start = value & ~hostMask & ((1n << BigInt(bits)) - 1n);
  const canonical = start === value ? null : `${family === 4 ? formatIpv4(start) : formatIpv6(start)}/${prefix}`;
  return { text, family, prefix, start, canonical };
}

/** Whether two ranges share an address (never across IP families). */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const bits = a.family === 4 ? 32 : 128;
  const shorter = Math.min(a.prefix, b.prefix);
  const shift = BigInt(bits - shorter);
  return a.start >> shift === b.start >> shift;
}

function ipv4Value(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(address: string): bigint {
  let text = address;
  // A trailing dotted IPv4 part (::ffff:10.0.0.1) stands for the last two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4Value(v4[1]!);
    text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatIpv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}

function formatIpv6(v: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  // Compress the longest run of two or more zero groups, as RFC 5952 does.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
