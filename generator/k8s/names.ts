/**
 * Every Kubernetes- and Istio-facing name that meshrender builds, in one place.
 */
import type { Revision } from '../types.ts';

export const LABEL_NETWORK = 'topology.istio.io/network';
export const ANNOTATION_CONTROL_PLANE_CLUSTERS = 'topology.istio.io/controlPlaneClusters';

/** File name of one object in a directory: `<kind>-<name>.yaml`, with `<namespace>.` in front where a directory mixes namespaces. */
export function objectFileName(kind: string, name: string, namespacePrefix: string | null): string {
  const base = `${kind.toLowerCase()}-${name.toLowerCase()}.yaml`;
  return namespacePrefix ? `${namespacePrefix}.${base}` : base;
}

/** Directory name of a revisioned unit: `istiod` for the default revision, `istiod-<rev>` otherwise. */
export function revisionedName(base: string, revision: Revision): string {
  return `${base}${revision.suffix}`;
}

// Remote secrets (istioctl create-remote-secret, facts §5) and the plug-in CA (facts §7).
/** Label istiod's secret controller selects remote secrets by. */
export const LABEL_MULTICLUSTER_SECRET = 'istio/multiCluster';
/** Annotation naming the cluster a remote secret reads. */
export const ANNOTATION_REMOTE_SECRET_CLUSTER = 'networking.istio.io/cluster';
/** Secret an external istiod reads its config cluster through (key `config`). */
export const CONFIG_CLUSTER_SECRET = 'istio-kubeconfig';
export const CONFIG_CLUSTER_SECRET_KEY = 'config';
/** ServiceAccount whose token reads the config cluster of an external control plane. */
export const CONFIG_CLUSTER_SERVICE_ACCOUNT = 'istiod';
/** Annotation that binds a kubernetes.io/service-account-token Secret to its ServiceAccount. */
export const ANNOTATION_SERVICE_ACCOUNT_NAME = 'kubernetes.io/service-account.name';
/** The Secret istiod loads its plug-in CA from. */
export const CACERTS_SECRET = 'cacerts';

/** `istio-remote-secret-<cluster>`: the remote secret of one cluster. */
export function remoteSecretName(cluster: string): string {
  return `istio-remote-secret-${cluster}`;
}

/** `<sa>-istio-remote-secret-token`: the token Secret istioctl creates for a ServiceAccount. */
export function remoteSecretTokenName(serviceAccount: string): string {
  return `${serviceAccount}-istio-remote-secret-token`;
}
