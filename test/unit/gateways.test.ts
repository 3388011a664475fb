import { describe, expect, it } from 'vitest';
import { planGateways } from '../../generator/components/gateways.ts';
import { clusterNamespaces } from '../../generator/components/namespace.ts';
import { loadCatalog } from '../../generator/templating/catalog.ts';
import type { Topology } from '../../generator/types.ts';
import { modelFrom, topologyDoc, type ClusterInput } from '../support/builders.ts';
import { renderedByUnit, renderPlannerUnits, type K8sObject } from '../support/render-planner.ts';


const catalog = loadCatalog();

/** The gateway units of one cluster, rendered: unit name → objects. */
function renderGateways(t: Topology, cluster: string): Map<string, K8sObject[]> {
  return renderedByUnit(renderPlannerUnits(planGateways, t, cluster), 'gateways');
}

const get = (objs: K8sObject[], kind: string) => objs.find((o) => o.kind === kind)!;

const primary = (name: string, network: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'primary', network, ...extra });
const remote = (name: string, network: string, controlPlane: string): ClusterInput => ({ name, role: 'remote', network, controlPlane });
const external: ClusterInput = {
  name: 'ext',
  role: 'external',
  network: 'n1',
  external: { address: 'istiod.example.com', tlsSecret: 'istiod-cert', configCluster: 'cfg' },
};

describe('planGateways: where the east-west gateway belongs', () => {
  const cases: { name: string; clusters: ClusterInput[]; expected: Record<string, string[]> }[] = [
    { name: 'multi-primary on one network: none', clusters: [primary('a', 'n1'), primary('b', 'n1')], expected: { a: [], b: [] } },
    {
      name: 'multi-primary on two networks: every cluster',
      clusters: [primary('a', 'n1'), primary('b', 'n2')],
      expected: { a: ['istio-eastwestgateway'], b: ['istio-eastwestgateway'] },
    },
    {
      name: 'primary-remote on one network: the primary only',
      clusters: [primary('a', 'n1', { eastWest: { address: '10.0.0.1' } }), remote('b', 'n1', 'a')],
      expected: { a: ['istio-eastwestgateway'], b: [] },
    },
    {
      name: 'primary-remote on two networks: both',
      clusters: [primary('a', 'n1', { eastWest: { address: '10.0.0.1' } }), remote('b', 'n2', 'a')],
      expected: { a: ['istio-eastwestgateway'], b: ['istio-eastwestgateway'] },
    },
    {
      name: 'eastWest.enabled: false turns it off',
      clusters: [primary('a', 'n1'), primary('b', 'n2', { eastWest: { enabled: false } })],
      expected: { a: ['istio-eastwestgateway'], b: [] },
    },
    {
      name: 'external control plane on two networks: remotes get east-west gateways, the external cluster its ingress gateway',
      clusters: [external, remote('cfg', 'n1', 'ext'), remote('r2', 'n2', 'ext')],
      expected: { ext: ['istio-ingressgateway'], cfg: ['istio-eastwestgateway'], r2: ['istio-eastwestgateway'] },
    },
  ];
  it.each(cases)('$name', ({ clusters, expected }) => {
    const t = modelFrom(topologyDoc({ clusters }));
    for (const [cluster, units] of Object.entries(expected)) {
      const c = t.clusters.find((x) => x.name === cluster)!;
      expect(planGateways({ topology: t, cluster: c, catalog, releases: new Map() }).map((u) => u.unit), cluster).toEqual(units);
    }
  });
});

describe('the east-west gateway as the gateway chart renders it', () => {
  it('renders the chart objects with networkGateway set to the cluster network', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('a', 'n1'), primary('b', 'n2')] }));
    const objs = renderGateways(t, 'b').get('istio-eastwestgateway')!;
    expect(objs.map((o) => o.kind)).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    for (const o of objs) expect([o.metadata.name, o.metadata.namespace]).toEqual(['istio-eastwestgateway', 'istio-system']);

    const svc = get(objs, 'Service');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.metadata.labels!['topology.istio.io/network']).toBe('n2');
    expect(svc.spec.selector).toEqual({ app: 'istio-eastwestgateway', istio: 'eastwestgateway' });
    expect(svc.spec.ports).toEqual([
      { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
      { name: 'tls', port: 15443, targetPort: 15443, protocol: 'TCP' },
      { name: 'tls-istiod', port: 15012, targetPort: 15012, protocol: 'TCP' },
      { name: 'tls-webhook', port: 15017, targetPort: 15017, protocol: 'TCP' },
    ]);

    const dep = get(objs, 'Deployment');
    // The Deployment's own labels carry no network label; its pods do.
    expect(dep.metadata.labels!['topology.istio.io/network']).toBeUndefined();
    const pod = dep.spec.template;
    expect(pod.metadata.labels).toMatchObject({ 'sidecar.istio.io/inject': 'true', 'topology.istio.io/network': 'n2', 'istio.io/dataplane-mode': 'none' });
    expect(pod.metadata.labels['istio.io/rev']).toBeUndefined();
    expect(pod.metadata.annotations['inject.istio.io/templates']).toBe('gateway');
    const proxy = pod.spec.containers[0];
    expect(proxy.image).toBe('auto');
    expect(proxy.env).toEqual([{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: 'n2' }]);
    expect(proxy.securityContext.runAsUser).toBeUndefined();
    expect(dep.spec.replicas).toBeUndefined();

    expect(get(objs, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 1, maxReplicas: 5, scaleTargetRef: { kind: 'Deployment', name: 'istio-eastwestgateway' } });
    expect(get(objs, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'istio-eastwestgateway' }]);
  });

  it('is injected by the revision of the default tag, with the 1.29 chart when that revision runs 1.29', () => {
    const t = modelFrom(
      topologyDoc({
        clusters: [primary('a', 'n1'), primary('b', 'n2')],
        istio: { revisions: [{ name: '1-29-6', version: '1.29.6' }, { name: '1-30-3', version: '1.30.3' }], tags: { default: '1-29-6' } },
      }),
    );
    const objs = renderGateways(t, 'a').get('istio-eastwestgateway')!;
    const dep = get(objs, 'Deployment');
    expect(dep.spec.template.metadata.labels['istio.io/rev']).toBe('1-29-6');
    // 1.29's chart pins the proxy user and writes no protocol on network gateway ports.
    expect(dep.spec.template.spec.containers[0].securityContext).toMatchObject({ runAsUser: 1337, runAsGroup: 1337 });
    expect(get(objs, 'Service').spec.ports[0]).toEqual({ name: 'status-port', port: 15021, targetPort: 15021 });
  });

  it('follows eastWest.revision and a non-default Istio namespace', () => {
    const t = modelFrom(
      topologyDoc({
        clusters: [primary('a', 'n1', { eastWest: { revision: 'canary' } }), primary('b', 'n2')],
        istio: { namespace: 'mesh-system', revisions: [{ name: 'default', version: '1.30.3' }, { name: 'canary', version: '1.30.3' }] },
      }),
    );
    const a = get(renderGateways(t, 'a').get('istio-eastwestgateway')!, 'Deployment');
    expect(a.metadata.namespace).toBe('mesh-system');
    expect(a.spec.template.metadata.labels['istio.io/rev']).toBe('canary');
    const b = get(renderGateways(t, 'b').get('istio-eastwestgateway')!, 'Deployment');
    expect(b.spec.template.metadata.labels['istio.io/rev']).toBeUndefined();
  });
});

describe('declared and external gateways', () => {
  it('renders a declared gateway with a ClusterIP Service, custom ports, labels and its own namespace', () => {
    const t = modelFrom(
      topologyDoc({
        clusters: [
          primary('a', 'n1', {
            gateways: [
              {
                name: 'istio-egressgateway',
                namespace: 'istio-egress',
                service: { type: 'ClusterIP', ports: [{ name: 'http2', port: 80, targetPort: 8080 }, { name: 'tls', port: 443, protocol: 'TCP' }] },
                labels: { team: 'edge' },
              },
              { name: 'istio-ingressgateway' },
            ],
          }),
        ],
      }),
    );
    const units = renderGateways(t, 'a');
    expect([...units.keys()]).toEqual(['istio-egressgateway', 'istio-ingressgateway']);

    const egress = units.get('istio-egressgateway')!;
    for (const o of egress) expect(o.metadata.namespace).toBe('istio-egress');
    const svc = get(egress, 'Service');
    expect(svc.spec.type).toBe('ClusterIP');
    // As the chart writes service.ports: what was given, nothing added.
    expect(svc.spec.ports).toEqual([
      { name: 'http2', port: 80, targetPort: 8080 },
      { name: 'tls', port: 443, protocol: 'TCP' },
    ]);
    expect(svc.spec.selector).toEqual({ app: 'istio-egressgateway', istio: 'egressgateway' });
    expect(svc.metadata.labels).toMatchObject({ team: 'edge', 'istio.io/dataplane-mode': 'none' });
    const pod = get(egress, 'Deployment').spec.template;
    expect(pod.metadata.labels.team).toBe('edge');
    expect(pod.spec.containers[0].env).toBeUndefined();

    const ingress = get(units.get('istio-ingressgateway')!, 'Service');
    expect(ingress.metadata.namespace).toBe('istio-system');
    expect(ingress.spec.type).toBe('LoadBalancer');
    expect(ingress.spec.ports.map((p: { port: number }) => p.port)).toEqual([15021, 80, 443]);

    // The gateway's own namespace is rendered by the namespace component; the Istio namespace once.
    expect(clusterNamespaces(t, t.clusters[0]!).map((n) => [n.name, n.labels])).toEqual([
      ['istio-egress', null],
      ['istio-system', { 'topology.istio.io/network': 'n1' }],
    ]);
  });

  it('lets labels.app and labels.istio rename the selector, as the chart does', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('a', 'n1', { gateways: [{ name: 'edge', labels: { istio: 'edge-gw', app: 'edge-app' } }] })] }));
    const svc = get(renderGateways(t, 'a').get('edge')!, 'Service');
    expect(svc.spec.selector).toEqual({ app: 'edge-app', istio: 'edge-gw' });
  });

  it('exposes the external istiod on the external cluster: 15021, 15012 and 15017 in the Istio namespace', () => {
    const t = modelFrom(topologyDoc({ clusters: [external, remote('cfg', 'n1', 'ext')] }));
    const objs = renderGateways(t, 'ext').get('istio-ingressgateway')!;
    const svc = get(objs, 'Service');
    expect(svc.metadata.namespace).toBe('istio-system');
    expect(svc.spec.selector).toEqual({ app: 'istio-ingressgateway', istio: 'ingressgateway' });
    expect(svc.spec.ports).toEqual([
      { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
      { name: 'tls-xds', port: 15012, protocol: 'TCP', targetPort: 15012 },
      { name: 'tls-webhook', port: 15017, protocol: 'TCP', targetPort: 15017 },
    ]);
  });

  it('lets a declared gateway of the same name and namespace replace the implicit one', () => {
    const ext = { ...external, gateways: [{ name: 'istio-ingressgateway', service: { type: 'NodePort' } }] };
    const t = modelFrom(topologyDoc({ clusters: [ext, remote('cfg', 'n1', 'ext')] }));
    const units = renderGateways(t, 'ext');
    expect([...units.keys()]).toEqual(['istio-ingressgateway']);
    expect(get(units.get('istio-ingressgateway')!, 'Service').spec.type).toBe('NodePort');
  });

  it('names units after the namespace too when two gateways share a name', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('a', 'n1', { gateways: [{ name: 'gw', namespace: 'x' }, { name: 'gw', namespace: 'y' }] })] }));
    const c = t.clusters[0]!;
    expect(planGateways({ topology: t, cluster: c, catalog, releases: new Map() }).map((u) => u.unit)).toEqual(['gw-x', 'gw-y']);
  });
});
