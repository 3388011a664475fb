/**
 * The fidelity harness (test/support/fidelity.ts) on small synthetic objects: one test (or table) per rule
 * of shared/istio-reference/README.md "How equal is equal", plus tree resolution, deviations and RBAC.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  INSTALLER_LABELS,
  PARSED_DATA_KEYS,
  type Deviation,
  type Json,
  type K8sObject,
  clusterObjects,
  clustersOf,
  compareCluster,
  compareObjects,
  compareValues,
  countLeaves,
  danglingRoleRefs,
  findDeviation,
  isCrd,
  isFaithful,
  isIgnoredObject,
  isReferenceFile,
  namedItems,
  normaliseObject,
  objectId,
  pairObjects,
  parseDeviations,
  parseObjects,
  resolveKustomization,
} from '../support/fidelity.ts';
import { formatDiffs, showDifference } from '../support/fidelity-report.ts';
import { ROOT } from '../support/paths.ts';

const obj = (apiVersion: string, kind: string, name: string, namespace: string | null, rest: Record<string, Json> = {}): K8sObject => ({
  apiVersion,
  kind,
  metadata: namespace === null ? { name } : { name, namespace },
  ...rest,
});
const cm = (name: string, data: Record<string, Json>, labels: Record<string, Json> = {}): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns1', labels },
  data,
});
const paths = (ref: K8sObject, ours: K8sObject) => compareObjects(ref, ours).diffs.map((d) => d.path);

describe('pairing by API group, kind, namespace and name', () => {
  const ref = [obj('apps/v1', 'Deployment', 'web', 'ns1')];
  it.each([
    ['same identity', obj('apps/v1', 'Deployment', 'web', 'ns1'), 1],
    ['another API version of the same group', obj('apps/v1beta2', 'Deployment', 'web', 'ns1'), 1],
    ['another group', obj('extensions.example/v1', 'Deployment', 'web', 'ns1'), 0],
    ['another kind', obj('apps/v1', 'StatefulSet', 'web', 'ns1'), 0],
    ['another namespace', obj('apps/v1', 'Deployment', 'web', 'ns2'), 0],
    ['another name', obj('apps/v1', 'Deployment', 'web2', 'ns1'), 0],
    ['no namespace', obj('apps/v1', 'Deployment', 'web', null), 0],
  ])('%s pairs %i', (_, ours, pairs) => {
    const p = pairObjects(ref, [ours]);
    expect(p.pairs.length).toBe(pairs);
    expect(p.missing.length).toBe(1 - pairs);
  });

  it('tells the core group from a named one', () => {
    expect(objectId(obj('v1', 'Service', 's', 'n')).group).toBe('');
    expect(objectId(obj('networking.istio.io/v1', 'Gateway', 'g', 'n')).group).toBe('networking.istio.io');
  });

  it('still compares apiVersion as a leaf', () => {
    expect(paths(obj('apps/v1', 'Deployment', 'web', 'ns1'), obj('apps/v1beta2', 'Deployment', 'web', 'ns1'))).toEqual(['apiVersion']);
  });

  it('refuses the same object twice on one side', () => {
    expect(() => pairObjects(ref, [obj('apps/v1', 'Deployment', 'web', 'ns1'), obj('apps/v2', 'Deployment', 'web', 'ns1')])).toThrow(/appears twice/);
  });
});

describe('installer-only labels are ignored', () => {
  it.each(INSTALLER_LABELS.map((l) => [l]))('%s in the reference is not required of ours', (label) => {
    const ref = cm('c', {}, { app: 'x', [label]: 'helm' });
    expect(paths(ref, cm('c', {}, { app: 'x' }))).toEqual([]);
  });

  it('covers exactly the README list', () => {
    expect([...INSTALLER_LABELS].sort()).toEqual(
      ['app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/part-of', 'app.kubernetes.io/version', 'chart', 'endpointslice.kubernetes.io/managed-by', 'helm.sh/chart', 'heritage', 'install.operator.istio.io/owning-resource', 'release'].sort(),
    );
  });

  it('also in a pod template', () => {
    const pod = (labels: Record<string, Json>) => obj('apps/v1', 'Deployment', 'd', 'n', { spec: { template: { metadata: { labels } } } });
    expect(paths(pod({ app: 'd', 'helm.sh/chart': 'gateway-1.0.0', release: 'r' }), pod({ app: 'd' }))).toEqual([]);
  });

  it('other labels still count', () => {
    expect(paths(cm('c', {}, { app: 'x', 'istio.io/rev': 'default' }), cm('c', {}, { app: 'x' }))).toEqual(['metadata.labels["istio.io/rev"]']);
  });

  it('only in labels: the same keys elsewhere are compared', () => {
    const ref = cm('c', { release: 'r1' });
    expect(paths(ref, cm('c', {}))).toEqual(['data.release']);
  });
});

describe('the informational values ConfigMap is ignored', () => {
  it.each([
    ['values', true],
    ['values-1-30-3', true],
    ['values-canary', true],
    ['valuesx', false],
    ['my-values', false],
    ['values-', false],
  ])('ConfigMap %s: ignored %s', (name, ignored) => {
    expect(isIgnoredObject(cm(name, {}))).toBe(ignored);
  });

  it('is not ignored under another kind', () => {
    expect(isIgnoredObject(obj('v1', 'Secret', 'values', 'n'))).toBe(false);
  });

  it('is neither paired nor missing', () => {
    const p = pairObjects([cm('values', { 'original-values': '{}' }), cm('values-rev', {})], []);
    expect(p.missing).toEqual([]);
    expect(p.ignored.map((i) => i.name)).toEqual(['values', 'values-rev']);
  });
});

describe('ConfigMap strings holding YAML or JSON are compared parsed', () => {
  it.each(PARSED_DATA_KEYS.map((k) => [k]))('%s: same content, other formatting, is equal; other content differs', (key) => {
    const ref = cm('c', { [key]: 'a: 1\nb:\n  c: "x"\n' });
    expect(paths(ref, cm('c', { [key]: '{"b": {"c": "x"}, "a": 1}' }))).toEqual([]);
    expect(paths(ref, cm('c', { [key]: '{"b": {"c": "y"}, "a": 1}' }))).toEqual([`data.${key}.b.c`]);
  });

  it('other keys are compared as strings', () => {
    expect(paths(cm('c', { other: 'a: 1' }), cm('c', { other: '{"a": 1}' }))).toEqual(['data.other']);
  });

  it('only in ConfigMaps', () => {
    const secret = (v: string) => obj('v1', 'Secret', 's', 'n', { data: { mesh: v } });
    expect(paths(secret('a: 1'), secret('{"a": 1}'))).toEqual(['data.mesh']);
  });

  it('the injector config is YAML whose templates stay strings, compared character for character', () => {
    const config = (template: string) => `policy: enabled\ntemplates:\n  sidecar: ${JSON.stringify(template)}\n`;
    const ref = cm('istio-sidecar-injector', { config: config('spec:\n  containers: {{ .Values.x }}\n') });
    const sameParsedDifferentText = cm('istio-sidecar-injector', { config: config('spec:\n    containers: {{ .Values.x }}\n') });
    expect(normaliseObject(ref)).toMatchObject({ data: { config: { templates: { sidecar: 'spec:\n  containers: {{ .Values.x }}\n' } } } });
    expect(paths(ref, sameParsedDifferentText)).toEqual(['data.config.templates.sidecar']);
    expect(paths(ref, cm('istio-sidecar-injector', { config: `templates: {sidecar: ${JSON.stringify('spec:\n  containers: {{ .Values.x }}\n')}}\npolicy: enabled` }))).toEqual([]);
  });

  it('a string that is not YAML stays a string and must be equal', () => {
    expect(paths(cm('c', { mesh: 'a: [' }), cm('c', { mesh: 'a: [' }))).toEqual([]);
    expect(paths(cm('c', { mesh: 'a: [' }), cm('c', { mesh: 'a: [ ' }))).toEqual(['data.mesh']);
  });

  it('does not modify its input', () => {
    const ref = cm('c', { mesh: 'a: 1' }, { release: 'r' });
    normaliseObject(ref);
    expect(ref).toEqual(cm('c', { mesh: 'a: 1' }, { release: 'r' }));
  });
});

describe('lists whose items all carry a name are compared as maps keyed by name', () => {
  const a = { name: 'a', value: '1' };
  const b = { name: 'b', value: '2' };
  it('order does not matter', () => {
    expect(compareValues({ env: [a, b] }, { env: [b, a] }).diffs).toEqual([]);
  });
  it('a missing item is reported by name', () => {
    const c = compareValues({ env: [a, b] }, { env: [a] });
    expect(c.diffs.map((d) => [d.path, d.missingAt])).toEqual([
      ['env[name=b].name', 'env[name=b]'],
      ['env[name=b].value', 'env[name=b]'],
    ]);
  });
  it('an extra item of ours is allowed', () => {
    expect(compareValues({ env: [a] }, { env: [b, a] }).diffs).toEqual([]);
  });
  it('lists with an unnamed item are compared by position', () => {
    expect(namedItems([a, { value: '3' }])).toBeNull();
    expect(compareValues({ env: [a, { value: '3' }] }, { env: [{ value: '3' }, a] }).diffs.map((d) => d.path)).toEqual(['env[0].name', 'env[0].value', 'env[1].value']);
  });
  it('lists with a repeated name are compared by position', () => {
    expect(namedItems([a, { ...a, value: '9' }])).toBeNull();
  });
  it('scalar lists are compared by position', () => {
    expect(compareValues({ verbs: ['get', 'list'] }, { verbs: ['list', 'get'] }).diffs.map((d) => d.path)).toEqual(['verbs[0]', 'verbs[1]']);
  });
  it('names with odd characters are quoted in paths', () => {
    expect(compareValues({ l: [{ name: 'a b' }] }, { l: [] }).diffs[0]!.path).toBe('l[name="a b"].name');
  });
});

describe('every reference leaf must be in ours with the same value', () => {
  it('extra leaves of ours are allowed', () => {
    expect(compareValues({ a: 1 }, { a: 1, b: 2, c: { d: 3 } })).toEqual({ leaves: 1, matched: 1, diffs: [] });
  });
  it('a different value is reported with both values', () => {
    expect(compareValues({ a: { b: 'x' } }, { a: { b: 'y' } }).diffs).toEqual([{ path: 'a.b', expected: 'x', actual: 'y', missingAt: null }]);
  });
  it.each([
    ['string vs number', '15020', 15020],
    ['string vs boolean', 'true', true],
    ['number vs string', 1, '1'],
  ])('types matter: %s', (_, expected, actual) => {
    expect(compareValues({ a: expected }, { a: actual }).matched).toBe(0);
  });
  it('a missing subtree counts all its leaves and says where it starts', () => {
    const c = compareValues({ spec: { a: { b: 1, c: [2, 3] } } }, { spec: {} });
    expect(c.leaves).toBe(3);
    expect(c.matched).toBe(0);
    expect(new Set(c.diffs.map((d) => d.missingAt))).toEqual(new Set(['spec.a']));
  });
  it('a container where we have a scalar is missing', () => {
    expect(compareValues({ a: { b: 1 } }, { a: 'x' }).diffs).toEqual([{ path: 'a.b', expected: 1, actual: undefined, missingAt: 'a' }]);
  });
  it('null, {} and [] are not leaves', () => {
    expect(countLeaves({ a: null, b: {}, c: [], d: { e: [] } })).toBe(0);
    expect(compareValues({ annotations: {}, env: null, l: [] }, {})).toEqual({ leaves: 0, matched: 0, diffs: [] });
  });
  it('keys with dots or slashes are quoted in paths', () => {
    expect(compareValues({ labels: { 'istio.io/rev': 'a' } }, { labels: {} }).diffs[0]!.path).toBe('labels["istio.io/rev"]');
  });
});

describe('CRDs are told apart, to be compared with crds.yaml separately', () => {
  it.each([
    [obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'gateways.networking.istio.io', null), true],
    [obj('v1', 'CustomResourceDefinition', 'x', null), false],
    [obj('networking.istio.io/v1', 'Gateway', 'x', 'n'), false],
  ])('%#', (o, crd) => expect(isCrd(o)).toBe(crd));
});

describe('reference files', () => {
  it.each([
    ['istiod.yaml', true],
    ['expose-services.yaml', true],
    ['istiod.values.yaml', false],
    ['README.md', false],
  ])('%s: %s', (name, yes) => expect(isReferenceFile(name)).toBe(yes));

  it('reads every document, skipping empty ones and comments', () => {
    const text = '---\n# Source: x/templates/a.yaml\n# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n';
    expect(parseObjects(text, 't').map((o) => objectId(o).name)).toEqual(['a', 'b']);
  });

  it('refuses broken YAML', () => {
    expect(() => parseObjects('a: [\n', 'bad.yaml')).toThrow(/bad\.yaml/);
  });
});

describe('our objects: kustomization resources followed as kubectl kustomize would', () => {
  const k = (...resources: string[]) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `- ${r}\n`).join('')}`;
  const cmText = (name: string) => `# Source: templates/x/cm.yaml.hbs\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ns1\n`;
  const tree = new Map<string, string>([
    ['clusters/c1/kustomization.yaml', k('10-crds', '30-cp')],
    ['clusters/c1/10-crds/kustomization.yaml', k('../../../shared/istio-1.30.3/crds')],
    ['shared/istio-1.30.3/crds/kustomization.yaml', k('crd-a.yaml')],
    ['shared/istio-1.30.3/crds/crd-a.yaml', 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.example.io}\n'],
    ['clusters/c1/30-cp/kustomization.yaml', k('istiod', 'extra.yaml')],
    ['clusters/c1/30-cp/istiod/kustomization.yaml', k('cm-b.yaml', 'cm-a.yaml')],
    ['clusters/c1/30-cp/istiod/cm-a.yaml', cmText('a')],
    ['clusters/c1/30-cp/istiod/cm-b.yaml', cmText('b')],
    ['clusters/c1/30-cp/extra.yaml', cmText('e')],
    ['clusters/c1/30-cp/unlisted.yaml', cmText('u')],
    ['clusters/c2/kustomization.yaml', k('../c1/30-cp/istiod')],
    ['argocd/clusters/c1/kustomization.yaml', k()],
  ]);

  it('finds the clusters', () => {
    expect(clustersOf(tree)).toEqual(['c1', 'c2']);
  });

  it('follows directories and files, into shared/, in order, and nothing unlisted', () => {
    expect(resolveKustomization(tree, 'clusters/c1')).toEqual([
      'shared/istio-1.30.3/crds/crd-a.yaml',
      'clusters/c1/30-cp/istiod/cm-b.yaml',
      'clusters/c1/30-cp/istiod/cm-a.yaml',
      'clusters/c1/30-cp/extra.yaml',
    ]);
    expect(clusterObjects(tree, 'c1').map((o) => objectId(o.object).name)).toEqual(['a.example.io', 'b', 'a', 'e']);
  });

  it('one cluster may use another directory of the tree', () => {
    expect(clusterObjects(tree, 'c2').map((o) => o.file)).toEqual(['clusters/c1/30-cp/istiod/cm-b.yaml', 'clusters/c1/30-cp/istiod/cm-a.yaml']);
  });

  it.each([
    ['a resource that does not exist', [['clusters/x/kustomization.yaml', k('nope.yaml')]], /neither a file nor a directory/],
    ['a directory without a kustomization', [['clusters/x/kustomization.yaml', k('d')], ['clusters/x/d/a.yaml', cmText('a')]], /neither a file nor a directory/],
    ['a path out of the tree', [['clusters/x/kustomization.yaml', k('../../../elsewhere')]], /leaves the mesh tree/],
    ['a remote resource', [['clusters/x/kustomization.yaml', k('https://example.com/k')]], /outside the tree/],
    ['a cycle', [['clusters/x/kustomization.yaml', k('d')], ['clusters/x/d/kustomization.yaml', k('..')]], /cycle/],
    ['a field the harness does not apply', [['clusters/x/kustomization.yaml', `${k('a.yaml')}namespace: other\n`], ['clusters/x/a.yaml', cmText('a')]], /does not apply "namespace"/],
    ['the same object twice', [['clusters/x/kustomization.yaml', k('a.yaml', 'b.yaml')], ['clusters/x/a.yaml', cmText('a')], ['clusters/x/b.yaml', cmText('a')]], /in both/],
  ])('refuses %s', (_, files, error) => {
    expect(() => clusterObjects(new Map(files as [string, string][]), 'x')).toThrow(error);
  });
});

describe('deviations table', () => {
  const doc = [
    '# Fidelity',
    '',
    '| scenario | cluster | kind | name | path | reason |',
    '|---|---|---|---|---|---|',
    '| * | * | ConfigMap | `values*` | whole object | not rendered |',
    '| multi-primary | cluster1 | Deployment | istiod | `spec.template.spec.containers[name=discovery].resources` | smaller requests |',
    '| * | * | Service | `istiod*` | `metadata.labels["a\\|b"]` | bar in a path |',
    '',
    'after the table',
  ].join('\n');
  const devs = parseDeviations(doc);
  const id = (kind: string, name: string) => ({ group: '', kind, namespace: 'n', name });

  it('reads every row', () => {
    expect(devs).toEqual<Deviation[]>([
      { scenario: '*', cluster: '*', kind: 'ConfigMap', name: 'values*', path: null, reason: 'not rendered' },
      { scenario: 'multi-primary', cluster: 'cluster1', kind: 'Deployment', name: 'istiod', path: 'spec.template.spec.containers[name=discovery].resources', reason: 'smaller requests' },
      { scenario: '*', cluster: '*', kind: 'Service', name: 'istiod*', path: 'metadata.labels["a|b"]', reason: 'bar in a path' },
    ]);
  });

  it('needs the table and a reason', () => {
    expect(() => parseDeviations('# nothing')).toThrow(/no deviations table/);
    expect(() => parseDeviations('| scenario | cluster | kind | name | path | reason |\n|-|-|-|-|-|-|\n| * | * | a | b | c | |')).toThrow(/reason/);
  });

  it.each([
    ['whole object: a missing object', { scenario: 's', cluster: 'c', id: id('ConfigMap', 'values-1-30-3'), path: null }, 0],
    ['whole object: any leaf', { scenario: 's', cluster: 'c', id: id('ConfigMap', 'values'), path: 'data.x' }, 0],
    ['a leaf under the path', { scenario: 'multi-primary', cluster: 'cluster1', id: id('Deployment', 'istiod'), path: 'spec.template.spec.containers[name=discovery].resources.requests.cpu' }, 1],
    ['the path itself', { scenario: 'multi-primary', cluster: 'cluster1', id: id('Deployment', 'istiod'), path: 'spec.template.spec.containers[name=discovery].resources' }, 1],
    ['a sibling with the same prefix', { scenario: 'multi-primary', cluster: 'cluster1', id: id('Deployment', 'istiod'), path: 'spec.template.spec.containers[name=discovery].resourcesX' }, -1],
    ['another scenario', { scenario: 'primary-remote', cluster: 'cluster1', id: id('Deployment', 'istiod'), path: 'spec.template.spec.containers[name=discovery].resources.requests.cpu' }, -1],
    ['another cluster', { scenario: 'multi-primary', cluster: 'cluster2', id: id('Deployment', 'istiod'), path: 'spec.template.spec.containers[name=discovery].resources.requests.cpu' }, -1],
    ['another kind', { scenario: 's', cluster: 'c', id: id('Secret', 'values'), path: null }, -1],
    ['another name', { scenario: 's', cluster: 'c', id: id('ConfigMap', 'my-values'), path: null }, -1],
    ['a leaf deviation does not allow a missing object', { scenario: 'multi-primary', cluster: 'cluster1', id: id('Deployment', 'istiod'), path: null }, -1],
    ['globs in names, escaped bars in paths', { scenario: 's', cluster: 'c', id: id('Service', 'istiod-rev'), path: 'metadata.labels["a|b"]' }, 2],
  ])('%s', (_, where, index) => {
    const found = findDeviation(devs, where);
    expect(found === undefined ? -1 : devs.indexOf(found)).toBe(index);
  });
});

describe('a cluster compared', () => {
  const ref = [
    cm('istio', { mesh: 'a: 1\nb: 2' }),
    cm('values', { x: 'y' }),
    cm('gone', { k: 'v', l: 'w' }),
  ];
  it('counts reference objects we render and reference leaves we match, missing objects included', () => {
    const c = compareCluster('s', 'c1', ref, [cm('istio', { mesh: 'a: 1\nb: 3' }), cm('ours-only', { z: 'z' })], []);
    expect(c.objects).toEqual({ matched: 1, total: 2 });
    // istio: apiVersion, kind, name, namespace, a, b; gone: the same four, k, l
    expect(c.leaves).toEqual({ matched: 5, total: 12 });
    expect(c.missing.map((m) => [m.id.name, m.leaves])).toEqual([['gone', 6]]);
    expect(c.diffs.map((d) => d.path)).toEqual(['data.mesh.b']);
    expect(isFaithful(c)).toBe(false);
  });
  it('is faithful when deviations allow every difference, and says which were used', () => {
    const devs = parseDeviations('| scenario | cluster | kind | name | path | reason |\n|-|-|-|-|-|-|\n| s | c1 | ConfigMap | gone | whole object | r1 |\n| * | * | ConfigMap | istio | data.mesh.b | r2 |\n| * | * | ConfigMap | values | whole object | r3 |\n| * | * | Secret | x | whole object | r4 |');
    const c = compareCluster('s', 'c1', ref, [cm('istio', { mesh: 'a: 1\nb: 3' })], devs);
    expect(isFaithful(c)).toBe(true);
    expect([...c.used].map((d) => d.reason).sort()).toEqual(['r1', 'r2', 'r3']);
  });
});

describe('every binding names a rendered role', () => {
  const rbac = 'rbac.authorization.k8s.io/v1';
  const crb = (name: string, roleRef: Record<string, Json>) => obj(rbac, 'ClusterRoleBinding', name, null, { roleRef, subjects: [] });
  const ref = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });
  const roles = [obj(rbac, 'ClusterRole', 'istiod-clusterrole', null), obj(rbac, 'Role', 'istiod', 'istio-system')];
  it.each([
    ['a rendered ClusterRole', crb('b', ref('ClusterRole', 'istiod-clusterrole')), 0],
    ['a ClusterRole that is not rendered', crb('b', ref('ClusterRole', 'istiod-clusterrole-rev')), 1],
    ['a built-in ClusterRole', crb('b', ref('ClusterRole', 'system:auth-delegator')), 0],
    ['a Role from a ClusterRoleBinding', crb('b', ref('Role', 'istiod')), 1],
    ['a roleRef without the RBAC group', crb('b', { kind: 'ClusterRole', name: 'istiod-clusterrole' }), 1],
    ['a RoleBinding to a Role of its namespace', obj(rbac, 'RoleBinding', 'rb', 'istio-system', { roleRef: ref('Role', 'istiod') }), 0],
    ['a RoleBinding to a Role of another namespace', obj(rbac, 'RoleBinding', 'rb', 'other', { roleRef: ref('Role', 'istiod') }), 1],
    ['a RoleBinding to a rendered ClusterRole', obj(rbac, 'RoleBinding', 'rb', 'other', { roleRef: ref('ClusterRole', 'istiod-clusterrole') }), 0],
  ])('%s: %i problem(s)', (_, binding, problems) => {
    expect(danglingRoleRefs([...roles, binding])).toHaveLength(problems);
  });
  it('a ClusterRole of another group does not count', () => {
    expect(danglingRoleRefs([obj('example.io/v1', 'ClusterRole', 'x', null), crb('b', ref('ClusterRole', 'x'))])).toHaveLength(1);
  });
});

describe('docs/fidelity.md', () => {
  it('holds a deviations table the harness reads, starting with the values ConfigMap', () => {
    const devs = parseDeviations(readFileSync(join(ROOT, 'docs/fidelity.md'), 'utf8'));
    expect(devs[0]).toMatchObject({ scenario: '*', cluster: '*', kind: 'ConfigMap', name: 'values*', path: null });
    expect(findDeviation(devs, { scenario: 'any', cluster: 'any', id: { group: '', kind: 'ConfigMap', namespace: 'istio-system', name: 'values-1-30-3' }, path: null })).toBe(devs[0]);
  });
});

describe('the report lines', () => {
  const id = { group: 'apps', kind: 'Deployment', namespace: 'n', name: 'd' };
  it('groups the leaves of a subtree we lack, and shows values that differ', () => {
    const c = compareValues({ spec: { a: { b: 1, c: 2 }, d: 'x', e: 'y' } }, { spec: { d: 'z' } });
    const lines = formatDiffs(c.diffs.map((d) => ({ ...d, id, deviation: null })));
    expect(lines).toEqual(['    differs Deployment.apps n/d', '      - spec.a: absent (2 leaves)', '      ~ spec.d: expected "x", got "z"', '      - spec.e: absent, expected "y"']);
  });
  it('says where long strings start to differ', () => {
    const a = `${'line\n'.repeat(40)}tail-a`;
    const b = `${'line\n'.repeat(40)}tail-b`;
    expect(showDifference(a, b)).toMatch(/^strings differ from char 205 \(line 41;/);
  });
});
