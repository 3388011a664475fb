import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { loadReleases } from '../../generator/istio/release.ts';
import { nameErrors } from '../../generator/validation/names.ts';
import { CrdSchemas, strictSchema } from '../../generator/validation/schemas.ts';
import { validateRenderedFiles } from '../../generator/validation/validate-tree.ts';
import { modelFrom, topologyDoc } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST } from '../support/paths.ts';

const BROKEN: Record<string, string> = {
  'unknown-field.yaml': 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n  namespace: istio-system\nspec:\n  selector:\n    istio: eastwestgateway\n  servrs: []\n',
  'bad-enum.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  type: Balancer\n  ports:\n  - port: 80\n',
  'bad-name.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Name\n  labels:\n    app: "-bad-"\ndata:\n  ok: x\n',
  'missing-required.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: x\n',
  'bad-port.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: p\nspec:\n  ports:\n  - port: 70000\n',
};

describe.skipIf(!HAS_SHARED)('validation of rendered objects', () => {
  it('reports each broken object with its position in the rendered file', async () => {
    const t = modelFrom(topologyDoc());
    const crds = CrdSchemas.fromReleases((await loadReleases(t, { distDir: ISTIO_DIST })).values());
    const report = await validateRenderedFiles(new Map(Object.entries(BROKEN)), { crds, displayPrefix: 'out/x/' });
    expect(report.diagnostics.map(formatDiagnostic).sort()).toEqual([
      'out/x/bad-enum.yaml:6:9: error: Service svc: spec.type: must be one of "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'out/x/bad-name.yaml:4:9: error: ConfigMap Not_A_Name: metadata.name: "Not_A_Name" is not a valid ConfigMap name: a DNS-1123 subdomain (at most 253 characters) of lowercase letters, digits, \'-\' and \'.\'',
      'out/x/bad-name.yaml:6:10: error: ConfigMap Not_A_Name: metadata.labels.app: label value "-bad-" must be a string of at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
      'out/x/bad-port.yaml:7:11: error: Service p: spec.ports[0].port: port 70000 is out of range: ports are 1 to 65535',
      'out/x/missing-required.yaml:6:3: error: Deployment d: spec: missing required field "selector"',
      'out/x/unknown-field.yaml:9:3: error: Gateway gw: spec.servrs: unknown field "servrs"; the API server would drop it',
    ]);
  });
});

describe('naming rules', () => {
  it.each([
    [{ kind: 'Namespace', metadata: { name: 'a.b' } }, /not a valid Namespace name: a DNS-1123 label/],
    [{ kind: 'Secret', metadata: { name: 'x' }, data: { 'bad key': 'x' } }, /key "bad key" must consist of/],
    [{ kind: 'X', metadata: { name: 'x', annotations: { 'a/b/c': 'v' } } }, /"a\/b\/c" is not a valid key/],
  ])('%j', (obj, message) => {
    expect(nameErrors(obj as Record<string, unknown>).map((e) => e.message).join('\n')).toMatch(message);
  });

  it('accepts valid names, labels and ports', () => {
    expect(nameErrors({ kind: 'Service', metadata: { name: 'istiod', namespace: 'istio-system', labels: { 'istio.io/rev': 'default', app: '' } }, spec: { ports: [{ port: 443, targetPort: 15017 }] } })).toEqual([]);
  });
});

describe('strictSchema', () => {
  it('forbids unknown properties unless the schema preserves unknown fields, and maps int-or-string', () => {
    expect(strictSchema({ type: 'object', properties: { a: { type: 'object', properties: {}, 'x-kubernetes-preserve-unknown-fields': true }, p: { 'x-kubernetes-int-or-string': true } } })).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: { a: { type: 'object', properties: {} }, p: { anyOf: [{ type: 'integer' }, { type: 'string' }] } },
    });
  });
});

describe.skipIf(!HAS_SHARED)('every example renders valid objects', () => {
  it('render --validate finds nothing in the examples', async () => {
    const { renderTopologies } = await import('../../generator/pipeline.ts');
    const { readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { ROOT } = await import('../support/paths.ts');
    const { tempDir } = await import('../support/builders.ts');
    const files = readdirSync(join(ROOT, 'topologies')).filter((f) => f.endsWith('.yaml')).map((f) => join(ROOT, 'topologies', f));
    const out = await renderTopologies({ topologies: files, outDir: tempDir(), check: true, istioDist: ISTIO_DIST, validate: true });
    expect(out).toHaveLength(files.length);
  });
});
