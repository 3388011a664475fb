/** The finer points of the mesh rules beyond the one failing case per rule in rules.test.ts. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { MeshrenderError } from '../../generator/errors.ts';
import { checkAndLoad } from '../../generator/pipeline.ts';
import { resolveModel } from '../../generator/stages/resolve.ts';
import { checkMeshRules } from '../../generator/stages/rules/index.ts';
import { cidrsOverlap, parseCidr, type Cidr } from '../../generator/util/cidr.ts';
import { tempDir, toYaml, topologyDoc, topologyFile, writtenFrom, type ClusterInput } from '../support/builders.ts';

function findingsOf(text: string): string[] {
  const written = writtenFrom(text, 't.yaml');
  return checkMeshRules(resolveModel(written), written).map(formatDiagnostic);
}
const findings = (doc: unknown) => findingsOf(toYaml(doc));
const only = (id: string, lines: string[]) => lines.filter((l) => l.endsWith(`[${id}]`));

const primary = (name: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'primary', network: 'n1', ...extra });
const remote = (name: string, cp: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'remote', network: 'n1', controlPlane: cp, ...extra });
const REVS = [
  { name: 'stable', version: '1.29.6' },
  { name: 'canary', version: '1.30.3' },
];

describe('cidr', () => {
  const cidr = (s: string) => parseCidr(s) as Cidr;
  it.each([
    ['10.0.0.0/8', '10.255.0.0/16', true],
    ['10.0.0.0/16', '10.1.0.0/16', false],
    ['fd00::/8', 'fd00:10::/56', true],
    ['fd00:10::/56', 'fd00:11::/56', false],
    ['10.0.0.0/8', 'fd00::/8', false],
    ['0.0.0.0/0', '192.168.1.0/24', true],
    ['::ffff:10.0.0.0/104', '::ffff:10.1.0.0/112', true],
  ])('%s and %s overlap: %s', (a, b, expected) => {
    expect(cidrsOverlap(cidr(a), cidr(b))).toBe(expected);
    expect(cidrsOverlap(cidr(b), cidr(a))).toBe(expected);
  });

  it.each([
    ['10.0.0.0/33', 'the prefix length must be 0 to 32'],
    ['10.0.0/8', '"10.0.0" is not an IPv4 or IPv6 address'],
    ['fd00::/129', 'the prefix length must be 0 to 128'],
    ['10.0.0.0', 'has no /prefix length'],
  ])('refuses %s: %s', (text, error) => {
    expect(parseCidr(text)).toEqual({ error });
  });

  it('names the canonical range of an address with host bits set', () => {
    expect(cidr('10.0.0.1/16').canonical).toBe('10.0.0.0/16');
    expect(cidr('fd00:10::1/56').canonical).toBe('fd00:10::/56');
    expect(cidr('10.0.0.0/16').canonical).toBeNull();
  });
});

describe('rule details', () => {
  it('no-control-characters: finds escapes in keys and values that the byte check cannot see', () => {
    const text = toYaml(topologyDoc({ clusters: [primary('a')] }));
    const withEscapes = text.replace('      network: n1\n', '      network: n1\n      istiod:\n        meshConfig:\n          "k\\u0085": 1\n          note: "tab\\tok, bell\\a not"\n');
    expect(withEscapes).not.toBe(text);
    expect(only('MR011', findingsOf(withEscapes)).map((l) => l.replace(/^t\.yaml:\d+:\d+: /, ''))).toEqual([
      'error: a key in spec.clusters[0].istiod.meshConfig contains the control character U+0085 (written as an escape); remove it [MR011]',
      'error: spec.clusters[0].istiod.meshConfig.note contains the control character U+0007 (written as an escape); remove it [MR011]',
    ]);
  });

  it('remote-revisions-served: a remote that runs every revision by default points at its controlPlane', () => {
    const out = findings(topologyDoc({ clusters: [primary('a', { revisions: ['stable'], eastWest: { address: '10.0.0.1' } }), remote('b', 'a')], istio: { revisions: REVS } }));
    expect(only('MR013', out)).toEqual([
      't.yaml:27:21: error: remote "b" runs every revision, but its control plane "a" runs only stable; give b revisions: [stable] [MR013]',
    ]);
  });

  it('tag-revision-runs: warns where the default tag\'s revision does not run', () => {
    const out = findings(
      topologyDoc({
        clusters: [primary('a', { revisions: ['stable', 'canary'] }), primary('b', { revisions: ['canary'] })],
        istio: { revisions: REVS, tags: { default: 'stable' } },
      }),
    );
    expect(only('MR014', out).map((l) => l.replace(/^t\.yaml:\d+:\d+: /, ''))).toEqual([
      'warning: cluster "b" does not run revision "stable" of the "default" tag, so there no webhook injects istio-injection=enabled namespaces; add stable to b\'s revisions if that is not what you want [MR014]',
    ]);
  });

  it('cidrs-disjoint: clusters on different networks may reuse ranges; a cluster may not overlap itself', () => {
    const clean = findings(topologyDoc({ clusters: [primary('a', { podCIDR: '10.0.0.0/16', eastWest: { address: '1.1.1.1' } }), primary('b', { network: 'n2', podCIDR: '10.0.0.0/16', eastWest: { address: '2.2.2.2' } })] }));
    expect(clean).toEqual([]);
    const self = findings(topologyDoc({ clusters: [primary('a', { podCIDR: '10.0.0.0/16,fd00::/56', serviceCIDR: 'fd00::/108' })] }));
    expect(only('MR016', self).map((l) => l.replace(/^t\.yaml:\d+:\d+: /, ''))).toEqual([
      'error: serviceCIDR fd00::/108 of cluster "a" overlaps its own podCIDR fd00::/56 on network "n1"; give every cluster of one network its own ranges, or put the clusters on different networks [MR016]',
    ]);
  });

  it('cidr-format: a dual-stack pair is one range per family', () => {
    expect(findings(topologyDoc({ clusters: [primary('a', { podCIDR: '10.0.0.0/16,fd00::/56' })] }))).toEqual([]);
    expect(only('MR015', findings(topologyDoc({ clusters: [primary('a', { serviceCIDR: '10.0.0.0/16,10.1.0.0/16' })] }))).map((l) => l.replace(/^t\.yaml:\d+:\d+: /, ''))).toEqual([
      'error: serviceCIDR has two IPv4 ranges; a dual-stack cluster has one IPv4 and one IPv6 range [MR015]',
    ]);
  });

  it('the schema refuses what is not shaped like a CIDR before the rules run', () => {
    expect(() => writtenFrom(toYaml(topologyDoc({ clusters: [primary('a', { podCIDR: '10.0.0.0' })] })), 't.yaml')).toThrow(MeshrenderError);
  });

  it('unique-addresses: an east-west address shared across networks is an error, within one network it is not', () => {
    const same = findings(topologyDoc({ clusters: [primary('a', { eastWest: { address: '1.1.1.1' } }), primary('b', { eastWest: { address: '1.1.1.1' } })] }));
    expect(only('MR019', same)).toEqual([]);
    const across = findings(topologyDoc({ clusters: [primary('a', { eastWest: { address: '1.1.1.1' } }), primary('b', { network: 'n2', eastWest: { address: '1.1.1.1' } })] }));
    expect(only('MR019', across).map((l) => l.replace(/^t\.yaml:\d+:\d+: /, ''))).toEqual([
      'error: address 1.1.1.1 is also used by spec.clusters[0] on network "n1"; a gateway serves one network, so give this cluster its own address [MR019]',
    ]);
  });

  it('gateway-names: replacing the generated east-west gateway by name is allowed', () => {
    expect(findings(topologyDoc({ clusters: [primary('a', { gateways: [{ name: 'istio-eastwestgateway' }, { name: 'istiod', namespace: 'apps' }] })] }))).toEqual([]);
    expect(only('MR018', findings(topologyDoc({ clusters: [primary('a', { gateways: [{ name: 'istiod' }] })] }))).map((l) => l.replace(/^t\.yaml:\d+:\d+: /, ''))).toEqual([
      'error: gateway "istiod" would overwrite istio objects of the same name in namespace istio-system; rename the gateway or move it to another namespace [MR018]',
    ]);
  });

  it('east-west-per-network: a network with only an external control-plane cluster needs no east-west gateway', () => {
    const doc = topologyDoc({
      clusters: [
        { name: 'x', role: 'external', network: 'hub', external: { address: 'istiod.example.com', configCluster: 'cfg' } },
        remote('cfg', 'x'),
      ],
    });
    expect(only('MR017', findings(doc))).toEqual([]);
  });
});

describe('istio-release-available (MR012)', () => {
  it('points a missing release at the version of the revision that needs it', async () => {
    const dist = tempDir();
    mkdirSync(join(dist, 'istio-1.29.6'));
    const file = topologyFile(topologyDoc({ clusters: [primary('a')], istio: { revisions: REVS } }));
    const offline = process.env.MESHRENDER_OFFLINE;
    process.env.MESHRENDER_OFFLINE = '1';
    const err = await checkAndLoad([file], dist)
      .then(
        () => null,
        (e: unknown) => e,
      )
      .finally(() => {
        if (offline === undefined) delete process.env.MESHRENDER_OFFLINE;
        else process.env.MESHRENDER_OFFLINE = offline;
      });
    expect(err).toBeInstanceOf(MeshrenderError);
    const lines = (err as MeshrenderError).diagnostics.map(formatDiagnostic).map((l) => l.replace(file, 't.yaml'));
    // The wording belongs to the release loader; the rule adds the position (the version's value) and the ID.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^t\.yaml:11:18: error: .*Istio 1\.29\.6 .*\[MR012\]$/);
    expect(lines[1]).toMatch(/^t\.yaml:13:18: error: .*Istio 1\.30\.3 .*\[MR012\]$/);
  });
});
