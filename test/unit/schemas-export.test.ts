/**
 * `meshrender schemas export DIR` and `--kubeconform`. kubeconform itself is not on this machine (nor in
 * npm or Debian): the tests cover the "absent" path, and what meshrender passes to a kubeconform found on
 * the PATH, with a fake one that records its arguments and answers with a canned report. They test
 * meshrender's side of the exchange, not kubeconform's verdict.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parseDocument } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportSchemas } from '../../generator/validation/export.ts';
import { kubeconformFileName, STRICT_KINDS } from '../../generator/validation/kinds.ts';
import { findKubeconform, KUBECONFORM_ABSENT } from '../../generator/validation/kubeconform.ts';
import { CrdSchemas } from '../../generator/validation/schemas.ts';
import { tempDir, topologyDoc, topologyFile } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from '../support/paths.ts';
import { runCli } from '../support/run-cli.ts';

describe("kubeconform's file names", () => {
  // {{ .ResourceKind }}{{ .KindSuffix }}.json: kind in lower case, then the first label of the group
  // (none for the core group) and the version.
  it.each([
    ['apps/v1', 'Deployment', 'deployment-apps-v1.json'],
    ['v1', 'Service', 'service-v1.json'],
    ['networking.istio.io/v1', 'Gateway', 'gateway-networking-v1.json'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebinding-rbac-v1.json'],
    ['argoproj.io/v1alpha1', 'Application', 'application-argoproj-v1alpha1.json'],
    ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'kustomization-kustomize-v1.json'],
    ['external-secrets.io/v1', 'ExternalSecret', 'externalsecret-external-secrets-v1.json'],
    ['cert-manager.io/v1', 'Certificate', 'certificate-cert-manager-v1.json'],
  ])('%s %s → %s', (apiVersion, kind, file) => {
    expect(kubeconformFileName(apiVersion, kind)).toBe(file);
  });
});

/** Every exported file compiles with a fresh ajv and names its own kind. */
function checkExported(dir: string): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  for (const f of readdirSync(dir)) {
    const schema = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, any>;
    expect(schema.$schema, f).toBe('http://json-schema.org/draft-07/schema#');
    const gvk = schema['x-kubernetes-group-version-kind'][0];
    expect(kubeconformFileName(gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version, gvk.kind), f).toBe(f);
    expect(() => ajv.compile(schema), f).not.toThrow();
  }
  return ajv;
}

describe('schemas export without Istio CRDs', () => {
  it('writes the strict schema of every listed kind, each compiling with ajv', () => {
    const dir = join(tempDir(), 'schemas');
    const r = exportSchemas(dir, new CrdSchemas());
    expect(r.istioKinds).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(STRICT_KINDS.map((k) => kubeconformFileName(k.apiVersion, k.kind)).sort());
    checkExported(dir);
  });
});

describe.skipIf(!HAS_SHARED)('schemas export with the Istio release', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});

  it('writes Kubernetes, Istio, Argo CD, Flux, External Secrets and cert-manager schemas under kubeconform names', async () => {
    const dir = join(tempDir(), 'schemas');
    const r = await runCli(['schemas', 'export', dir, topologyFile(topologyDoc()), '--istio-dist', ISTIO_DIST]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ schemas written to .* \(\d+ Istio kinds from Istio 1\.30\.3\)/);
    const files = readdirSync(dir);
    for (const f of [
      'deployment-apps-v1.json',
      'service-v1.json',
      'gateway-networking-v1.json',
      'virtualservice-networking-v1.json',
      'destinationrule-networking-v1.json',
      'peerauthentication-security-v1.json',
      'customresourcedefinition-apiextensions-v1.json',
      'application-argoproj-v1alpha1.json',
      'kustomization-kustomize-v1.json',
      'externalsecret-external-secrets-v1.json',
      'certificate-cert-manager-v1.json',
    ]) {
      expect(files).toContain(f);
    }
    checkExported(dir);
  });

  it('gives, through ajv, the verdict meshrender gives on every example object, and rejects an unknown field', async () => {
    const { renderInMemory } = await import('../../generator/pipeline.ts');
    const topologies = readdirSync(join(ROOT, 'topologies')).filter((f) => f.endsWith('.yaml')).map((f) => join(ROOT, 'topologies', f));
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    for (const m of await renderInMemory(topologies, ISTIO_DIST)) {
      const { crdsOfTree } = await import('../../generator/validation/command.ts');
      const dir = join(tempDir(), 'schemas');
      exportSchemas(dir, crdsOfTree(m.tree.files));
      const validators = new Map<string, ReturnType<Ajv['compile']>>();
      for (const [p, text] of m.tree.files) {
        if (!p.endsWith('.yaml') || p.endsWith('kustomization.yaml')) continue;
        const obj = parseDocument(text).toJS() as Record<string, unknown>;
        const file = join(dir, kubeconformFileName(String(obj.apiVersion), String(obj.kind)));
        expect(existsSync(file), `${p}: no exported schema for ${obj.apiVersion} ${obj.kind}`).toBe(true);
        if (!validators.has(file)) validators.set(file, ajv.compile(JSON.parse(readFileSync(file, 'utf8'))));
        const v = validators.get(file)!;
        expect(v(obj) ? [] : v.errors, `${m.topology.name}/${p}`).toEqual([]);
        expect(v({ ...obj, meshrenderBogus: 1 }), `${m.topology.name}/${p} with an unknown field`).toBe(false);
      }
    }
  });
});

/** A small rendered tree on disk: one Deployment, valid for meshrender. */
function smallTree(): string {
  const out = tempDir();
  const dir = join(out, 'mesh', 'clusters', 'c1', '30-control-plane');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment-istiod.yaml\n');
  writeFileSync(
    join(dir, 'deployment-istiod.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: istiod\nspec:\n  selector:\n    matchLabels:\n      app: istiod\n  template:\n    metadata:\n      labels:\n        app: istiod\n    spec:\n      containers:\n      - name: discovery\n        image: pilot\n',
  );
  return out;
}

/**
 * A fake kubeconform: records its arguments and the schema files it was pointed at, then prints a
 * canned JSON report with one invalid resource and exits 1, as kubeconform does on a finding.
 */
function fakeKubeconform(record: string): string {
  const bin = tempDir('fake-kubeconform-');
  const report = {
    resources: [
      {
        filename: '__TREE__/clusters/c1/30-control-plane/deployment-istiod.yaml',
        kind: 'Deployment',
        name: 'istiod',
        version: 'apps/v1',
        status: 'statusInvalid',
        msg: '',
        validationErrors: [{ path: '/spec/template/spec/containers/0', msg: "additional properties 'canned' not allowed" }],
      },
    ],
    summary: { valid: 0, invalid: 1, errors: 0, skipped: 0 },
  };
  writeFileSync(
    join(bin, 'kubeconform'),
    `#!/bin/sh
PATH=/usr/bin:/bin
for a in "$@"; do printf '%s\\n' "$a"; done > "${record}/args"
loc=""; prev=""; tree=""
for a in "$@"; do [ "$prev" = "-schema-location" ] && loc="$a"; prev="$a"; tree="$a"; done
ls "$(dirname "$loc")" > "${record}/schemas"
cat <<'EOF' | sed "s#__TREE__#$tree#"
${JSON.stringify(report, null, 2)}
EOF
exit 1
`,
  );
  chmodSync(join(bin, 'kubeconform'), 0o755);
  return bin;
}

describe('--kubeconform', () => {
  let savedPath: string | undefined;
  beforeEach(() => {
    savedPath = process.env.PATH;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it('says in one line that kubeconform is absent, and skips it', async () => {
    process.env.PATH = tempDir('empty-path-');
    expect(findKubeconform()).toBeNull();
    const r = await runCli(['validate', '--rendered', join(smallTree(), 'mesh'), '--kubeconform']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter((l) => l.includes('kubeconform'))).toEqual([KUBECONFORM_ABSENT]);
  });

  it('passes -strict, -summary and a local schema location, and reports its findings in the rendered file', async () => {
    const record = tempDir('kubeconform-record-');
    process.env.PATH = `${fakeKubeconform(record)}:${savedPath}`;
    const mesh = join(smallTree(), 'mesh');
    const r = await runCli(['validate', '--rendered', mesh, '--kubeconform']);
    const args = readFileSync(join(record, 'args'), 'utf8').trim().split('\n');
    expect(args.slice(0, 4)).toEqual(['-strict', '-summary', '-output', 'json']);
    const location = args[args.indexOf('-schema-location') + 1]!;
    expect(location).toMatch(/^\/.*\/\{\{ \.ResourceKind \}\}\{\{ \.KindSuffix \}\}\.json$/);
    expect(args[args.indexOf('-ignore-filename-pattern') + 1]).toBe('(^|/)kustomization\\.yaml$');
    expect(args[args.length - 1]).toBe(mesh);
    // The schema directory held the exported schemas while kubeconform ran, and is gone after.
    const schemas = readFileSync(join(record, 'schemas'), 'utf8').trim().split('\n');
    expect(schemas).toContain('deployment-apps-v1.json');
    expect(schemas).toContain('application-argoproj-v1alpha1.json');
    expect(existsSync(location.replace(/\/[^/]*$/, ''))).toBe(false);
    // The canned finding, attributed to kubeconform and pointed at the container in the file.
    expect(r.stderr.trim().split('\n')).toEqual([
      `${mesh}/clusters/c1/30-control-plane/deployment-istiod.yaml:15:9: error: kubeconform: Deployment istiod: spec.template.spec.containers[0]: additional properties 'canned' not allowed`,
    ]);
    expect(r.stdout).toContain(`${mesh}: kubeconform: 0 valid, 1 invalid, 0 errors, 0 skipped`);
    expect(r.code).toBe(1);
  });

  it('reports output it cannot read as an error, never as a pass', async () => {
    const bin = tempDir('broken-kubeconform-');
    writeFileSync(join(bin, 'kubeconform'), '#!/bin/sh\necho "flag provided but not defined: -output"\nexit 2\n');
    chmodSync(join(bin, 'kubeconform'), 0o755);
    process.env.PATH = `${bin}:${savedPath}`;
    const r = await runCli(['validate', '--rendered', join(smallTree(), 'mesh'), '--kubeconform']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: kubeconform exited 2 without a JSON report: flag provided but not defined: -output/);
  });

  it.skipIf(!HAS_SHARED)('render --kubeconform runs it over the rendered trees before writing anything', async () => {
    const record = tempDir('kubeconform-record-');
    process.env.PATH = `${fakeKubeconform(record)}:${savedPath}`;
    const out = join(tempDir(), 'out');
    const r = await runCli(['render', topologyFile(topologyDoc()), '--out', out, '--kubeconform', '--istio-dist', ISTIO_DIST]);
    expect(r.code).toBe(1);
    const schemas = readFileSync(join(record, 'schemas'), 'utf8').trim().split('\n');
    expect(schemas).toContain('gateway-networking-v1.json');
    expect(schemas).toContain('deployment-apps-v1.json');
    // The fake's canned report names a file this tree does not have: shown as kubeconform gave it.
    expect(r.stderr).toMatch(/error: kubeconform: Deployment istiod: \/spec\/template\/spec\/containers\/0: additional properties 'canned' not allowed/);
    expect(existsSync(out)).toBe(false);
  });

  it.skipIf(!HAS_SHARED)('render --kubeconform without kubeconform says so and renders with --validate', async () => {
    process.env.PATH = tempDir('empty-path-');
    const out = join(tempDir(), 'out');
    const r = await runCli(['render', topologyFile(topologyDoc()), '--out', out, '--kubeconform', '--istio-dist', ISTIO_DIST]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(KUBECONFORM_ABSENT);
    expect(existsSync(join(out, 'demo', 'clusters'))).toBe(true);
  });
});
