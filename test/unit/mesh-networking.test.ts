import { describe, expect, it } from 'vitest';
import { planMeshNetworking } from '../../generator/components/mesh-networking.ts';
import { PlanError } from '../../generator/errors.ts';
import { loadCatalog } from '../../generator/templating/catalog.ts';
import type { Topology } from '../../generator/types.ts';
import { modelFrom, topologyDoc, type ClusterInput } from '../support/builders.ts';
import { renderedByUnit, renderPlannerUnits, type K8sObject } from '../support/render-planner.ts';


const catalog = loadCatalog();

function plan(t: Topology, cluster: string) {
  const c = t.clusters.find((x) => x.name === cluster)!;
  return planMeshNetworking({ topology: t, cluster: c, catalog, releases: new Map() });
}

/** The mesh-networking units of one cluster, rendered: unit name → objects. */
function render(t: Topology, cluster: string): Map<string, K8sObject[]> {
  return renderedByUnit(renderPlannerUnits(planMeshNetworking, t, cluster), 'mesh-networking');
}

const byName = (objs: K8sObject[], name: string) => objs.find((o) => o.metadata.name === name)!;

const primary = (name: string, network: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'primary', network, ...extra });
const remote = (name: string, network: string, controlPlane: string): ClusterInput => ({ name, role: 'remote', network, controlPlane });
const external = (address: string, tlsSecret?: string): ClusterInput => ({
  name: 'ext',
  role: 'external',
  network: 'n1',
  external: { address, configCluster: 'cfg', ...(tlsSecret ? { tlsSecret } : {}) },
});

describe('planMeshNetworking: which clusters get which units', () => {
  const cases: { name: string; clusters: ClusterInput[]; expected: Record<string, string[]> }[] = [
    { name: 'multi-primary, one network: nothing', clusters: [primary('a', 'n1'), primary('b', 'n1')], expected: { a: [], b: [] } },
    {
      name: 'multi-primary, two networks: expose-services on both',
      clusters: [primary('a', 'n1'), primary('b', 'n2')],
      expected: { a: ['expose-services'], b: ['expose-services'] },
    },
    {
      name: 'primary-remote, one network: expose-istiod on the primary',
      clusters: [primary('a', 'n1', { eastWest: { address: '10.0.0.1' } }), remote('b', 'n1', 'a')],
      expected: { a: ['expose-istiod'], b: [] },
    },
    {
      name: 'primary-remote, two networks: both on the primary, nothing on the remote (its config is the primary)',
      clusters: [primary('a', 'n1', { eastWest: { address: '10.0.0.1' } }), remote('b', 'n2', 'a')],
      expected: { a: ['expose-services', 'expose-istiod'], b: [] },
    },
    {
      name: 'a primary without an east-west gateway exposes nothing',
      clusters: [primary('a', 'n1', { eastWest: { address: '10.0.0.1', enabled: false } }), remote('b', 'n2', 'a'), primary('c', 'n2')],
      expected: { a: [], b: [], c: ['expose-services'] },
    },
    {
      name: 'external control plane, two networks: the config cluster exposes services, the external cluster routes to istiod',
      clusters: [external('istiod.example.com', 'cert'), remote('cfg', 'n1', 'ext'), remote('r2', 'n2', 'ext')],
      expected: { ext: ['external-istiod'], cfg: ['expose-services'], r2: [] },
    },
    {
      name: 'external control plane, one network: no expose-services',
      clusters: [external('istiod.example.com', 'cert'), remote('cfg', 'n1', 'ext')],
      expected: { ext: ['external-istiod'], cfg: [] },
    },
  ];
  it.each(cases)('$name', ({ clusters, expected }) => {
    const t = modelFrom(topologyDoc({ clusters }));
    for (const [cluster, units] of Object.entries(expected)) expect(plan(t, cluster).map((u) => u.unit), cluster).toEqual(units);
  });
});

describe('expose-services', () => {
  it('opens 15443 with AUTO_PASSTHROUGH for *.local on the east-west gateway, in the cluster Istio namespace', () => {
    const t = modelFrom(topologyDoc({ clusters: [external('istiod.example.com', 'cert'), remote('cfg', 'n1', 'ext'), remote('r2', 'n2', 'ext')] }));
    const [gw] = render(t, 'cfg').get('expose-services')!;
    expect(gw).toMatchObject({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'cross-network-gateway', namespace: 'external-istiod' } });
    expect(gw!.spec).toEqual({
      selector: { istio: 'eastwestgateway' },
      servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }],
    });
  });
});

describe('expose-istiod', () => {
  it('routes the default revision with istiod-vs and every other revision with istiod-vs-<rev>', () => {
    const t = modelFrom(
      topologyDoc({
        clusters: [primary('a', 'n1', { eastWest: { address: '10.0.0.1' } }), remote('b', 'n1', 'a')],
        istio: { namespace: 'mesh-system', revisions: [{ name: 'default', version: '1.30.3' }, { name: 'canary', version: '1.30.3' }] },
      }),
    );
    const objs = render(t, 'a').get('expose-istiod')!;
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Gateway/istiod-gateway', 'VirtualService/istiod-vs-canary', 'VirtualService/istiod-vs']);
    for (const o of objs) expect(o.metadata.namespace).toBe('mesh-system');

    const gw = byName(objs, 'istiod-gateway');
    expect(gw.spec.selector).toEqual({ istio: 'eastwestgateway' });
    expect(gw.spec.servers.map((s: any) => [s.port.number, s.port.protocol, s.tls.mode, s.hosts])).toEqual([
      [15012, 'tls', 'PASSTHROUGH', ['*']],
      [15017, 'tls', 'PASSTHROUGH', ['*']],
    ]);

    const dflt = byName(objs, 'istiod-vs').spec;
    expect(dflt.gateways).toEqual(['istiod-gateway']);
    expect(dflt.tls).toEqual([
      { match: [{ port: 15012, sniHosts: ['*'] }], route: [{ destination: { host: 'istiod.mesh-system.svc.cluster.local', port: { number: 15012 } } }] },
      { match: [{ port: 15017, sniHosts: ['*'] }], route: [{ destination: { host: 'istiod.mesh-system.svc.cluster.local', port: { number: 443 } } }] },
    ]);

    const canary = byName(objs, 'istiod-vs-canary').spec;
    const sni = ['istiod-canary.mesh-system.svc', 'istiod-canary.mesh-system.svc.cluster.local'];
    expect(canary.tls).toEqual([
      { match: [{ port: 15012, sniHosts: sni }], route: [{ destination: { host: 'istiod-canary.mesh-system.svc.cluster.local', port: { number: 15012 } } }] },
      { match: [{ port: 15017, sniHosts: sni }], route: [{ destination: { host: 'istiod-canary.mesh-system.svc.cluster.local', port: { number: 443 } } }] },
    ]);
  });

  it('renders only istiod-vs-<rev> when the primary runs no revision named default', () => {
    const t = modelFrom(
      topologyDoc({
        clusters: [primary('a', 'n1', { eastWest: { address: '10.0.0.1' } }), remote('b', 'n1', 'a')],
        istio: { revisions: [{ name: '1-29-6', version: '1.29.6' }, { name: '1-30-3', version: '1.30.3' }], tags: { default: '1-29-6' } },
      }),
    );
    expect(render(t, 'a').get('expose-istiod')!.map((o) => o.metadata.name)).toEqual(['istiod-gateway', 'istiod-vs-1-29-6', 'istiod-vs-1-30-3']);
  });
});

describe('routing to an external istiod', () => {
  it('terminates TLS with the tlsSecret for a DNS address and re-encrypts to istiod', () => {
    const t = modelFrom(topologyDoc({ clusters: [external('istiod.example.com', 'istiod-cert'), remote('cfg', 'n1', 'ext')] }));
    const objs = render(t, 'ext').get('external-istiod')!;
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'DestinationRule/external-istiod-dr',
      'Gateway/external-istiod-gw',
      'VirtualService/external-istiod-vs',
    ]);
    for (const o of objs) expect([o.apiVersion, o.metadata.namespace]).toEqual(['networking.istio.io/v1', 'external-istiod']);

    const gw = byName(objs, 'external-istiod-gw').spec;
    expect(gw.selector).toEqual({ istio: 'ingressgateway' });
    expect(gw.servers).toEqual([
      { port: { number: 15012, protocol: 'https', name: 'https-XDS' }, tls: { mode: 'SIMPLE', credentialName: 'istiod-cert' }, hosts: ['istiod.example.com'] },
      { port: { number: 15017, protocol: 'https', name: 'https-WEBHOOK' }, tls: { mode: 'SIMPLE', credentialName: 'istiod-cert' }, hosts: ['istiod.example.com'] },
    ]);
    const vs = byName(objs, 'external-istiod-vs').spec;
    expect(vs.hosts).toEqual(['istiod.example.com']);
    expect(vs.tls).toBeUndefined();
    expect(vs.http).toEqual([
      { match: [{ port: 15012 }], route: [{ destination: { host: 'istiod.external-istiod.svc.cluster.local', port: { number: 15012 } } }] },
      { match: [{ port: 15017 }], route: [{ destination: { host: 'istiod.external-istiod.svc.cluster.local', port: { number: 443 } } }] },
    ]);
    const dr = byName(objs, 'external-istiod-dr').spec;
    expect(dr.host).toBe('istiod.external-istiod.svc.cluster.local');
    expect(dr.trafficPolicy.portLevelSettings).toEqual([
      { port: { number: 15012 }, tls: { mode: 'SIMPLE' }, connectionPool: { http: { h2UpgradePolicy: 'UPGRADE' } } },
      { port: { number: 443 }, tls: { mode: 'SIMPLE' } },
    ]);
  });

  it.each(['34.75.71.237', '2001:db8::1'])('passes TLS through for the IP address %s, with no DestinationRule', (address) => {
    const t = modelFrom(topologyDoc({ clusters: [external(address), remote('cfg', 'n1', 'ext')] }));
    const objs = render(t, 'ext').get('external-istiod')!;
    expect(objs.map((o) => o.kind)).toEqual(['Gateway', 'VirtualService']);
    const gw = byName(objs, 'external-istiod-gw').spec;
    expect(gw.servers).toEqual([
      { port: { number: 15012, protocol: 'tls', name: 'tls-XDS' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] },
      { port: { number: 15017, protocol: 'tls', name: 'tls-WEBHOOK' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] },
    ]);
    const vs = byName(objs, 'external-istiod-vs').spec;
    expect(vs.hosts).toEqual(['*']);
    expect(vs.http).toBeUndefined();
    expect(vs.tls).toEqual([
      { match: [{ port: 15012, sniHosts: ['*'] }], route: [{ destination: { host: 'istiod.external-istiod.svc.cluster.local', port: { number: 15012 } } }] },
      { match: [{ port: 15017, sniHosts: ['*'] }], route: [{ destination: { host: 'istiod.external-istiod.svc.cluster.local', port: { number: 443 } } }] },
    ]);
  });

  it('routes to the istiod of the revision holding the default tag, in a custom external namespace', () => {
    const ext = { ...external('istiod.example.com', 'cert'), external: { address: 'istiod.example.com', tlsSecret: 'cert', configCluster: 'cfg', namespace: 'ext-cp' } };
    const t = modelFrom(
      topologyDoc({
        clusters: [ext, remote('cfg', 'n1', 'ext')],
        istio: { revisions: [{ name: 'blue', version: '1.30.3' }, { name: 'green', version: '1.30.3' }], tags: { default: 'green' } },
      }),
    );
    const objs = render(t, 'ext').get('external-istiod')!;
    for (const o of objs) expect(o.metadata.namespace).toBe('ext-cp');
    expect(byName(objs, 'external-istiod-dr').spec.host).toBe('istiod-green.ext-cp.svc.cluster.local');
  });

  it('refuses a DNS address without tlsSecret, naming the cluster and the key', () => {
    const t = modelFrom(topologyDoc({ clusters: [external('istiod.example.com'), remote('cfg', 'n1', 'ext')] }));
    expect(() => plan(t, 'ext')).toThrow(PlanError);
    expect(() => plan(t, 'ext')).toThrow(/cluster ext: .*external\.tlsSecret/);
  });
});
