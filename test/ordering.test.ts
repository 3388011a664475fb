/**
 * The layers apply in order (Argo CD waves, Flux dependsOn): for every cluster of every example,
 * nothing an object needs may come in a later layer. Needs: the object's namespace, the CRD of a
 * custom resource (strictly earlier), the Service a webhook calls (strictly earlier: istiod must run
 * before its webhooks), an injection webhook before a Deployment that says `image: auto`, and the
 * ServiceAccount a binding names.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadReleases } from '../generator/istio/release.ts';
import { LAYERS } from '../generator/layers.ts';
import { buildTree, checkTopology } from '../generator/pipeline.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from './support/paths.ts';

interface Obj {
  layer: number;
  path: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | null;
  body: Record<string, any>;
}

const examples = readdirSync(join(ROOT, 'topologies')).filter((f) => f.endsWith('.yaml')).sort();

/** Every object of a cluster with its layer index, following the CRD reference into shared/. */
function clusterObjects(files: ReadonlyMap<string, string>, cluster: string): Obj[] {
  const out: Obj[] = [];
  for (const [i, layer] of LAYERS.entries()) {
    const prefix = `clusters/${cluster}/${layer.dir}/`;
    const paths = [...files.keys()].filter((p) => p.startsWith(prefix));
    if (layer.id === 'crds') {
      const k = parse(files.get(`${prefix}kustomization.yaml`) ?? 'resources: []') as { resources: string[] };
      for (const ref of k.resources) {
        const shared = ref.replace(/^(\.\.\/)+/, '');
        paths.push(...[...files.keys()].filter((p) => p.startsWith(`${shared}/`)));
      }
    }
    for (const path of paths) {
      if (path.endsWith('kustomization.yaml')) continue;
      const body = parse(files.get(path)!) as Record<string, any>;
      out.push({ layer: i, path, apiVersion: body.apiVersion, kind: body.kind, name: body.metadata.name, namespace: body.metadata.namespace ?? null, body });
    }
  }
  return out;
}

function violations(objs: Obj[]): string[] {
  const out: string[] = [];
  const find = (pred: (o: Obj) => boolean) => objs.filter(pred);
  const layerName = (i: number) => LAYERS[i]!.dir;
  for (const o of objs) {
    const need = (what: string, candidates: Obj[], strictly: boolean) => {
      if (candidates.length === 0) return;
      const earliest = Math.min(...candidates.map((c) => c.layer));
      if (strictly ? earliest >= o.layer : earliest > o.layer) out.push(`${o.path} (${layerName(o.layer)}) needs ${what}, first in ${layerName(earliest)}`);
    };
    if (o.namespace) need(`Namespace ${o.namespace}`, find((x) => x.kind === 'Namespace' && x.name === o.namespace), false);
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
    if (group.endsWith('istio.io')) {
      need(`the CRD of ${o.kind}`, find((x) => x.kind === 'CustomResourceDefinition' && x.body.spec?.group === group && x.body.spec?.names?.kind === o.kind), true);
      const crd = find((x) => x.kind === 'CustomResourceDefinition' && x.body.spec?.group === group && x.body.spec?.names?.kind === o.kind);
      if (crd.length === 0) out.push(`${o.path}: no CRD for ${o.apiVersion} ${o.kind} in the cluster tree`);
    }
    if (o.kind === 'MutatingWebhookConfiguration' || o.kind === 'ValidatingWebhookConfiguration') {
      for (const w of o.body.webhooks ?? []) {
        const svc = w.clientConfig?.service;
        if (svc) need(`Service ${svc.namespace}/${svc.name}`, find((x) => x.kind === 'Service' && x.name === svc.name && x.namespace === svc.namespace), true);
      }
    }
    if (o.kind === 'Deployment' && JSON.stringify(o.body.spec?.template?.spec?.containers ?? []).includes('"image":"auto"')) {
      need('an injection webhook', find((x) => x.kind === 'MutatingWebhookConfiguration'), true);
      if (find((x) => x.kind === 'MutatingWebhookConfiguration').length === 0) out.push(`${o.path}: image auto but no injection webhook in the cluster`);
    }
    if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
      for (const s of o.body.subjects ?? []) {
        if (s.kind === 'ServiceAccount') need(`ServiceAccount ${s.namespace}/${s.name}`, find((x) => x.kind === 'ServiceAccount' && x.name === s.name && x.namespace === s.namespace), false);
      }
    }
  }
  return out;
}

describe.skipIf(!HAS_SHARED)('layer order', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});

  it.each(examples)('%s: no object needs something from a later layer', async (file) => {
    const { topology } = checkTopology(join(ROOT, 'topologies', file));
    const tree = buildTree(topology, await loadReleases(topology, { distDir: ISTIO_DIST }));
    for (const c of topology.clusters) expect(violations(clusterObjects(tree.files, c.name)), c.name).toEqual([]);
  });

  it('catches an object placed before what it needs', () => {
    const objs: Obj[] = [
      { layer: 4, path: 'w', apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', name: 'v', namespace: null, body: { webhooks: [{ clientConfig: { service: { name: 'istiod', namespace: 'istio-system' } } }] } },
      { layer: 4, path: 's', apiVersion: 'v1', kind: 'Service', name: 'istiod', namespace: 'istio-system', body: {} },
      { layer: 5, path: 'n', apiVersion: 'v1', kind: 'Namespace', name: 'istio-system', namespace: null, body: {} },
    ];
    expect(violations(objs)).toEqual([
      'w (40-webhooks) needs Service istio-system/istiod, first in 40-webhooks',
      's (40-webhooks) needs Namespace istio-system, first in 50-gateways',
    ]);
  });
});
