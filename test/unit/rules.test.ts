import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { resolveModel } from '../../generator/stages/resolve.ts';
import { checkMeshRules, findRule, MESH_RULES } from '../../generator/stages/rules/index.ts';
import { toYaml, topologyDoc, writtenFrom, type ClusterInput } from '../support/builders.ts';

function findings(doc: unknown): string[] {
  const written = writtenFrom(toYaml(doc), 't.yaml');
  return checkMeshRules(resolveModel(written), written).map(formatDiagnostic);
}

/** The text at a diagnostic's line:col in the YAML of `doc`, to prove it points at the user's key. */
function textAt(doc: unknown, line: string): string {
  const [, l, c] = /^t\.yaml:(\d+):(\d+):/.exec(line)!;
  return toYaml(doc).split('\n')[Number(l) - 1]!.slice(Number(c) - 1);
}

const primary = (name: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'primary', network: 'n1', ...extra });
const remote = (name: string, cp: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'remote', network: 'n1', controlPlane: cp, ...extra });
const REVS = [
  { name: 'stable', version: '1.29.6' },
  { name: 'canary', version: '1.30.3' },
];
/** The topology with remote secrets from an External Secrets store (rule MR020 applies only then). */
const withRemoteSecrets = (doc: ReturnType<typeof topologyDoc>) => ({ ...doc, spec: { ...doc.spec, remoteSecrets: { provider: 'external-secrets', store: { name: 'mesh-secrets' } } } });
const external = (name: string, configCluster: string, extra: Record<string, unknown> = { tlsSecret: 'istiod-tls' }): ClusterInput => ({ name, role: 'external', network: 'n1', external: { address: 'istiod.example.com', configCluster, ...extra } });

// One failing topology per rule: [rule id, topology, exact message, the text the position must point at].
const CASES: [string, unknown, string, string][] = [
  ['MR001', topologyDoc({ clusters: [primary('a'), primary('a')] }), 'error: cluster name "a" is already used by spec.clusters[0]; give each cluster its own name [MR001]', 'a'],
  ['MR002', topologyDoc({ clusters: [primary('a', { network: 'n2' })], networks: ['n1'] }), 'error: network "n2" is not in spec.networks (n1); did you mean "n1"? [MR002]', 'n2'],
  ['MR003', topologyDoc({ clusters: [primary('a')], networks: ['n1', 'spare'] }), 'warning: network "spare" has no cluster; remove it or put a cluster on it [MR003]', 'spare'],
  ['MR004', topologyDoc({ clusters: [primary('a'), remote('b', 'c')] }), 'error: controlPlane "c" is not a cluster of this mesh; did you mean "a"? [MR004]', 'c'],
  ['MR005', topologyDoc({ clusters: [primary('a', { external: { address: 'x.example.com', configCluster: 'a' } })] }), 'error: a primary cluster cannot host an external control plane; set role: external or remove this block [MR005]', 'address'],
  ['MR006', topologyDoc({ clusters: [primary('a'), remote('b', 'a')] }), 'error: primary "a" serves remote "b" but has no eastWest.address; add eastWest: { address: <IP or DNS name of its east-west gateway> } [MR006]', 'a'],
  ['MR007', topologyDoc({ clusters: [primary('a', { eastWest: { address: 'Not A Host' } })] }), 'error: "Not A Host" is not an IPv4 address, an IPv6 address or a DNS name; write just the host, such as 34.75.71.237 or istiod.example.com [MR007]', 'Not A Host'],
  ['MR008', topologyDoc({ clusters: [primary('a', { revisions: ['defualt'] })] }), 'error: revision "defualt" is not in spec.istio.revisions (default); did you mean "default"? [MR008]', 'defualt'],
  ['MR009', topologyDoc({ clusters: [primary('a')], istio: { tags: { prod: 'nope' } } }), 'error: tag "prod" points at revision "nope", which is not in spec.istio.revisions (default) [MR009]', 'nope'],
  ['MR010', topologyDoc({ clusters: [external('x', 'cfg'), primary('cfg')] }), 'error: configCluster "cfg" must be a remote with controlPlane: x [MR010]', 'cfg'],
  [
    'MR006',
    topologyDoc({ clusters: [primary('a', { eastWest: { address: '10.0.0.1', enabled: false } }), remote('b', 'a')] }),
    'error: primary "a" serves remote "b", which reaches istiod through this cluster\'s east-west gateway; remove eastWest.enabled: false [MR006]',
    'false',
  ],
  [
    'MR011',
    topologyDoc({ clusters: [primary('a', { istiod: { meshConfig: { defaultConfig: { image: 'a\u0007b' } } } })] }),
    'error: spec.clusters[0].istiod.meshConfig.defaultConfig.image contains the control character U+0007 (written as an escape); remove it [MR011]',
    'a\\\\a',
  ],
  [
    'MR013',
    topologyDoc({ clusters: [primary('a', { revisions: ['stable'], eastWest: { address: '10.0.0.1' } }), remote('b', 'a', { revisions: ['canary'] })], istio: { revisions: REVS } }),
    'error: remote "b" runs revision "canary", but its control plane "a" runs only stable; add "canary" to a\'s revisions or remove it here [MR013]',
    'canary',
  ],
  [
    'MR014',
    topologyDoc({ clusters: [primary('a', { revisions: ['stable'] })], istio: { revisions: REVS, tags: { prod: 'canary' } } }),
    'error: tag "prod" points at revision "canary", which no cluster runs, so the tag would be rendered nowhere; add canary to a cluster\'s revisions or point the tag at a revision in use [MR014]',
    'canary',
  ],
  [
    'MR015',
    topologyDoc({ clusters: [primary('a', { podCIDR: '10.0.0.1/16' })] }),
    'error: podCIDR 10.0.0.1/16 has host bits set; write the range\'s first address: 10.0.0.0/16 [MR015]',
    '10.0.0.1/16',
  ],
  [
    'MR016',
    topologyDoc({ clusters: [primary('a', { podCIDR: '10.0.0.0/16' }), primary('b', { podCIDR: '10.1.0.0/16', serviceCIDR: '10.0.128.0/20' })] }),
    'error: serviceCIDR 10.0.128.0/20 of cluster "b" overlaps podCIDR 10.0.0.0/16 of cluster "a" on network "n1"; give every cluster of one network its own ranges, or put the clusters on different networks [MR016]',
    '10.0.128.0/20',
  ],
  [
    'MR017',
    topologyDoc({ clusters: [primary('a'), primary('b', { network: 'n2', eastWest: { enabled: false } })] }),
    'error: network "n2" has no east-west gateway, so other networks cannot reach its pods; remove eastWest.enabled: false from one of its clusters (b) [MR017]',
    'false',
  ],
  [
    'MR018',
    topologyDoc({ clusters: [primary('a', { gateways: [{ name: 'ingress' }, { name: 'ingress', namespace: 'istio-system' }] })] }),
    'error: gateway "ingress" is already declared in namespace istio-system by gateways[0]; give each gateway of a namespace its own name [MR018]',
    'ingress',
  ],
  [
    'MR019',
    topologyDoc({ clusters: [primary('a', { apiServer: 'https://k8s.example.com:6443' }), primary('b', { apiServer: 'https://k8s.example.com:6443' })] }),
    'error: apiServer https://k8s.example.com:6443 is also the apiServer of spec.clusters[0]; each cluster has its own API server [MR019]',
    'https://k8s.example.com:6443',
  ],
  [
    'MR020',
    withRemoteSecrets(topologyDoc({ clusters: [primary('a', { apiServer: 'https://a.example.com:6443' }), primary('b')] })),
    'error: cluster "b" is read by the istiod of a, whose remote secret needs this cluster\'s API server URL; add apiServer: https://<host>:<port>, or set spec.remoteSecrets.provider: none and create the remote secrets by hand [MR020]',
    'b',
  ],
  [
    'MR021',
    topologyDoc({ clusters: [external('x', 'cfg', {}), remote('cfg', 'x')] }),
    'error: external.address istiod.example.com is a DNS name, so the ingress gateway in front of the external istiod terminates TLS and needs a certificate for it: add external.tlsSecret: <name of the TLS Secret>, or use an IP address for TLS passthrough [MR021]',
    'istiod.example.com',
  ],
];

/** Rules checked outside check(): each has its own test below. */
const CHECKED_ELSEWHERE = ['MR012'];

describe('mesh rules', () => {
  it.each(CASES)('%s reports its failing topology at the offending key', (id, doc, message, token) => {
    const out = findings(doc).filter((l) => l.endsWith(`[${id}]`));
    expect(findings(doc).filter((l) => !l.endsWith(`[${id}]`) && / error: /.test(l))).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]!.replace(/^t\.yaml:\d+:\d+: /, '')).toBe(message);
    expect(textAt(doc, out[0]!)).toMatch(new RegExp(`^"?${token}`));
  });

  it('has a failing-topology case for every rule', () => {
    expect([...new Set([...CASES.map(([id]) => id), ...CHECKED_ELSEWHERE])].sort()).toEqual(MESH_RULES.map((r) => r.id).sort());
  });

  it('reports nothing for the example-shaped default topology', () => {
    expect(findings(topologyDoc())).toEqual([]);
  });

  it('reports every broken rule at once', () => {
    const doc = topologyDoc({
      clusters: [primary('a', { eastWest: { address: 'bad host' } }), primary('a'), remote('r', 'zz', { network: 'nx' })],
      networks: ['n1', 'spare'],
      istio: { tags: { t: 'missing' } },
    });
    const ids = new Set(findings(doc).map((l) => /\[(MR\d+)\]$/.exec(l)![1]));
    expect([...ids].sort()).toEqual(['MR001', 'MR002', 'MR003', 'MR004', 'MR007', 'MR009']);
  });

  it('reports sixteen broken rules of one topology at once', () => {
    const doc = topologyDoc({
      clusters: [
        primary('a', { eastWest: { address: 'bad host' } }),
        primary('a'),
        remote('r', 'zz', { network: 'nx' }),
        primary('c', { external: { address: 'x.example.com', configCluster: 'a' } }),
        primary('p', { revisions: ['stable'], podCIDR: '10.0.0.1/8' }),
        remote('rr', 'p', { revisions: ['canary'] }),
        primary('q', { podCIDR: '10.1.0.0/16', istiod: { meshConfig: { x: 'bell\u0007' } } }),
        primary('g', { gateways: [{ name: 'istiod-stable' }] }),
        primary('h', { apiServer: 'https://k8s.example.com' }),
        primary('i', { apiServer: 'https://k8s.example.com' }),
        primary('e', { network: 'n2', eastWest: { enabled: false } }),
        external('x', 'nowhere'),
      ],
      networks: ['n1', 'n2', 'spare'],
      istio: { revisions: REVS, tags: { t: 'missing' } },
    });
    const ids = new Set(findings(doc).map((l) => /\[(MR\d+)\]$/.exec(l)![1]));
    expect([...ids].sort()).toEqual([
      'MR001', 'MR002', 'MR003', 'MR004', 'MR005', 'MR006', 'MR007', 'MR009', 'MR010',
      'MR011', 'MR013', 'MR015', 'MR016', 'MR017', 'MR018', 'MR019',
    ]);
  });

  it('explains every rule, by ID or by name', () => {
    for (const r of MESH_RULES) {
      expect(findRule(r.id)).toBe(r);
      expect(findRule(r.name)).toBe(r);
      expect(r.explain.length).toBeGreaterThan(40);
    }
  });
});
