/**
 * The layers of a cluster tree, in the order they must be applied. Each layer is a directory
 * clusters/<cluster>/<NN-layer>/ with one subdirectory per unit; the cluster's root kustomization
 * lists the layers in this order, so `kubectl apply -k` builds them all at once.
 */
export const LAYERS = [
  { id: 'namespaces', dir: '00-namespaces', description: 'Namespaces with their topology labels and annotations' },
  { id: 'crds', dir: '10-crds', description: "Istio's CustomResourceDefinitions, from the newest release the cluster runs" },
  { id: 'base', dir: '20-base', description: 'Objects of the base chart other than CRDs and webhooks (istio-reader-service-account), and the plug-in CA (cacerts), which must exist before istiod starts' },
  { id: 'control-plane', dir: '30-control-plane', description: 'istiod per revision (or, on remotes, the objects that point at the remote istiod)' },
  { id: 'webhooks', dir: '40-webhooks', description: 'Injection and validation webhooks, revision tags, the default validator: only once istiod can answer them' },
  { id: 'gateways', dir: '50-gateways', description: 'East-west, ingress and egress gateways (image: auto, so injection must work first)' },
  { id: 'mesh-networking', dir: '60-mesh-networking', description: 'Istio networking objects that expose istiod and services across networks' },
  { id: 'secrets', dir: '70-secrets', description: 'Remote secrets and the token Secrets they are made from, from stores, never from meshrender' },
  { id: 'verify', dir: '90-verify', description: 'Optional sample workloads that prove cross-cluster traffic after a sync (spec.verify)' },
] as const;

export type LayerId = (typeof LAYERS)[number]['id'];

export function layerDir(id: LayerId): string {
  return LAYERS.find((l) => l.id === id)!.dir;
}
