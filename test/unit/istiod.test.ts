import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INJECTION_TEMPLATES, istiodContext, mergeOverwrite, planIstiod, resources, type IstiodContext } from '../../generator/components/istiod.ts';
import { istiodInstances, type IstiodInstance } from '../../generator/components/istiod-instance.ts';
import { injectorValues } from '../../generator/components/istiod-values.ts';
import { PlanError } from '../../generator/errors.ts';
import type { IstioRelease } from '../../generator/istio/release.ts';
import { loadCatalog } from '../../generator/templating/catalog.ts';
import type { Topology } from '../../generator/types.ts';
import { modelFrom, topologyDoc, type ClusterInput } from '../support/builders.ts';
import { renderedByUnit, renderPlannerUnits, type K8sObject } from '../support/render-planner.ts';


const catalog = loadCatalog();

/**
 * A stand-in release whose injection templates are short made-up texts (never upstream content),
 * with the surrounding blank lines the chart trims.
 */
function fakeRelease(version: string, omit: string[] = []): IstioRelease {
  const files = new Map<string, string>();
  for (const [name, file] of INJECTION_TEMPLATES) {
    if (!omit.includes(file)) files.set(file, `\n\n# ${name} template of ${version}\nspec: {{ .Values.x }}\n  nested: "quoted"\n\n`);
  }
  return { version, origin: `/fake/istio-${version}`, archiveSha256: null, crds: '', discoveryFiles: files };
}

const releasesFor = (t: Topology) => new Map(t.istio.revisions.map((r) => [r.version, fakeRelease(r.version)]));

function instance(t: Topology, cluster: string, unit?: string): IstiodInstance {
  const c = t.clusters.find((x) => x.name === cluster)!;
  const all = istiodInstances(t, c);
  return unit ? all.find((i) => i.unit === unit)! : all[0]!;
}

function ctx(t: Topology, cluster: string, unit?: string): IstiodContext['istiod'] {
  const inst = instance(t, cluster, unit);
  return istiodContext(inst, fakeRelease(inst.revision.version)).istiod;
}

/** The istiod units of one cluster, rendered: unit name → objects. */
function renderIstiod(t: Topology, cluster: string, releases = releasesFor(t)): Map<string, K8sObject[]> {
  return renderedByUnit(renderPlannerUnits(planIstiod, t, cluster, releases), 'control-plane');
}

const ids = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const find = (objs: K8sObject[], kind: string, name?: string) => objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const envOf = (d: K8sObject) => d.spec.template.spec.containers[0].env as { name: string; value?: string }[];

const primary = (name: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'primary', network: 'n1', ...extra });
const remote = (name: string, controlPlane: string, extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'remote', network: 'n1', controlPlane, ...extra });
const primaryRemote = (address: string, istio?: Record<string, unknown>) =>
  modelFrom(topologyDoc({ clusters: [primary('p', { eastWest: { address } }), remote('r', 'p')], ...(istio ? { istio } : {}) }));
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

describe('planIstiod', () => {
  it('plans one control-plane unit per istiod install, with that install revision', () => {
    const t = modelFrom(
      topologyDoc({
        clusters: [primary('p')],
        istio: { revisions: [{ name: '1-29-6', version: '1.29.6' }, { name: '1-30-3', version: '1.30.3' }] },
      }),
    );
    const reqs = planIstiod({ topology: t, cluster: t.clusters[0]!, catalog, releases: releasesFor(t) });
    expect(reqs.map((r) => [r.component, r.layer, r.unit, r.revision?.minor])).toEqual([
      ['istiod', 'control-plane', 'istiod-1-29-6', '1.29'],
      ['istiod', 'control-plane', 'istiod-1-30-3', '1.30'],
    ]);
  });

  it('plans the external cluster own istiod and the mesh istiod in the external namespace', () => {
    const t = externalMesh('istiod.example.com');
    const reqs = planIstiod({ topology: t, cluster: t.clusters.find((c) => c.name === 'ext')!, catalog, releases: releasesFor(t) });
    expect(reqs.map((r) => r.unit)).toEqual(['istiod', 'external-istiod']);
  });

  it('takes the 1.29 ClusterRole for a 1.29 revision and the newer one for 1.30', () => {
    const t = modelFrom(
      topologyDoc({ clusters: [primary('p')], istio: { revisions: [{ name: 'old', version: '1.29.6' }, { name: 'new', version: '1.30.3' }] } }),
    );
    const units = renderIstiod(t, 'p');
    const gatewayStatus = (unit: string) =>
      (find(units.get(unit)!, 'ClusterRole', `istiod-clusterrole-${unit.replace('istiod-', '')}-istio-system`)!.rules as { apiGroups: string[]; resources: string[] }[])
        .filter((r) => r.resources.some((x) => x.endsWith('/status')) && r.apiGroups[0]!.startsWith('gateway.'))
        .flatMap((r) => r.resources);
    expect(gatewayStatus('istiod-old')).toContain('xlistenersets/status');
    expect(gatewayStatus('istiod-old')).not.toContain('listenersets/status');
    expect(gatewayStatus('istiod-new')).toContain('listenersets/status');
    expect(gatewayStatus('istiod-new')).not.toContain('xlistenersets/status');
  });
});

describe('istiod objects per role', () => {
  const primaryObjects = [
    'ClusterRole/istio-reader-clusterrole-istio-system',
    'ClusterRole/istiod-clusterrole-istio-system',
    'ClusterRole/istiod-gateway-controller-istio-system',
    'ClusterRoleBinding/istio-reader-clusterrole-istio-system',
    'ClusterRoleBinding/istiod-clusterrole-istio-system',
    'ClusterRoleBinding/istiod-gateway-controller-istio-system',
    'ConfigMap/istio',
    'ConfigMap/istio-sidecar-injector',
    'Deployment/istiod',
    'HorizontalPodAutoscaler/istiod',
    'Role/istiod',
    'RoleBinding/istiod',
    'Service/istiod',
    'ServiceAccount/istiod',
  ];
  const configClusterObjects = [
    'ClusterRole/istio-reader-clusterrole-external-istiod',
    'ClusterRole/istiod-clusterrole-external-istiod',
    'ClusterRole/istiod-gateway-controller-external-istiod',
    'ClusterRoleBinding/istio-reader-clusterrole-external-istiod',
    'ClusterRoleBinding/istiod-clusterrole-external-istiod',
    'ClusterRoleBinding/istiod-gateway-controller-external-istiod',
    'ConfigMap/istio',
    'Role/istiod',
    'RoleBinding/istiod',
    'ServiceAccount/istiod',
  ];
  const cases: { name: string; topology: () => Topology; cluster: string; unit: string; expected: string[] }[] = [
    { name: 'primary: 14 objects', topology: () => primaryRemote('10.1.2.3'), cluster: 'p', unit: 'istiod', expected: primaryObjects },
    {
      name: 'remote of a primary (config cluster, IPv4): istiod RBAC, remote Service and EndpointSlice',
      topology: () => primaryRemote('10.1.2.3'),
      cluster: 'r',
      unit: 'istiod',
      expected: [
        ...primaryObjects.filter((o) => /^(Cluster)?Role|ServiceAccount/.test(o)),
        'EndpointSlice/istiod',
        'Service/istiod',
      ].sort(),
    },
    { name: 'config cluster of an external control plane (DNS): mesh config, no remote Service', topology: () => externalMesh('istiod.example.com'), cluster: 'cfg', unit: 'istiod', expected: configClusterObjects },
    {
      name: 'config cluster of an external control plane (IP): also the remote Service and EndpointSlice',
      topology: () => externalMesh('192.0.2.10'),
      cluster: 'cfg',
      unit: 'istiod',
      expected: [...configClusterObjects, 'EndpointSlice/istiod', 'Service/istiod'].sort(),
    },
    {
      name: 'additional remote of an external control plane (DNS): only the reader role',
      topology: () => externalMesh('istiod.example.com'),
      cluster: 'r2',
      unit: 'istiod',
      expected: ['ClusterRole/istio-reader-clusterrole-external-istiod', 'ClusterRoleBinding/istio-reader-clusterrole-external-istiod'],
    },
    {
      name: 'external istiod: a primary install in the external namespace',
      topology: () => externalMesh('istiod.example.com'),
      cluster: 'ext',
      unit: 'external-istiod',
      expected: primaryObjects.map((o) => o.replace(/-istio-system$/, '-external-istiod')).sort(),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(ids(renderIstiod(c.topology(), c.cluster).get(c.unit)!)).toEqual(c.expected);
    });
  }

  it('gives the reader role the remote rules only in the remote profile', () => {
    const t = primaryRemote('10.1.2.3');
    const writesConfigMaps = (cluster: string) =>
      (find(renderIstiod(t, cluster).get('istiod')!, 'ClusterRole', 'istio-reader-clusterrole-istio-system')!.rules as { resources: string[]; verbs: string[] }[]).some(
        (r) => r.resources.includes('configmaps') && r.verbs.includes('update'),
      );
    expect(writesConfigMaps('r')).toBe(true);
    expect(writesConfigMaps('p')).toBe(false);
  });
});

describe('istiodContext: the remote istiod Service', () => {
  const cases: { name: string; address: string; version?: string; service: object | null; slice: object | null }[] = [
    { name: 'IPv4: EndpointSlice', address: '34.75.71.237', service: { name: 'istiod', externalName: null }, slice: { name: 'istiod', addressType: 'IPv4', address: '34.75.71.237' } },
    { name: 'IPv6: EndpointSlice of IPv6', address: '2001:db8::1', service: { name: 'istiod', externalName: null }, slice: { name: 'istiod', addressType: 'IPv6', address: '2001:db8::1' } },
    { name: 'DNS name: ExternalName, no EndpointSlice', address: 'istiod.example.com', service: { name: 'istiod', externalName: 'istiod.example.com' }, slice: null },
    {
      name: 'IPv6 with Istio 1.29: ExternalName (that chart knows only IPv4 literals)',
      address: '2001:db8::1',
      version: '1.29.6',
      service: { name: 'istiod', externalName: '2001:db8::1' },
      slice: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = primaryRemote(c.address, c.version ? { revisions: [{ name: 'default', version: c.version }] } : undefined);
      const r = ctx(t, 'r');
      expect(r.remoteService).toEqual(c.service);
      expect(r.endpointSlice).toEqual(c.slice);
      expect(ctx(t, 'p').remoteService).toBeNull();
    });
  }

  it('renders the EndpointSlice labelled with its Service and the Service without a selector', () => {
    const objs = renderIstiod(primaryRemote('2001:db8::1'), 'r').get('istiod')!;
    const slice = find(objs, 'EndpointSlice')!;
    expect(slice.metadata.labels!['kubernetes.io/service-name']).toBe('istiod');
    expect(slice.addressType).toBe('IPv6');
    expect(slice.endpoints).toEqual([{ addresses: ['2001:db8::1'] }]);
    expect(slice.ports.map((p: { port: number }) => p.port)).toEqual([15012, 15017]);
    const svc = find(objs, 'Service')!;
    expect(svc.spec.selector).toBeUndefined();
    expect(svc.spec.type).toBeUndefined();
  });

  it('renders an ExternalName Service for a DNS name', () => {
    const svc = find(renderIstiod(primaryRemote('istiod.example.com'), 'r').get('istiod')!, 'Service')!;
    expect(svc.spec).toMatchObject({ type: 'ExternalName', externalName: 'istiod.example.com' });
  });

  it('names the remote Service after the revision', () => {
    const t = primaryRemote('10.1.2.3', { revisions: [{ name: 'canary', version: '1.30.3' }] });
    expect(ctx(t, 'r', 'istiod-canary').remoteService).toEqual({ name: 'istiod-canary', externalName: null });
  });
});

describe('istiodContext: names, labels and selectors', () => {
  it('suffixes every name with the revision and selects pods by revision', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p')], istio: { revisions: [{ name: 'canary', version: '1.30.3' }] } }));
    const c = ctx(t, 'p', 'istiod-canary');
    expect(c.names).toEqual({
      istiod: 'istiod-canary',
      meshConfigMap: 'istio-canary',
      injectorConfigMap: 'istio-sidecar-injector-canary',
      clusterRole: 'istiod-clusterrole-canary-istio-system',
      gatewayControllerRole: 'istiod-gateway-controller-canary-istio-system',
      readerRole: 'istio-reader-clusterrole-canary-istio-system',
    });
    expect(c.revision).toBe('canary');
    expect(c.deploymentSelector).toEqual({ app: 'istiod', 'istio.io/rev': 'canary' });
    expect(c.podSelector).toEqual({ app: 'istiod', 'istio.io/rev': 'canary' });
    expect(c.podIstioLabel).toBe('istiod');
    expect(c.meshConfigMap!.mesh.defaultConfig).toMatchObject({ discoveryAddress: 'istiod-canary.istio-system.svc:15012' });

    const d = find(renderIstiod(t, 'p').get('istiod-canary')!, 'Deployment')!;
    expect(d.metadata.labels!['istio']).toBe('pilot');
    expect(d.spec.template.metadata.labels).toMatchObject({ istio: 'istiod', 'istio.io/rev': 'canary' });
    expect(envOf(d)[0]).toEqual({ name: 'REVISION', value: 'canary' });
    expect(d.spec.template.spec.serviceAccountName).toBe('istiod-canary');
  });

  it('without a revision: istio: pilot selectors and "default" labels', () => {
    const c = ctx(primaryRemote('10.1.2.3'), 'p');
    expect(c.names.istiod).toBe('istiod');
    expect(c.revision).toBe('default');
    expect(c.deploymentSelector).toEqual({ istio: 'pilot' });
    expect(c.podSelector).toEqual({ app: 'istiod', istio: 'pilot' });
    expect(c.podIstioLabel).toBe('pilot');
  });

  it('places everything in a non-default Istio namespace', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p')], istio: { namespace: 'mesh-system' } }));
    const c = ctx(t, 'p');
    expect(c.namespace).toBe('mesh-system');
    expect(c.names.clusterRole).toBe('istiod-clusterrole-mesh-system');
    expect(c.names.readerRole).toBe('istio-reader-clusterrole-mesh-system');
    expect(c.deployment!.caTrustedNodeAccounts).toBe('mesh-system/ztunnel');
    expect(c.meshConfigMap!.mesh).toMatchObject({ rootNamespace: 'mesh-system', defaultConfig: { discoveryAddress: 'istiod.mesh-system.svc:15012' } });
    expect(JSON.parse(c.injectorConfigMap!.values).global.istioNamespace).toBe('mesh-system');

    const objs = renderIstiod(t, 'p').get('istiod')!;
    for (const o of objs.filter((x) => !x.kind.startsWith('Cluster'))) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('mesh-system');
    for (const b of objs.filter((x) => x.kind === 'ClusterRoleBinding')) expect(b.subjects[0].namespace).toBe('mesh-system');
  });
});

describe('istiodContext: replicas, autoscaling and the PodDisruptionBudget', () => {
  const cases: { name: string; istiod?: Record<string, unknown>; replicas: number | null; hpa: object | null; pdb: boolean }[] = [
    { name: 'chart defaults: HPA 1..5, no PDB', replicas: null, hpa: { min: 1, max: 5, cpu: 80 }, pdb: false },
    { name: 'autoscale min 2: HPA and PDB', istiod: { autoscale: { min: 2, max: 7 } }, replicas: null, hpa: { min: 2, max: 7, cpu: 80 }, pdb: true },
    { name: 'fixed 3 replicas: no HPA, a PDB', istiod: { replicas: 3 }, replicas: 3, hpa: null, pdb: true },
    { name: 'fixed 1 replica: no HPA, no PDB', istiod: { replicas: 1 }, replicas: 1, hpa: null, pdb: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = modelFrom(topologyDoc({ clusters: [primary('p', c.istiod ? { istiod: c.istiod } : {})] }));
      const x = ctx(t, 'p');
      expect(x.deployment!.replicas).toBe(c.replicas);
      expect(x.hpa).toEqual(c.hpa);
      expect(x.pdb !== null).toBe(c.pdb);
      const objs = renderIstiod(t, 'p').get('istiod')!;
      const d = find(objs, 'Deployment')!;
      expect(d.spec.replicas).toBe(c.replicas ?? undefined);
      expect(find(objs, 'HorizontalPodAutoscaler') !== undefined).toBe(c.hpa !== null);
      const pdb = find(objs, 'PodDisruptionBudget');
      expect(pdb !== undefined).toBe(c.pdb);
      if (pdb) expect(pdb.spec).toEqual({ minAvailable: 1, selector: { matchLabels: { app: 'istiod', istio: 'pilot' } } });
    });
  }

  it('never renders a Deployment, HPA or PDB where istiod does not run', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p', { eastWest: { address: '10.0.0.1' } }), remote('r', 'p', { istiod: { replicas: 3 } })] }));
    const x = ctx(t, 'r');
    expect([x.local, x.deployment, x.hpa, x.pdb]).toEqual([false, null, null, null]);
  });
});

describe('istiodContext: the Deployment', () => {
  it('takes hub, tag, nodeSelector, tolerations and resources from the topology', () => {
    const t = modelFrom(
      topologyDoc({
        clusters: [
          primary('p', {
            istiod: {
              nodeSelector: { pool: 'system', 'kubernetes.io/os': 'linux' },
              tolerations: [{ operator: 'Exists', key: 'dedicated', effect: 'NoSchedule' }],
              resources: { limits: { memory: '4Gi' }, requests: { cpu: '1' } },
            },
          }),
        ],
        istio: { hub: 'mirror.example.com/istio' },
      }),
    );
    const d = ctx(t, 'p').deployment!;
    expect(d.image).toBe('mirror.example.com/istio/pilot:1.30.3');
    expect(Object.keys(d.nodeSelector!)).toEqual(['kubernetes.io/os', 'pool']);
    // The chart's own toleration first, then the topology's (keys sorted, as Helm's toYaml writes them).
    expect(d.tolerations).toEqual([{ key: 'cni.istio.io/not-ready', operator: 'Exists' }, { effect: 'NoSchedule', key: 'dedicated', operator: 'Exists' }]);
    expect(Object.keys(d.tolerations[1]!)).toEqual(['effect', 'key', 'operator']);
    expect(d.resources).toEqual({ limits: { memory: '4Gi' }, requests: { cpu: '1', memory: '2048Mi' } });
    expect(Object.keys(d.resources!)).toEqual(['limits', 'requests']);
  });

  it('puts the topology env sorted after CA_TRUSTED_NODE_ACCOUNTS and before PILOT_TRACE_SAMPLING', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p', { istiod: { env: { ZED: 'z', ALPHA: 'a' } } })] }));
    const names = envOf(find(renderIstiod(t, 'p').get('istiod')!, 'Deployment')!).map((e) => e.name);
    expect(names).toEqual([
      'REVISION',
      'PILOT_CERT_PROVIDER',
      'POD_NAME',
      'POD_NAMESPACE',
      'SERVICE_ACCOUNT',
      'KUBECONFIG',
      'CA_TRUSTED_NODE_ACCOUNTS',
      'ALPHA',
      'ZED',
      'PILOT_TRACE_SAMPLING',
      'PILOT_ENABLE_ANALYSIS',
      'CLUSTER_ID',
      'GOMAXPROCS',
      'PLATFORM',
    ]);
  });

  it('sets EXTERNAL_ISTIOD on a primary that serves remotes, once even when the env sets it too', () => {
    const serving = envOf(find(renderIstiod(primaryRemote('10.1.2.3'), 'p').get('istiod')!, 'Deployment')!);
    expect(serving.filter((e) => e.name === 'EXTERNAL_ISTIOD')).toEqual([{ name: 'EXTERNAL_ISTIOD', value: 'true' }]);
    expect(serving.find((e) => e.name === 'CLUSTER_ID')).toEqual({ name: 'CLUSTER_ID', value: 'p' });

    const alone = modelFrom(topologyDoc({ clusters: [primary('p')] }));
    expect(envOf(find(renderIstiod(alone, 'p').get('istiod')!, 'Deployment')!).some((e) => e.name === 'EXTERNAL_ISTIOD')).toBe(false);

    const both = modelFrom(topologyDoc({ clusters: [primary('p', { eastWest: { address: '10.0.0.1' }, istiod: { env: { EXTERNAL_ISTIOD: 'true' } } }), remote('r', 'p')] }));
    expect(envOf(find(renderIstiod(both, 'p').get('istiod')!, 'Deployment')!).filter((e) => e.name === 'EXTERNAL_ISTIOD')).toHaveLength(1);
  });

  it('drops the gateway-controller role when the deployment controller is turned off', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p', { istiod: { env: { PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER: 'false' } } })] }));
    const objs = ids(renderIstiod(t, 'p').get('istiod')!);
    expect(objs.filter((o) => o.includes('gateway-controller'))).toEqual([]);
    expect(objs).toContain('ClusterRole/istiod-clusterrole-istio-system');
  });
});

describe('istiodContext: the external istiod', () => {
  it('runs with the settings of the external control plane docs (DNS address)', () => {
    const c = ctx(externalMesh('istiod.example.com'), 'ext', 'external-istiod');
    const d = c.deployment!;
    expect(c.namespace).toBe('external-istiod');
    expect(d.env).toEqual([
      { name: 'EXTERNAL_ISTIOD', value: 'true' },
      { name: 'INJECTION_WEBHOOK_CONFIG_NAME', value: '' },
      { name: 'LOCAL_CLUSTER_SECRET_WATCHER', value: 'true' },
      { name: 'SHARED_MESH_CONFIG', value: 'istio' },
      { name: 'VALIDATION_WEBHOOK_CONFIG_NAME', value: '' },
    ]);
    // EXTERNAL_ISTIOD comes from the env, so the chart does not add it a second time.
    expect(d.externalIstiod).toBe(false);
    expect(d.clusterId).toBe('cfg');
    expect(d.caTrustedNodeAccounts).toBe('external-istiod/ztunnel');
    expect(d.volumes).toEqual([
      { configMap: { name: 'istio' }, name: 'config-volume' },
      { configMap: { name: 'istio-sidecar-injector' }, name: 'inject-volume' },
    ]);
    expect(d.volumeMounts).toEqual([
      { mountPath: '/etc/istio/config', name: 'config-volume' },
      { mountPath: '/var/lib/istio/inject', name: 'inject-volume' },
    ]);
    expect(c.meshConfigMap!.mesh).toEqual({
      defaultConfig: {
        discoveryAddress: 'istiod.example.com:15012',
        meshId: 'mesh1',
        proxyMetadata: { CA_ROOT_CA: '/etc/ssl/certs/ca-certificates.crt', XDS_ROOT_CA: '/etc/ssl/certs/ca-certificates.crt' },
      },
      defaultProviders: { metrics: ['prometheus'] },
      enablePrometheusMerge: true,
      rootNamespace: 'external-istiod',
      trustDomain: 'cluster.local',
    });
    const global = JSON.parse(c.injectorConfigMap!.values).global;
    expect(global).toMatchObject({ caAddress: 'istiod.example.com:15012', istioNamespace: 'external-istiod', operatorManageWebhooks: true, configValidation: false, network: '' });

    const objs = renderIstiod(externalMesh('istiod.example.com'), 'ext').get('external-istiod')!;
    const pod = find(objs, 'Deployment')!.spec.template.spec;
    expect(pod.volumes.map((v: { name: string }) => v.name).slice(-2)).toEqual(['config-volume', 'inject-volume']);
    expect(pod.containers[0].volumeMounts.map((v: { name: string }) => v.name).slice(-2)).toEqual(['config-volume', 'inject-volume']);
  });

  it('names the webhooks it patches and drops proxyMetadata for an IP address', () => {
    const c = ctx(externalMesh('192.0.2.10'), 'ext', 'external-istiod');
    expect(c.deployment!.env.filter((e) => e.name.endsWith('WEBHOOK_CONFIG_NAME'))).toEqual([
      { name: 'INJECTION_WEBHOOK_CONFIG_NAME', value: 'istio-sidecar-injector-external-istiod' },
      { name: 'VALIDATION_WEBHOOK_CONFIG_NAME', value: 'istio-validator-external-istiod' },
    ]);
    expect(c.meshConfigMap!.mesh.defaultConfig).toEqual({ discoveryAddress: '192.0.2.10:15012', meshId: 'mesh1' });
  });

  it('leaves the external cluster own istiod without mesh identity', () => {
    const c = ctx(externalMesh('istiod.example.com'), 'ext', 'istiod');
    expect(c.namespace).toBe('istio-system');
    expect(c.deployment!.clusterId).toBe('Kubernetes');
    expect(c.meshConfigMap!.mesh.defaultConfig).toEqual({ discoveryAddress: 'istiod.istio-system.svc:15012' });
  });
});

describe('mesh config', () => {
  it('merges the topology meshConfig over the generated one, keys sorted', () => {
    const t = modelFrom(
      topologyDoc({ clusters: [primary('p', { istiod: { meshConfig: { defaultConfig: { holdApplicationUntilProxyStarts: true }, accessLogFile: '/dev/stdout' } } })] }),
    );
    const mesh = ctx(t, 'p').meshConfigMap!.mesh;
    expect(mesh.defaultConfig).toEqual({ discoveryAddress: 'istiod.istio-system.svc:15012', holdApplicationUntilProxyStarts: true, meshId: 'mesh1' });
    expect(Object.keys(mesh)).toEqual(['accessLogFile', 'defaultConfig', 'defaultProviders', 'enablePrometheusMerge', 'rootNamespace', 'trustDomain']);
  });

  it('leaves out the default Prometheus provider when the topology names providers', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p', { istiod: { meshConfig: { defaultProviders: { tracing: ['otel'] } } } })] }));
    expect(ctx(t, 'p').meshConfigMap!.mesh.defaultProviders).toEqual({ tracing: ['otel'] });
  });

  it('writes the mesh trust domain', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p')], mesh: { trustDomain: 'example.org' } }));
    expect(ctx(t, 'p').meshConfigMap!.mesh.trustDomain).toBe('example.org');
  });

  it('renders the mesh config as YAML text in the ConfigMap', () => {
    const cm = find(renderIstiod(primaryRemote('10.1.2.3'), 'p').get('istiod')!, 'ConfigMap', 'istio')!;
    expect(parse(cm.data.mesh)).toEqual(ctx(primaryRemote('10.1.2.3'), 'p').meshConfigMap!.mesh);
    expect(parse(cm.data.meshNetworks)).toEqual({ networks: {} });
  });

  it('mergeOverwrite keeps a default when the override is empty, as sprig does', () => {
    expect(mergeOverwrite({ a: 'x', b: { c: 1, d: 2 } }, { a: '', b: { d: 3 }, e: false })).toEqual({ a: 'x', b: { c: 1, d: 3 }, e: false });
    // Keys named like Object.prototype members are keys like any other, not inherited ones.
    expect(mergeOverwrite({}, { toString: '', constructor: { a: 1 } })).toEqual({ toString: '', constructor: { a: 1 } });
  });

  it('resources() merges over the chart default and drops empty values', () => {
    expect(resources(null)).toEqual({ requests: { cpu: '500m', memory: '2048Mi' } });
    expect(resources({ requests: { memory: '' } })).toEqual({ requests: { cpu: '500m', memory: '2048Mi' } });
    expect(resources({ limits: { cpu: 2 } })).toEqual({ limits: { cpu: 2 }, requests: { cpu: '500m', memory: '2048Mi' } });
  });
});

describe('the injector ConfigMap', () => {
  it('embeds each release template trimmed, with one final newline, in the chart order', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p')] }));
    const cm = find(renderIstiod(t, 'p').get('istiod')!, 'ConfigMap', 'istio-sidecar-injector')!;
    const config = parse(cm.data.config);
    expect(Object.keys(config.templates)).toEqual(['sidecar', 'gateway', 'grpc-simple', 'grpc-agent', 'waypoint', 'kube-gateway', 'agentgateway']);
    expect(config.templates.sidecar).toBe('# sidecar template of 1.30.3\nspec: {{ .Values.x }}\n  nested: "quoted"\n');
    expect(config).toMatchObject({
      defaultTemplates: ['sidecar'],
      policy: 'enabled',
      alwaysInjectSelector: [],
      neverInjectSelector: [],
      injectedAnnotations: null,
      template: '{{ Template_Version_And_Istio_Version_Mismatched_Check_Installation }}',
    });
  });

  it('takes the templates of each revision own release', () => {
    const t = modelFrom(
      topologyDoc({ clusters: [primary('p')], istio: { revisions: [{ name: 'old', version: '1.29.6' }, { name: 'new', version: '1.30.3' }] } }),
    );
    const units = renderIstiod(t, 'p');
    const sidecar = (unit: string, name: string) => parse(find(units.get(unit)!, 'ConfigMap', name)!.data.config).templates.sidecar;
    expect(sidecar('istiod-old', 'istio-sidecar-injector-old')).toContain('of 1.29.6');
    expect(sidecar('istiod-new', 'istio-sidecar-injector-new')).toContain('of 1.30.3');
  });

  it('writes the values istiod injects with', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p', { network: 'net-a' })], networks: ['net-a'], istio: { revisions: [{ name: 'canary', version: '1.30.3' }] } }));
    const values = JSON.parse(find(renderIstiod(t, 'p').get('istiod-canary')!, 'ConfigMap', 'istio-sidecar-injector-canary')!.data.values);
    expect(values.revision).toBe('canary');
    expect(values.global).toMatchObject({ hub: 'registry.istio.io/release', tag: '1.30.3', meshID: 'mesh1', network: 'net-a', multiCluster: { clusterName: 'p' } });
    expect(Object.keys(values)).toEqual(['gateways', 'global', 'pilot', 'revision', 'sidecarInjectorWebhook']);
  });

  it('records the chart development hub of each minor as the default it overrides', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p')], istio: { revisions: [{ name: 'old', version: '1.29.6' }] } }));
    expect(injectorValues(instance(t, 'p')).global).toMatchObject({ hub: 'registry.istio.io/release', tag: '1.29.6' });
  });

  it('is not rendered on remotes, and is left out without the release (as the CRDs are)', () => {
    expect(ctx(primaryRemote('10.1.2.3'), 'r').injectorConfigMap).toBeNull();
    const t = modelFrom(topologyDoc({ clusters: [primary('p')] }));
    expect(istiodContext(instance(t, 'p'), null).istiod.injectorConfigMap).toBeNull();
  });

  it('fails naming the file when the release lacks an injection template', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p')] }));
    const call = () => istiodContext(instance(t, 'p'), fakeRelease('1.30.3', ['waypoint.yaml']));
    expect(call).toThrow(PlanError);
    expect(call).toThrow(/Istio 1\.30\.3 at \/fake\/istio-1\.30\.3 has no istio-discovery\/files\/waypoint\.yaml/);
  });
});
