import { describe, expect, it } from 'vitest';
import { formatMarkdown, MARKDOWN_LIMIT, type MeshDiff } from '../../generator/diff/format.ts';
import { meshEvents, summarize } from '../../generator/diff/mesh-events.ts';
import { changedFields, diffTrees } from '../../generator/diff/tree-diff.ts';
import { canonicalYaml } from '../../generator/yaml/canonical.ts';

const mwc = (name: string, rev: string, tag?: string) =>
  canonicalYaml({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name, labels: { 'istio.io/rev': rev, ...(tag ? { 'istio.io/tag': tag } : {}) } } });
const ns = (network: string) => canonicalYaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': network } } });
const kubeconfigSecret = (target: string) =>
  canonicalYaml({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'istio-kubeconfig', namespace: 'external-istiod' }, spec: { target: { template: { metadata: { annotations: { 'networking.istio.io/cluster': target } } } } } });

function clusterFiles(cluster: string, revs: string[], tags: Record<string, string>, secrets: string[] = [], network = 'network1'): [string, string][] {
  return [
    [`clusters/${cluster}/00-namespaces/namespaces/namespace-istio-system.yaml`, ns(network)],
    ...revs.map((r): [string, string] => [`clusters/${cluster}/40-webhooks/istiod-${r}/mutatingwebhookconfiguration-istio-sidecar-injector-${r}.yaml`, mwc(`istio-sidecar-injector-${r}`, r)]),
    ...Object.entries(tags).map(([t, r]): [string, string] => [`clusters/${cluster}/40-webhooks/revision-tag-${t}/mutatingwebhookconfiguration-istio-revision-tag-${t}.yaml`, mwc(`istio-revision-tag-${t}`, r, t)]),
    // Remote secrets live once per mesh under shared/ and are listed by the reader's kustomization.
    ...(secrets.length === 0
      ? []
      : [[`clusters/${cluster}/70-secrets/remote-secrets/kustomization.yaml`, canonicalYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: secrets.map((s) => `../../../../shared/remote-secrets/istio-system/${s}`) })] as [string, string]]),
  ];
}

describe('mesh events', () => {
  it('names exactly a moved tag, an added revision and an added cluster', () => {
    const base = new Map(clusterFiles('cluster1', ['1-29-6'], { default: '1-29-6', 'prod-stable': '1-29-6' }));
    const head = new Map([
      ...clusterFiles('cluster1', ['1-29-6', '1-30-3'], { default: '1-29-6', 'prod-stable': '1-30-3' }, ['cluster2']),
      ...clusterFiles('cluster2', ['1-29-6', '1-30-3'], { default: '1-29-6', 'prod-stable': '1-30-3' }),
    ]);
    expect(meshEvents(summarize(base), summarize(head))).toEqual([
      'cluster cluster2 added (remote secret on cluster1)',
      'cluster1: revision 1-30-3 added',
      'tag prod-stable: 1-29-6 → 1-30-3 (cluster1)',
    ]);
  });

  it('reads remote secrets both from shared references and from a file in the cluster tree (istio-kubeconfig)', () => {
    const kubeconfig: [string, string] = ['clusters/ext/70-secrets/remote-secrets/externalsecret-istio-kubeconfig.yaml', kubeconfigSecret('config')];
    const base = new Map([...clusterFiles('ext', ['x'], {}, ['r1']), kubeconfig, ...clusterFiles('config', ['x'], {}), ...clusterFiles('r1', ['x'], {})]);
    const head = new Map([...clusterFiles('ext', ['x'], {}, []), ...clusterFiles('config', ['x'], {}), ...clusterFiles('r1', ['x'], {})]);
    expect(summarize(base).clusters.get('ext')!.remoteSecrets).toEqual(new Set(['config', 'r1']));
    expect(meshEvents(summarize(base), summarize(head))).toEqual(['remote secret for config removed from ext', 'remote secret for r1 removed from ext']);
  });

  it('reports removed revisions, network moves and remote secrets of existing clusters', () => {
    const base = new Map([...clusterFiles('a', ['x', 'y'], {}, ['b']), ...clusterFiles('b', ['x'], {})]);
    const head = new Map([...clusterFiles('a', ['x'], {}, []), ...clusterFiles('b', ['x'], {}, [], 'network2')]);
    expect(meshEvents(summarize(base), summarize(head))).toEqual(['a: revision y removed', 'remote secret for b removed from a', 'b: network network1 → network2']);
  });

  it('reports nothing between identical trees', () => {
    const t = new Map(clusterFiles('a', ['x'], { default: 'x' }));
    expect(meshEvents(summarize(t), summarize(t))).toEqual([]);
  });
});

describe('object diff', () => {
  it('reports added, removed and changed objects with the changed fields, matching named list items by name', () => {
    const dep = (image: string, env: string) =>
      canonicalYaml({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istiod', namespace: 'istio-system' }, spec: { template: { spec: { containers: [{ name: 'discovery', image, env: [{ name: 'A', value: env }, { name: 'B', value: '1' }] }] } } } });
    const before = new Map([['clusters/c/x/deployment-istiod.yaml', dep('pilot:1.29.6', 'a')], ['clusters/c/x/gone.yaml', ns('n1')], ['clusters/c/x/kustomization.yaml', 'r\n']]);
    const after = new Map([['clusters/c/x/deployment-istiod.yaml', dep('pilot:1.30.3', 'a')], ['clusters/c/x/new.yaml', ns('n2')], ['clusters/c/x/kustomization.yaml', 's\n']]);
    const d = diffTrees('m', before, after);
    expect(d.changes.map((c) => [c.change, c.object.kind, c.object.name, c.fields])).toEqual([
      ['changed', 'Deployment', 'istiod', ['spec.template.spec.containers[discovery].image']],
      ['removed', 'Namespace', 'istio-system', []],
      ['added', 'Namespace', 'istio-system', []],
    ]);
  });

  it('sees a reordered named list as unchanged', () => {
    expect(changedFields({ l: [{ name: 'a', v: 1 }, { name: 'b', v: 2 }] }, { l: [{ name: 'b', v: 2 }, { name: 'a', v: 1 }] })).toEqual([]);
  });
});

describe('markdown', () => {
  it('stays under the pull-request comment limit by summarising', () => {
    const before = new Map<string, string>();
    const after = new Map<string, string>();
    for (let c = 0; c < 300; c++) for (let i = 0; i < 20; i++) after.set(`clusters/cluster${c}/l/u/namespace-n${i}.yaml`, ns(`net${i}`));
    const diff: MeshDiff = { diff: diffTrees('big', before, after), events: Array.from({ length: 300 }, (_, c) => `cluster cluster${c} added`) };
    const md = formatMarkdown([diff]);
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(md).toMatch(/Output shortened to fit a pull-request comment/);
    expect(md).toMatch(/^- cluster cluster299 added$/m);
    expect(md).toMatch(/\| cluster0 \| 20 \| 0 \| 0 \|/);
  });

  it('keeps everything when it fits', () => {
    const after = new Map([['clusters/a/l/u/namespace-x.yaml', ns('n')]]);
    const md = formatMarkdown([{ diff: diffTrees('m', new Map(), after), events: ['cluster a added'] }]);
    expect(md).not.toMatch(/shortened/);
    expect(md).toContain('- added `Namespace istio-system`');
  });
});
