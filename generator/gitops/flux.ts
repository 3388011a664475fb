/**
 * Flux entry points: per cluster, under out/<mesh>/flux/<cluster>/, one Kustomization per layer of
 * the cluster tree, each depending on the layer before it and waiting for its objects to be ready
 * (`wait: true`: istiod before webhooks, webhooks before gateways). They are not part of the tree
 * they point at: a cluster's Flux (or a central Flux with a kubeconfig per cluster) reconciles
 * flux/<cluster>/, which pulls in the layers in order.
 */
import { posix } from 'node:path';
import type { LayerId } from '../layers.ts';
import type { Topology, TreePaths } from '../types.ts';
import { GENERATED_HEADER } from '../stages/assemble.ts';
import { stringifyPlain } from '../yaml/canonical.ts';
import { clusterLayers } from './argocd.ts';

export const FLUX_DIR = 'flux';
/** Layers whose objects must outlive a pruning mistake: Flux never deletes them. */
const NEVER_PRUNE: readonly LayerId[] = ['namespaces', 'crds'];

export function fluxFiles(topology: Topology, tree: TreePaths): Map<string, string> {
  const flux = topology.gitops.flux;
  const out = new Map<string, string>();
  if (!flux) return out;
  for (const cluster of topology.clusters) {
    const layers = clusterLayers(tree, cluster.name);
    if (layers.length === 0) continue;
    const files: string[] = [];
    let previous: string | null = null;
    for (const { layer, dir } of layers) {
      const name = `${topology.name}-${cluster.name}-${layer}`;
      const spec: Record<string, unknown> = {
        interval: flux.interval,
        timeout: flux.timeout,
        retryInterval: '1m',
        path: `./${posix.join(topology.gitops.path, topology.name, 'clusters', cluster.name, dir)}`,
        prune: true,
        wait: true,
        sourceRef: { kind: flux.sourceRef.kind, name: flux.sourceRef.name, namespace: flux.sourceRef.namespace },
        ...(previous ? { dependsOn: [{ name: previous }] } : {}),
        ...(NEVER_PRUNE.includes(layer) ? { commonMetadata: { annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } } } : {}),
        ...(flux.kubeConfigSecret
          ? { kubeConfig: { secretRef: { name: flux.kubeConfigSecret.replaceAll('{cluster}', cluster.name), key: 'value' } } }
          : {}),
      };
      const obj = {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: {
          name,
          namespace: flux.namespace,
          labels: { 'meshrender.dev/mesh': topology.name, 'meshrender.dev/cluster': cluster.name, 'meshrender.dev/layer': layer },
        },
        spec,
      };
      const file = `kustomization-${name}.yaml`;
      out.set(`${FLUX_DIR}/${cluster.name}/${file}`, `# Source: generator/gitops/flux.ts\n${stringifyPlain(obj)}`);
      files.push(file);
      previous = name;
    }
    out.set(`${FLUX_DIR}/${cluster.name}/kustomization.yaml`, GENERATED_HEADER + stringifyPlain({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files }));
  }
  return out;
}
