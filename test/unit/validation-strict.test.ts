/**
 * The strict layer: unknown fields of Kubernetes, Argo CD, Flux, External Secrets and cert-manager
 * objects are errors, pointed at the offending key (the kubernetes-models validators accept them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { KINDS_DIR, kubeconformFileName, STRICT_KINDS } from '../../generator/validation/kinds.ts';
import { CrdSchemas } from '../../generator/validation/schemas.ts';
import { validateRenderedFiles } from '../../generator/validation/validate-tree.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from '../support/paths.ts';

/** Valid objects of each family; each broken variant below adds one unknown field to one of them. */
const VALID: Record<string, string> = {
  'deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: istiod
  namespace: istio-system
spec:
  selector:
    matchLabels:
      app: istiod
  template:
    metadata:
      labels:
        app: istiod
    spec:
      containers:
      - name: discovery
        image: docker.io/istio/pilot:1.30.3
        resources:
          requests:
            cpu: 500m
            memory: 2048Mi
        ports:
        - containerPort: 15017
          protocol: TCP
`,
  'service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: istiod
spec:
  type: ClusterIP
  ports:
  - name: https-webhook
    port: 443
    targetPort: 15017
  - name: grpc-xds
    port: 15010
    targetPort: grpc-xds
`,
  'application.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: mesh-cluster1
  namespace: argocd
spec:
  project: default
  destination:
    name: cluster1
  source:
    repoURL: https://git.example.com/mesh.git
    path: out/mesh/argocd/clusters/cluster1
    targetRevision: main
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
    - ServerSideApply=true
`,
  'kustomization.flux.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: mesh-cluster1-crds
  namespace: flux-system
spec:
  interval: 10m
  path: ./out/mesh/clusters/cluster1/10-crds
  prune: false
  sourceRef:
    kind: GitRepository
    name: mesh
  dependsOn:
  - name: mesh-cluster1-namespaces
`,
  'externalsecret.yaml': `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: istio-remote-secret-cluster2
  namespace: istio-system
spec:
  refreshInterval: 1h
  secretStoreRef:
    kind: ClusterSecretStore
    name: vault
  target:
    name: istio-remote-secret-cluster2
    template:
      metadata:
        labels:
          istio/multiCluster: "true"
  data:
  - secretKey: token
    remoteRef:
      key: mesh/cluster2/token
`,
  'certificate.yaml': `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: cacerts
  namespace: istio-system
spec:
  secretName: cacerts
  isCA: true
  commonName: Intermediate CA cluster1
  duration: 8760h
  privateKey:
    algorithm: RSA
    size: 4096
  issuerRef:
    name: mesh-root
    kind: ClusterIssuer
    group: cert-manager.io
`,
  'configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  labels:
    istio.io/rev: default
data:
  mesh: |-
    trustDomain: cluster.local
`,
};

/** [file, the valid object's text to replace, its replacement]: one unknown field each. */
const BROKEN: [string, string, string][] = [
  ['deployment.yaml', '        image: docker.io/istio/pilot:1.30.3\n', '        image: docker.io/istio/pilot:1.30.3\n        imagePullPolicyy: Always\n'],
  ['service.yaml', '  type: ClusterIP\n', '  type: ClusterIP\n  clusterIp: None\n'],
  ['application.yaml', '    automated:\n', '    automatic: {}\n    automated:\n'],
  ['kustomization.flux.yaml', '    name: mesh\n', '    name: mesh\n    namespce: flux-system\n'],
  ['externalsecret.yaml', '      key: mesh/cluster2/token\n', '      key: mesh/cluster2/token\n      propertyy: token\n'],
  ['certificate.yaml', '  isCA: true\n', '  isCA: true\n  usage: [cert sign]\n'],
  ['configmap.yaml', '  labels:\n', '  label: {}\n  labels:\n'],
];

describe('strict layer for Kubernetes, Argo CD, Flux, External Secrets and cert-manager kinds', () => {
  it('accepts valid objects of every family', async () => {
    const report = await validateRenderedFiles(new Map(Object.entries(VALID)), { crds: new CrdSchemas(), displayPrefix: 'out/x/' });
    expect(report.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(report.notStrict).toEqual([]);
    expect(report.unknownKinds).toEqual([]);
  });

  it('reports an unknown field of each family at its key', async () => {
    const files = new Map<string, string>();
    for (const [file, from, to] of BROKEN) {
      expect(VALID[file]).toContain(from);
      files.set(file, VALID[file]!.replace(from, to));
    }
    const report = await validateRenderedFiles(files, { crds: new CrdSchemas(), displayPrefix: 'out/x/' });
    // Positions are line:column of the unknown key in the broken text (counted by hand from BROKEN).
    expect(report.diagnostics.map(formatDiagnostic)).toEqual([
      'out/x/deployment.yaml:18:9: error: Deployment istiod: spec.template.spec.containers[0].imagePullPolicyy: unknown field "imagePullPolicyy"; the API server would drop it',
      'out/x/service.yaml:7:3: error: Service istiod: spec.clusterIp: unknown field "clusterIp"; the API server would drop it',
      'out/x/application.yaml:15:5: error: Application mesh-cluster1: spec.syncPolicy.automatic: unknown field "automatic"; the API server would drop it',
      'out/x/kustomization.flux.yaml:13:5: error: Kustomization mesh-cluster1-crds: spec.sourceRef.namespce: unknown field "namespce"; the API server would drop it',
      'out/x/externalsecret.yaml:21:7: error: ExternalSecret istio-remote-secret-cluster2: spec.data[0].remoteRef.propertyy: unknown field "propertyy"; the API server would drop it',
      'out/x/certificate.yaml:9:3: error: Certificate cacerts: spec.usage: unknown field "usage"; the API server would drop it',
      'out/x/configmap.yaml:5:3: error: ConfigMap istio: metadata.label: unknown field "label"; the API server would drop it',
    ]);
  });

  it('keeps a committed schema for every kind it lists, and nothing else', () => {
    const committed = readdirSync(KINDS_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual(STRICT_KINDS.map((k) => kubeconformFileName(k.apiVersion, k.kind)).sort());
  });

  it('the committed schemas are what npm run schemas:generate writes from the installed packages', async () => {
    const { generateSchemas } = await import('../../generator/validation/generate-schemas.ts');
    const generated = generateSchemas();
    for (const [file, text] of generated) expect(readFileSync(join(KINDS_DIR, file), 'utf8'), `${file}: run npm run schemas:generate`).toBe(text);
  });
});

describe.skipIf(!HAS_SHARED)('strict layer on every example', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});
  it('checks every rendered kind strictly, and reports an unknown field injected into every object', async () => {
    const { renderInMemory } = await import('../../generator/pipeline.ts');
    const topologies = readdirSync(join(ROOT, 'topologies')).filter((f) => f.endsWith('.yaml')).map((f) => join(ROOT, 'topologies', f));
    const { crdsOfTree } = await import('../../generator/validation/command.ts');
    for (const m of await renderInMemory(topologies, ISTIO_DIST)) {
      const crds = crdsOfTree(m.tree.files);
      const clean = await validateRenderedFiles(m.tree.files, { crds, displayPrefix: '' });
      expect(clean.diagnostics.map(formatDiagnostic), m.topology.name).toEqual([]);
      expect(clean.unknownKinds, `${m.topology.name}: kinds without a schema`).toEqual([]);
      expect(clean.notStrict, `${m.topology.name}: add these kinds to STRICT_KINDS and run npm run schemas:generate`).toEqual([]);
      // The same tree with an unknown top-level field in every object, and one more under every map `spec`.
      const broken = new Map<string, string>();
      let expected = 0;
      for (const [p, text] of m.tree.files) {
        if (!p.endsWith('.yaml') || p.endsWith('kustomization.yaml')) continue;
        let t = `${text}meshrenderBogus: 1\n`;
        expected++;
        if (/^spec:\n {2}\S/m.test(t)) {
          t = t.replace(/^spec:\n/m, 'spec:\n  meshrenderBogus: 1\n');
          expected++;
        }
        broken.set(p, t);
      }
      const report = await validateRenderedFiles(broken, { crds, displayPrefix: '' });
      const unknown = report.diagnostics.filter((d) => d.message.includes('unknown field "meshrenderBogus"'));
      expect(unknown.length, m.topology.name).toBe(expected);
      expect(unknown.every((d) => d.pos !== undefined)).toBe(true);
    }
  });
});
