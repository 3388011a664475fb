/**
 * Base: the objects of the base Helm chart (facts §1.1, §3.3, §6.5) other than its CRDs, which come
 * verbatim from the Istio release (crds.ts):
 * - unit istio-base in the base layer (component base): ServiceAccount istio-reader-service-account in
 *   the cluster's Istio namespace. global.enableReaderRBAC is on (the chart default; the topology has
 *   no setting for it), and the istiod chart's reader ClusterRoleBinding names this account.
 * - unit default-validator in the webhooks layer (component default-validator): ValidatingWebhookConfiguration
 *   istiod-default-validator for the cluster's default revision (base defaultRevision), rendered on
 *   every cluster that runs a revision, as the docs install the base chart everywhere with a
 *   non-empty defaultRevision.
 */
import type { Cluster, Revision, Topology } from '../types.ts';
import type { ComponentPlanner, UnitRequest } from './component.ts';
import { istiodInstances } from './istiod-instance.ts';
import { validationFailurePolicy } from '../istio/features.ts';
import { crdVersion } from './crds.ts';
import { validationClient } from './webhooks.ts';

export const READER_SERVICE_ACCOUNT = 'istio-reader-service-account';
export const DEFAULT_VALIDATOR = 'istiod-default-validator';

export const planBase: ComponentPlanner = ({ topology, cluster }) => {
  const out: UnitRequest[] = [
    {
      component: 'base',
      layer: 'base',
      unit: 'istio-base',
      revision: null,
      context: { base: { namespace: cluster.istioNamespace, readerServiceAccount: READER_SERVICE_ACCOUNT } },
    },
  ];
  const validator = defaultValidatorContext(topology, cluster);
  if (validator) out.push({ component: 'default-validator', layer: 'webhooks', unit: 'default-validator', revision: null, context: validator });
  return out;
};

/**
 * istiod-default-validator of a cluster, or null when it runs no revision. It points at the default
 * revision's istiod in the Istio namespace (global.istioNamespace), or at base.validationURL where the
 * install of that revision there has one (the config cluster of an external control plane reached by a
 * DNS name). The base chart's version has no objectSelector: it validates every object.
 */
export function defaultValidatorContext(topology: Topology, cluster: Cluster) {
  const revision = defaultRevisionOf(topology, cluster);
  if (!revision) return null;
  const inst = istiodInstances(topology, cluster).find((i) => i.namespace === cluster.istioNamespace && i.revision.name === revision.name);
  return {
    validator: {
      name: DEFAULT_VALIDATOR,
      revision: revision.label,
      client: validationClient(revision, cluster.istioNamespace, inst?.validationURL ?? null),
      // The base chart of the cluster is its newest release, as for the CRDs.
      failurePolicy: validationFailurePolicy(crdVersion(topology, cluster) ?? revision.version),
    },
  };
}

function defaultRevisionOf(topology: Topology, cluster: Cluster): Revision | null {
  if (!cluster.defaultRevision) return null;
  return topology.istio.revisions.find((r) => r.name === cluster.defaultRevision) ?? null;
}
