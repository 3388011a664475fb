/**
 * The webhooks component: which units each cluster gets, and the injection and validation webhooks
 * of each istiod install and revision tag (facts §1.2, §3.2, §3.3, §6.5). Expected values come from
 * the chart templates (istio-discovery mutatingwebhook.yaml, revision-tags-*.yaml,
 * validatingwebhookconfiguration.yaml), written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { planWebhooks } from '../../generator/components/webhooks.ts';
import { loadCatalog } from '../../generator/templating/catalog.ts';
import type { Topology } from '../../generator/types.ts';
import { modelFrom, topologyDoc, type ClusterInput } from '../support/builders.ts';
import { renderedByUnit, renderPlannerUnits, type K8sObject as RenderedObject } from '../support/render-planner.ts';

type Webhook = {
  name: string;
  clientConfig: { url?: string; service?: { name: string; namespace: string; path: string; port?: number } };
  namespaceSelector?: { matchExpressions: { key: string; operator: string; values?: string[] }[] };
  objectSelector?: { matchExpressions: { key: string; operator: string; values?: string[] }[] };
  failurePolicy: string;
  [k: string]: unknown;
};
type K8sObject = RenderedObject & { webhooks?: Webhook[] };

const catalog = loadCatalog();

/** The webhook units of one cluster, rendered: unit name → objects. */
function renderWebhooks(t: Topology, cluster: string): Map<string, K8sObject[]> {
  return renderedByUnit(renderPlannerUnits(planWebhooks, t, cluster), 'webhooks');
}

const ids = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`).sort();
const find = (objs: K8sObject[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in ${ids(objs).join(', ')}`);
  return o;
};
const webhookNames = (o: K8sObject) => o.webhooks!.map((w) => w.name);
const REV_WEBHOOKS = ['rev.namespace.sidecar-injector.istio.io', 'rev.object.sidecar-injector.istio.io'];
const LEGACY_WEBHOOKS = ['namespace.sidecar-injector.istio.io', 'object.sidecar-injector.istio.io'];

const primary = (name: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'primary', network: 'n1', ...extra });
const remote = (name: string, controlPlane: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'remote', network: 'n1', controlPlane, ...extra });
const externalMesh = (address: string, istio?: Record<string, unknown>) =>
  modelFrom(
    topologyDoc({
      clusters: [
        { name: 'ext', role: 'external', network: 'n1', external: { address, tlsSecret: 'cert', configCluster: 'cfg' } },
        remote('cfg', 'ext'),
        { name: 'r2', role: 'remote', network: 'n2', controlPlane: 'ext' },
      ],
      networks: ['n1', 'n2'],
      ...(istio ? { istio } : {}),
    }),
  );
const canary = (clusters: ClusterInput[] = [primary('p')]) =>
  modelFrom(
    topologyDoc({
      clusters,
      istio: {
        revisions: [
          { name: '1-29-6', version: '1.29.6' },
          { name: '1-30-3', version: '1.30.3' },
        ],
        tags: { default: '1-29-6', 'prod-stable': '1-29-6', 'prod-canary': '1-30-3' },
      },
    }),
  );

describe('planWebhooks: units per cluster', () => {
  const cases: { name: string; topology: () => Topology; cluster: string; units: [string, string, string | null][] }[] = [
    { name: 'primary, default revision', topology: () => modelFrom(topologyDoc({ clusters: [primary('p')] })), cluster: 'p', units: [['istiod-webhooks', 'istiod', '1.30']] },
    {
      name: 'canary: one unit per revision (with its minor) and per tag',
      topology: () => canary(),
      cluster: 'p',
      units: [
        ['istiod-webhooks', 'istiod-1-29-6', '1.29'],
        ['istiod-webhooks', 'istiod-1-30-3', '1.30'],
        ['revision-tag', 'revision-tag-default', '1.29'],
        ['revision-tag', 'revision-tag-prod-canary', '1.30'],
        ['revision-tag', 'revision-tag-prod-stable', '1.29'],
      ],
    },
    {
      name: 'a cluster that runs one revision gets only the tags of that revision',
      topology: () => canary([primary('p', { revisions: ['1-30-3'] })]),
      cluster: 'p',
      units: [
        ['istiod-webhooks', 'istiod-1-30-3', '1.30'],
        ['revision-tag', 'revision-tag-prod-canary', '1.30'],
      ],
    },
    {
      // operatorManageWebhooks and configValidation=false leave the external istiod without webhooks.
      name: 'external cluster: only its own istiod has webhooks',
      topology: () => externalMesh('istiod.example.com'),
      cluster: 'ext',
      units: [['istiod-webhooks', 'istiod', '1.30']],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = c.topology();
      const reqs = planWebhooks({ topology: t, cluster: t.clusters.find((x) => x.name === c.cluster)!, catalog, releases: new Map() });
      expect(reqs.map((r) => [r.component, r.unit, r.revision?.minor ?? null])).toEqual(c.units);
    });
  }
});

describe('injection webhooks of an istiod install', () => {
  it('the default revision also serves istio-injection=enabled namespaces and sidecar.istio.io/inject=true pods', () => {
    const mwc = find(renderWebhooks(modelFrom(topologyDoc({ clusters: [primary('p')] })), 'p').get('istiod')!, 'MutatingWebhookConfiguration', 'istio-sidecar-injector');
    expect(webhookNames(mwc)).toEqual([...REV_WEBHOOKS, ...LEGACY_WEBHOOKS]);
    expect(mwc.metadata.labels).toEqual({ 'istio.io/rev': 'default', 'operator.istio.io/component': 'Pilot', app: 'sidecar-injector', 'app.kubernetes.io/name': 'istiod' });
    const [revNs, revObj, ns, obj] = mwc.webhooks!;
    expect(revNs!.namespaceSelector!.matchExpressions).toEqual([
      { key: 'istio.io/rev', operator: 'In', values: ['default'] },
      { key: 'istio-injection', operator: 'DoesNotExist' },
    ]);
    expect(revObj!.objectSelector!.matchExpressions).toEqual([
      { key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] },
      { key: 'istio.io/rev', operator: 'In', values: ['default'] },
    ]);
    expect(ns!.namespaceSelector!.matchExpressions).toEqual([{ key: 'istio-injection', operator: 'In', values: ['enabled'] }]);
    expect(obj!.objectSelector!.matchExpressions).toEqual([
      { key: 'sidecar.istio.io/inject', operator: 'In', values: ['true'] },
      { key: 'istio.io/rev', operator: 'DoesNotExist' },
    ]);
    for (const w of mwc.webhooks!) {
      expect(w.clientConfig).toEqual({ service: { name: 'istiod', namespace: 'istio-system', path: '/inject', port: 443 } });
      expect([w.failurePolicy, w.reinvocationPolicy, w.sideEffects, w.admissionReviewVersions]).toEqual(['Fail', 'Never', 'None', ['v1']]);
      expect(w.rules).toEqual([{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }]);
      expect(w.clientConfig).not.toHaveProperty('caBundle');
    }
  });

  it('a named revision selects only istio.io/rev=<revision> and calls istiod-<revision>', () => {
    const units = renderWebhooks(canary(), 'p');
    const mwc = find(units.get('istiod-1-30-3')!, 'MutatingWebhookConfiguration', 'istio-sidecar-injector-1-30-3');
    expect(webhookNames(mwc)).toEqual(REV_WEBHOOKS);
    expect(mwc.metadata.labels!['istio.io/rev']).toBe('1-30-3');
    expect(mwc.webhooks![0]!.namespaceSelector!.matchExpressions[0]).toEqual({ key: 'istio.io/rev', operator: 'In', values: ['1-30-3'] });
    expect(mwc.webhooks![1]!.objectSelector!.matchExpressions[1]).toEqual({ key: 'istio.io/rev', operator: 'In', values: ['1-30-3'] });
    for (const w of mwc.webhooks!) expect(w.clientConfig.service!.name).toBe('istiod-1-30-3');
  });

  const suffixCases: { name: string; topology: () => Topology; cluster: string; unit: string; objects: string[] }[] = [
    {
      name: 'istio-system: no namespace suffix on the injector, the validator always has one',
      topology: () => modelFrom(topologyDoc({ clusters: [primary('p')] })),
      cluster: 'p',
      unit: 'istiod',
      objects: ['MutatingWebhookConfiguration/istio-sidecar-injector', 'ValidatingWebhookConfiguration/istio-validator-istio-system'],
    },
    {
      name: 'a non-default Istio namespace suffixes the injector',
      topology: () => modelFrom(topologyDoc({ clusters: [primary('p')], istio: { namespace: 'istio-prod' } })),
      cluster: 'p',
      unit: 'istiod',
      objects: ['MutatingWebhookConfiguration/istio-sidecar-injector-istio-prod', 'ValidatingWebhookConfiguration/istio-validator-istio-prod'],
    },
    {
      name: 'a revision in a non-default namespace: -REV then -NS',
      topology: () =>
        modelFrom(topologyDoc({ clusters: [primary('p')], istio: { namespace: 'istio-prod', revisions: [{ name: 'blue', version: '1.30.3' }] } })),
      cluster: 'p',
      unit: 'istiod-blue',
      objects: ['MutatingWebhookConfiguration/istio-sidecar-injector-blue-istio-prod', 'ValidatingWebhookConfiguration/istio-validator-blue-istio-prod'],
    },
    {
      name: 'config cluster of an external control plane, in its namespace',
      topology: () => externalMesh('istiod.example.com'),
      cluster: 'cfg',
      unit: 'istiod',
      objects: ['MutatingWebhookConfiguration/istio-sidecar-injector-external-istiod', 'ValidatingWebhookConfiguration/istio-validator-external-istiod'],
    },
  ];
  for (const c of suffixCases) {
    it(c.name, () => {
      expect(ids(renderWebhooks(c.topology(), c.cluster).get(c.unit)!)).toEqual(c.objects);
    });
  }

  it('the webhooks of an install in a non-default namespace call istiod there', () => {
    const mwc = find(renderWebhooks(modelFrom(topologyDoc({ clusters: [primary('p')], istio: { namespace: 'istio-prod' } })), 'p').get('istiod')!, 'MutatingWebhookConfiguration', 'istio-sidecar-injector-istio-prod');
    expect(mwc.webhooks![0]!.clientConfig.service).toEqual({ name: 'istiod', namespace: 'istio-prod', path: '/inject', port: 443 });
  });

  const clientCases: { name: string; topology: () => Topology; cluster: string; name2: string; client: Webhook['clientConfig'] }[] = [
    {
      name: 'remote of a primary: the istiod Service with the cluster and network in the path',
      topology: () => modelFrom(topologyDoc({ clusters: [primary('p', { eastWest: { address: '10.1.2.3' } }), remote('r', 'p', { network: 'n2' })] })),
      cluster: 'r',
      name2: 'istio-sidecar-injector',
      client: { service: { name: 'istiod', namespace: 'istio-system', path: '/inject/cluster/r/net/n2', port: 443 } },
    },
    {
      name: 'remote of an external control plane reached by DNS: the injection URL',
      topology: () => externalMesh('istiod.example.com'),
      cluster: 'r2',
      name2: 'istio-sidecar-injector-external-istiod',
      client: { url: 'https://istiod.example.com:15017/inject/cluster/r2/net/n2' },
    },
    {
      name: 'remote of an external control plane reached by IP: the remote istiod Service',
      topology: () => externalMesh('192.0.2.10'),
      cluster: 'r2',
      name2: 'istio-sidecar-injector-external-istiod',
      client: { service: { name: 'istiod', namespace: 'external-istiod', path: '/inject/cluster/r2/net/n2', port: 443 } },
    },
  ];
  for (const c of clientCases) {
    it(c.name, () => {
      const mwc = find(renderWebhooks(c.topology(), c.cluster).get('istiod')!, 'MutatingWebhookConfiguration', c.name2);
      expect(webhookNames(mwc)).toEqual([...REV_WEBHOOKS, ...LEGACY_WEBHOOKS]);
      for (const w of mwc.webhooks!) expect(w.clientConfig).toEqual(c.client);
    });
  }
});

describe('validation webhook of an istiod install', () => {
  const cases: { name: string; topology: () => Topology; cluster: string; unit: string; validator: string | null; client?: Webhook['clientConfig']; rev?: string }[] = [
    {
      name: 'primary: the revision istiod at /validate, objects of its revision',
      topology: () => canary(),
      cluster: 'p',
      unit: 'istiod-1-29-6',
      validator: 'istio-validator-1-29-6-istio-system',
      client: { service: { name: 'istiod-1-29-6', namespace: 'istio-system', path: '/validate' } },
      rev: '1-29-6',
    },
    {
      name: 'remote of a primary (config cluster): the remote istiod Service',
      topology: () => modelFrom(topologyDoc()),
      cluster: 'cluster2',
      unit: 'istiod',
      validator: 'istio-validator-istio-system',
      client: { service: { name: 'istiod', namespace: 'istio-system', path: '/validate' } },
      rev: 'default',
    },
    {
      name: 'config cluster of an external control plane by DNS: base.validationURL',
      topology: () => externalMesh('istiod.example.com'),
      cluster: 'cfg',
      unit: 'istiod',
      validator: 'istio-validator-external-istiod',
      client: { url: 'https://istiod.example.com:15017/validate' },
      rev: 'default',
    },
    { name: 'additional remote of an external control plane: none (not a config cluster)', topology: () => externalMesh('istiod.example.com'), cluster: 'r2', unit: 'istiod', validator: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const objs = renderWebhooks(c.topology(), c.cluster).get(c.unit)!;
      const vwcs = objs.filter((o) => o.kind === 'ValidatingWebhookConfiguration');
      if (c.validator === null) {
        expect(vwcs).toEqual([]);
        return;
      }
      expect(vwcs.map((o) => o.metadata.name)).toEqual([c.validator]);
      const vwc = vwcs[0]!;
      expect(vwc.metadata.labels).toEqual({ app: 'istiod', istio: 'istiod', 'istio.io/rev': c.rev, 'app.kubernetes.io/name': 'istiod' });
      expect(vwc.webhooks!.map((w) => [w.name, w.failurePolicy])).toEqual([['rev.validation.istio.io', 'Fail']]);
      expect(vwc.webhooks![0]!.clientConfig).toEqual(c.client);
      expect(vwc.webhooks![0]!.objectSelector).toEqual({ matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: [c.rev] }] });
    });
  }
});

describe('revision tags', () => {
  it('a tag injects istio.io/rev=<tag> through its revision istiod; its Service selects that istiod', () => {
    const objs = renderWebhooks(canary(), 'p').get('revision-tag-prod-canary')!;
    expect(ids(objs)).toEqual(['MutatingWebhookConfiguration/istio-revision-tag-prod-canary', 'Service/istio-system/istiod-revision-tag-prod-canary']);
    const mwc = find(objs, 'MutatingWebhookConfiguration', 'istio-revision-tag-prod-canary');
    expect(webhookNames(mwc)).toEqual(REV_WEBHOOKS);
    expect(mwc.metadata.labels).toMatchObject({ 'istio.io/tag': 'prod-canary', 'istio.io/rev': '1-30-3' });
    expect(mwc.webhooks![0]!.namespaceSelector!.matchExpressions[0]).toEqual({ key: 'istio.io/rev', operator: 'In', values: ['prod-canary'] });
    expect(mwc.webhooks![1]!.objectSelector!.matchExpressions[1]).toEqual({ key: 'istio.io/rev', operator: 'In', values: ['prod-canary'] });
    for (const w of mwc.webhooks!) expect(w.clientConfig).toEqual({ service: { name: 'istiod-1-30-3', namespace: 'istio-system', path: '/inject', port: 443 } });
    const svc = find(objs, 'Service', 'istiod-revision-tag-prod-canary');
    expect(svc.metadata.labels).toMatchObject({ 'istio.io/rev': '1-30-3', 'istio.io/tag': 'prod-canary', app: 'istiod', istio: 'pilot' });
    expect(svc.spec.selector).toEqual({ app: 'istiod', 'istio.io/rev': '1-30-3' });
    expect(svc.spec.ports.map((p: { name: string; port: number }) => `${p.name}:${p.port}`)).toEqual(['grpc-xds:15010', 'https-dns:15012', 'https-webhook:443', 'http-monitoring:15014']);
  });

  it('the default tag also serves the legacy selections', () => {
    const mwc = find(renderWebhooks(canary(), 'p').get('revision-tag-default')!, 'MutatingWebhookConfiguration', 'istio-revision-tag-default');
    expect(webhookNames(mwc)).toEqual([...REV_WEBHOOKS, ...LEGACY_WEBHOOKS]);
    expect(mwc.webhooks![0]!.namespaceSelector!.matchExpressions[0]).toEqual({ key: 'istio.io/rev', operator: 'In', values: ['default'] });
    expect(mwc.webhooks![2]!.namespaceSelector!.matchExpressions).toEqual([{ key: 'istio-injection', operator: 'In', values: ['enabled'] }]);
    for (const w of mwc.webhooks!) expect(w.clientConfig.service!.name).toBe('istiod-1-29-6');
  });

  it('a tag of the default revision: its Service selects istio=pilot', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p')], istio: { tags: { stable: 'default' } } }));
    const svc = find(renderWebhooks(t, 'p').get('revision-tag-stable')!, 'Service', 'istiod-revision-tag-stable');
    expect(svc.metadata.labels!['istio.io/rev']).toBe('default');
    expect(svc.spec.selector).toEqual({ app: 'istiod', istio: 'pilot' });
  });

  it('a remote gets the injection webhooks of every revision and tag it runs, through its injection path', () => {
    const t = canary([primary('p', { eastWest: { address: '10.1.2.3' } }), remote('r', 'p')]);
    const units = renderWebhooks(t, 'r');
    expect([...units.keys()].sort()).toEqual(['istiod-1-29-6', 'istiod-1-30-3', 'revision-tag-default', 'revision-tag-prod-canary', 'revision-tag-prod-stable']);
    const tag = find(units.get('revision-tag-prod-stable')!, 'MutatingWebhookConfiguration', 'istio-revision-tag-prod-stable');
    for (const w of tag.webhooks!) expect(w.clientConfig).toEqual({ service: { name: 'istiod-1-29-6', namespace: 'istio-system', path: '/inject/cluster/r/net/n1', port: 443 } });
    // revision-tags-svc.yaml has no LOCAL condition: the chart renders the tag Service on remotes too.
    expect(ids(units.get('revision-tag-prod-stable')!)).toContain('Service/istio-system/istiod-revision-tag-prod-stable');
  });

  it('a remote of an external control plane names tag webhooks with its namespace and calls the injection URL', () => {
    const t = externalMesh('istiod.example.com', { tags: { prod: 'default' } });
    const objs = renderWebhooks(t, 'r2').get('revision-tag-prod')!;
    expect(ids(objs)).toEqual(['MutatingWebhookConfiguration/istio-revision-tag-prod-external-istiod', 'Service/external-istiod/istiod-revision-tag-prod']);
    for (const w of objs[0]!.webhooks!) expect(w.clientConfig).toEqual({ url: 'https://istiod.example.com:15017/inject/cluster/r2/net/n2' });
  });

  it('the external istiod (operatorManageWebhooks) gets the tag Service but no tag webhook', () => {
    const t = externalMesh('istiod.example.com', { tags: { prod: 'default' } });
    expect(ids(renderWebhooks(t, 'ext').get('revision-tag-prod')!)).toEqual([
      'MutatingWebhookConfiguration/istio-revision-tag-prod',
      'Service/external-istiod/istiod-revision-tag-prod',
      'Service/istio-system/istiod-revision-tag-prod',
    ]);
  });
});
