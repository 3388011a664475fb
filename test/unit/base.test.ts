/**
 * The base component: the reader ServiceAccount (base layer) and istiod-default-validator (webhooks
 * layer), as the base chart renders them (facts §1.1, §3.3, §6.5). Expected values written by hand
 * from the chart's reader-serviceaccount.yaml and defaultrevision-validatingwebhookconfiguration.yaml.
 */
import { describe, expect, it } from 'vitest';
import { planBase } from '../../generator/components/base.ts';
import type { Topology } from '../../generator/types.ts';
import { modelFrom, topologyDoc, type ClusterInput } from '../support/builders.ts';
import { renderPlannerUnits, type K8sObject } from '../support/render-planner.ts';


/** The base units of one cluster, rendered: unit name → [layer, objects]. */
function renderBase(t: Topology, cluster: string): Map<string, { layer: string; objects: K8sObject[] }> {
  return new Map(renderPlannerUnits(planBase, t, cluster).map((u) => [u.unit, { layer: u.layer, objects: u.objects }]));
}

const primary = (name: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'primary', network: 'n1', ...extra });
const remote = (name: string, controlPlane: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'remote', network: 'n1', controlPlane, ...extra });
const externalMesh = (address: string) =>
  modelFrom(
    topologyDoc({
      clusters: [
        { name: 'ext', role: 'external', network: 'n1', external: { address, tlsSecret: 'cert', configCluster: 'cfg' } },
        remote('cfg', 'ext'),
        { name: 'r2', role: 'remote', network: 'n2', controlPlane: 'ext' },
      ],
      networks: ['n1', 'n2'],
    }),
  );
const twoRevisions = (tags: Record<string, string> | undefined) =>
  modelFrom(
    topologyDoc({
      clusters: [primary('p')],
      istio: { revisions: [{ name: '1-29-6', version: '1.29.6' }, { name: '1-30-3', version: '1.30.3' }], ...(tags ? { tags } : {}) },
    }),
  );

describe('planBase: units', () => {
  it('puts the reader ServiceAccount in the base layer and the default validator in the webhooks layer', () => {
    const units = renderBase(modelFrom(topologyDoc({ clusters: [primary('p')] })), 'p');
    expect([...units].map(([unit, u]) => [unit, u.layer, u.objects.map((o) => `${o.kind}/${o.metadata.name}`)])).toEqual([
      ['istio-base', 'base', ['ServiceAccount/istio-reader-service-account']],
      ['default-validator', 'webhooks', ['ValidatingWebhookConfiguration/istiod-default-validator']],
    ]);
  });
});

describe('reader ServiceAccount', () => {
  const cases: { name: string; topology: () => Topology; cluster: string; namespace: string }[] = [
    { name: 'primary: istio-system', topology: () => modelFrom(topologyDoc({ clusters: [primary('p')] })), cluster: 'p', namespace: 'istio-system' },
    { name: 'a non-default Istio namespace', topology: () => modelFrom(topologyDoc({ clusters: [primary('p')], istio: { namespace: 'istio-prod' } })), cluster: 'p', namespace: 'istio-prod' },
    { name: 'remote of an external control plane: its namespace', topology: () => externalMesh('istiod.example.com'), cluster: 'r2', namespace: 'external-istiod' },
    { name: 'the external cluster itself: istio-system', topology: () => externalMesh('istiod.example.com'), cluster: 'ext', namespace: 'istio-system' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [sa] = renderBase(c.topology(), c.cluster).get('istio-base')!.objects;
      expect(sa).toEqual({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'istio-reader-service-account', namespace: c.namespace, labels: { app: 'istio-reader', 'app.kubernetes.io/name': 'istio-reader' } },
      });
    });
  }
});

describe('istiod-default-validator', () => {
  const cases: { name: string; topology: () => Topology; cluster: string; rev: string; client: object }[] = [
    {
      name: 'default revision: istiod',
      topology: () => modelFrom(topologyDoc({ clusters: [primary('p')] })),
      cluster: 'p',
      rev: 'default',
      client: { service: { name: 'istiod', namespace: 'istio-system', path: '/validate' } },
    },
    {
      name: 'the revision holding the default tag (base defaultRevision)',
      topology: () => twoRevisions({ default: '1-30-3' }),
      cluster: 'p',
      rev: '1-30-3',
      client: { service: { name: 'istiod-1-30-3', namespace: 'istio-system', path: '/validate' } },
    },
    {
      name: 'no default tag: the cluster default revision as resolved (its first)',
      topology: () => twoRevisions(undefined),
      cluster: 'p',
      rev: '1-29-6',
      client: { service: { name: 'istiod-1-29-6', namespace: 'istio-system', path: '/validate' } },
    },
    {
      name: 'a non-default Istio namespace',
      topology: () => modelFrom(topologyDoc({ clusters: [primary('p')], istio: { namespace: 'istio-prod' } })),
      cluster: 'p',
      rev: 'default',
      client: { service: { name: 'istiod', namespace: 'istio-prod', path: '/validate' } },
    },
    {
      name: 'remote of a primary: the remote istiod Service',
      topology: () => modelFrom(topologyDoc()),
      cluster: 'cluster2',
      rev: 'default',
      client: { service: { name: 'istiod', namespace: 'istio-system', path: '/validate' } },
    },
    {
      name: 'config cluster of an external control plane by DNS: base.validationURL',
      topology: () => externalMesh('istiod.example.com'),
      cluster: 'cfg',
      rev: 'default',
      client: { url: 'https://istiod.example.com:15017/validate' },
    },
    {
      name: 'additional remote of an external control plane: istiod in its namespace (no validationURL)',
      topology: () => externalMesh('istiod.example.com'),
      cluster: 'r2',
      rev: 'default',
      client: { service: { name: 'istiod', namespace: 'external-istiod', path: '/validate' } },
    },
    {
      name: 'the external cluster: its own istiod in istio-system',
      topology: () => externalMesh('istiod.example.com'),
      cluster: 'ext',
      rev: 'default',
      client: { service: { name: 'istiod', namespace: 'istio-system', path: '/validate' } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [vwc] = renderBase(c.topology(), c.cluster).get('default-validator')!.objects;
      expect(vwc!.metadata).toEqual({
        name: 'istiod-default-validator',
        labels: { app: 'istiod', istio: 'istiod', 'istio.io/rev': c.rev, 'app.kubernetes.io/name': 'istiod' },
      });
      expect(vwc!.webhooks).toEqual([
        {
          name: 'validation.istio.io',
          clientConfig: c.client,
          rules: [
            {
              operations: ['CREATE', 'UPDATE'],
              apiGroups: ['security.istio.io', 'networking.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
              apiVersions: ['*'],
              resources: ['*'],
            },
          ],
          failurePolicy: 'Fail',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ]);
    });
  }
});
