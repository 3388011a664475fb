import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { argocdFiles, ignoreDifferences } from '../../generator/gitops/argocd.ts';
import { fluxFiles } from '../../generator/gitops/flux.ts';
import { writeTree } from '../../generator/stages/write.ts';
import type { OutputTree } from '../../generator/types.ts';
import { modelFrom, tempDir, topologyDoc } from '../support/builders.ts';

const GITOPS = { repoURL: 'https://git.example.com/mesh.git', argocd: { enabled: true }, flux: { enabled: true, sourceRef: { name: 'mesh' } } };

function model(extra: Record<string, unknown> = {}, istio?: Record<string, unknown>) {
  const doc = topologyDoc(istio ? { istio } : {});
  (doc.spec as Record<string, unknown>).gitops = { ...GITOPS, ...extra };
  return modelFrom(doc);
}

/** A minimal assembled tree with the layers a cluster might have. */
function tree(layers: Record<string, string[]>): OutputTree {
  const files = new Map<string, string>();
  for (const [cluster, dirs] of Object.entries(layers)) {
    for (const d of dirs) files.set(`clusters/${cluster}/${d}/kustomization.yaml`, 'resources: []\n');
  }
  return { mesh: 'demo', files };
}

const TREE = tree({ cluster1: ['00-namespaces', '10-crds', '30-control-plane', '60-mesh-networking'], cluster2: ['00-namespaces', '10-crds'] });

describe('Argo CD entry points', () => {
  it('renders one valid Application per cluster pointing at its overlay, synced server-side', () => {
    const files = argocdFiles(model(), TREE);
    const app = parse(files.get('argocd/applications/application-cluster1.yaml')!) as Record<string, any>;
    expect(() => new Application(app as never).validate()).not.toThrow();
    expect(app.metadata.name).toBe('demo-cluster1');
    expect(app.spec.source).toEqual({ repoURL: 'https://git.example.com/mesh.git', targetRevision: 'HEAD', path: 'out/demo/argocd/clusters/cluster1' });
    expect(app.spec.destination).toEqual({ name: 'cluster1' });
    expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(parse(files.get('argocd/applications/kustomization.yaml')!).resources).toEqual(['application-cluster1.yaml', 'application-cluster2.yaml']);
  });

  it('uses the API server as destination when asked', () => {
    const app = parse(argocdFiles(model({ argocd: { enabled: true, destination: 'server' } }), TREE).get('argocd/applications/application-cluster1.yaml')!);
    expect(app.spec.destination).toEqual({ server: 'https://cluster1.example.com:6443' });
  });

  it('gives each layer its wave and sync options, in the overlay only', () => {
    const files = argocdFiles(model(), TREE);
    const layer = (d: string) => parse(parse(files.get(`argocd/clusters/cluster1/${d}/kustomization.yaml`)!).patches[0].patch).metadata.annotations;
    expect(layer('00-namespaces')).toEqual({ 'argocd.argoproj.io/sync-wave': '0', 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' });
    expect(layer('10-crds')).toEqual({ 'argocd.argoproj.io/sync-wave': '1', 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' });
    expect(layer('30-control-plane')).toEqual({ 'argocd.argoproj.io/sync-wave': '3' });
    expect(layer('60-mesh-networking')).toEqual({ 'argocd.argoproj.io/sync-wave': '6', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
    expect(parse(files.get('argocd/clusters/cluster1/kustomization.yaml')!).resources).toEqual(['00-namespaces', '10-crds', '30-control-plane', '60-mesh-networking']);
  });

  it('ignores the validator failurePolicy only for releases whose charts cannot render Fail up front', () => {
    const current = model({}, { revisions: [{ name: 'a', version: '1.29.6' }, { name: 'b', version: '1.30.3' }] });
    expect(ignoreDifferences(current, current.clusters[0]!)[1]!.jqPathExpressions).toEqual(['.webhooks[]?.clientConfig.caBundle']);
    const old = model({}, { revisions: [{ name: 'a', version: '1.29.1' }, { name: 'b', version: '1.30.3' }] });
    expect(ignoreDifferences(old, old.clusters[0]!)[1]!.jqPathExpressions).toEqual(['.webhooks[]?.clientConfig.caBundle', '.webhooks[]?.failurePolicy']);
  });

  it('renders nothing when Argo CD is not enabled', () => {
    expect(argocdFiles(modelFrom(topologyDoc()), TREE).size).toBe(0);
  });
});

describe('Flux entry points', () => {
  it('chains one valid Kustomization per layer with dependsOn, wait and prune', () => {
    const files = fluxFiles(model(), TREE);
    const ks = ['namespaces', 'crds', 'control-plane', 'mesh-networking'].map((l) => parse(files.get(`flux/cluster1/kustomization-demo-cluster1-${l}.yaml`)!));
    for (const k of ks) expect(() => new Kustomization(k as never).validate()).not.toThrow();
    expect(ks.map((k) => k.spec.dependsOn?.[0]?.name ?? null)).toEqual([null, 'demo-cluster1-namespaces', 'demo-cluster1-crds', 'demo-cluster1-control-plane']);
    expect(ks.every((k) => k.spec.prune === true && k.spec.wait === true)).toBe(true);
    expect(ks[2].spec.path).toBe('./out/demo/clusters/cluster1/30-control-plane');
    expect(ks[0].spec.commonMetadata).toEqual({ annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } });
    expect(ks[1].spec.commonMetadata).toEqual({ annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } });
    expect(ks[2].spec.commonMetadata).toBeUndefined();
    expect(ks[0].spec.decryption).toBeUndefined();
    expect(ks[0].spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'mesh', namespace: 'flux-system' });
  });

  it('targets each cluster through its kubeconfig Secret with a central Flux', () => {
    const files = fluxFiles(model({ flux: { enabled: true, sourceRef: { name: 'mesh' }, kubeConfigSecret: '{cluster}-kubeconfig' } }), TREE);
    expect(parse(files.get('flux/cluster2/kustomization-demo-cluster2-crds.yaml')!).spec.kubeConfig).toEqual({ secretRef: { name: 'cluster2-kubeconfig', key: 'value' } });
  });
});

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasKubectl)('GitOps entry points build with kubectl kustomize', () => {
  it('builds the Argo CD overlay and the Flux directory of a cluster', () => {
    const t = model();
    const files = new Map(TREE.files);
    files.set('clusters/cluster1/00-namespaces/kustomization.yaml', 'resources: [ns.yaml]\n');
    files.set('clusters/cluster1/00-namespaces/ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n');
    for (const d of ['10-crds', '30-control-plane', '60-mesh-networking']) files.set(`clusters/cluster1/${d}/kustomization.yaml`, 'resources: []\n');
    const base: OutputTree = { mesh: 'demo', files };
    const all = new Map([...files, ...argocdFiles(t, base), ...fluxFiles(t, base)]);
    const out = tempDir();
    writeTree(out, { mesh: 'demo', files: new Map([...all].sort()) });
    const argo = spawnSync('kubectl', ['kustomize', join(out, 'demo/argocd/clusters/cluster1')], { encoding: 'utf8' });
    expect(argo.stderr).toBe('');
    expect(parse(argo.stdout).metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
    const flux = spawnSync('kubectl', ['kustomize', join(out, 'demo/flux/cluster1')], { encoding: 'utf8' });
    expect(flux.status).toBe(0);
    expect(flux.stdout.match(/^kind: Kustomization$/gm)).toHaveLength(4);
    const apps = spawnSync('kubectl', ['kustomize', join(out, 'demo/argocd/applications')], { encoding: 'utf8' });
    expect(apps.stdout.match(/^kind: Application$/gm)).toHaveLength(2);
  });
});
