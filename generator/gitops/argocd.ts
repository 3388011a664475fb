/**
 * Argo CD entry points: one Application per cluster (app of apps), under out/<mesh>/argocd/.
 *
 * Each Application syncs out/<mesh>/argocd/clusters/<cluster>/, an Argo-only overlay of the cluster
 * tree that adds, per layer, the sync wave and the per-resource sync options by a kustomize patch.
 * The cluster tree itself stays free of Argo annotations, so kubectl and Flux users get plain YAML.
 * One Application per cluster (rather than per layer) keeps waves meaningful: Argo CD orders waves
 * only inside one Application, so no Application health customisation is needed.
 */
import { posix } from 'node:path';
import { LAYERS, type LayerId } from '../layers.ts';
import type { Cluster, Topology, TreePaths } from '../types.ts';
import { GENERATED_HEADER } from '../stages/assemble.ts';
import { stringifyPlain } from '../yaml/canonical.ts';
import { chartSetsValidationFailurePolicy } from '../istio/features.ts';

export const ARGOCD_DIR = 'argocd';

/** Per-resource sync options by layer: never prune CRDs or namespaces; skip dry runs for custom resources. */
const LAYER_SYNC_OPTIONS: Partial<Record<LayerId, string>> = {
  namespaces: 'Prune=false,Delete=false',
  crds: 'Prune=false,Delete=false',
  'mesh-networking': 'SkipDryRunOnMissingResource=true',
  secrets: 'SkipDryRunOnMissingResource=true',
};

export function argocdFiles(topology: Topology, tree: TreePaths): Map<string, string> {
  const argo = topology.gitops.argocd;
  const out = new Map<string, string>();
  if (!argo) return out;
  const apps: string[] = [];
  for (const cluster of topology.clusters) {
    const layers = clusterLayers(tree, cluster.name);
    if (layers.length === 0) continue;
    const overlay = `${ARGOCD_DIR}/clusters/${cluster.name}`;
    for (const { layer, dir } of layers) {
      out.set(`${overlay}/${dir}/kustomization.yaml`, layerOverlay(`../../../../clusters/${cluster.name}/${dir}`, layer));
    }
    out.set(`${overlay}/kustomization.yaml`, kustomization(layers.map((l) => l.dir)));
    const file = `application-${cluster.name}.yaml`;
    out.set(`${ARGOCD_DIR}/applications/${file}`, `# Source: generator/gitops/argocd.ts\n${stringifyPlain(application(topology, cluster, overlay))}`);
    apps.push(file);
  }
  out.set(`${ARGOCD_DIR}/applications/kustomization.yaml`, kustomization(apps));
  return out;
}

/** The layer directories a cluster tree has, in order. */
export function clusterLayers(tree: TreePaths, cluster: string): { layer: LayerId; dir: string; wave: number }[] {
  return LAYERS.map((l, wave) => ({ layer: l.id, dir: l.dir, wave })).filter((l) => tree.files.has(`clusters/${cluster}/${l.dir}/kustomization.yaml`));
}

function layerOverlay(base: string, layer: LayerId): string {
  const wave = LAYERS.findIndex((l) => l.id === layer);
  const annotations: Record<string, string> = { 'argocd.argoproj.io/sync-wave': String(wave) };
  const options = LAYER_SYNC_OPTIONS[layer];
  if (options) annotations['argocd.argoproj.io/sync-options'] = options;
  // A strategic-merge patch with a target applies to every object of the layer and, unlike
  // commonAnnotations, leaves pod templates alone (no rollout when a wave number changes).
  const patch = stringifyPlain({ apiVersion: 'v1', kind: 'Any', metadata: { name: 'any', annotations } });
  return (
    GENERATED_HEADER +
    stringifyPlain({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [base],
      patches: [{ target: { name: '.*' }, patch }],
    })
  );
}

function kustomization(resources: string[]): string {
  return GENERATED_HEADER + stringifyPlain({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
}

function application(topology: Topology, cluster: Cluster, overlay: string): Record<string, unknown> {
  const argo = topology.gitops.argocd!;
  const destination =
    argo.destination === 'server' && cluster.apiServer ? { server: cluster.apiServer } : { name: cluster.name };
  const syncPolicy: Record<string, unknown> = {
    ...(argo.automated ? { automated: { prune: true, selfHeal: true } } : {}),
    // Istio's CRDs come close to the 256 KiB limit of the last-applied annotation; server-side apply
    // has no such limit. RespectIgnoreDifferences keeps istiod's runtime patches on sync too.
    syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true', 'CreateNamespace=false'],
    retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `${topology.name}-${cluster.name}`,
      namespace: argo.namespace,
      labels: { 'meshrender.dev/mesh': topology.name, 'meshrender.dev/cluster': cluster.name },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: argo.project,
      source: {
        repoURL: topology.gitops.repoURL,
        targetRevision: topology.gitops.targetRevision,
        path: posix.join(topology.gitops.path, topology.name, overlay),
      },
      destination,
      syncPolicy,
      ignoreDifferences: ignoreDifferences(topology, cluster),
    },
  };
}

/**
 * istiod patches the caBundle of the webhooks it serves at run time. Before Istio 1.30 it also flips
 * the validator's failurePolicy from Ignore to Fail once ready, unless the release's charts can render
 * Fail up front (base.validationFailurePolicy, 1.29.2+ and 1.30+), which meshrender then does; only
 * older releases need the failurePolicy ignored. See docs/gitops.md.
 */
export function ignoreDifferences(topology: Topology, cluster: Cluster): Record<string, unknown>[] {
  const validator: string[] = ['.webhooks[]?.clientConfig.caBundle'];
  const versions = cluster.revisions.map((r) => topology.istio.revisions.find((x) => x.name === r)!.version);
  if (versions.some((v) => !chartSetsValidationFailurePolicy(v))) validator.push('.webhooks[]?.failurePolicy');
  return [
    { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
    { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: validator },
  ];
}
