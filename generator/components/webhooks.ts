/**
 * Webhooks: the admission webhooks the istiod chart renders for each IstiodInstance of a cluster,
 * in the webhooks layer (facts §1.2, §3.2, §3.3, §6.5):
 * - unit <inst.unit> (component istiod-webhooks): MutatingWebhookConfiguration
 *   istio-sidecar-injector[-REV][-NS] and ValidatingWebhookConfiguration istio-validator[-REV]-<istioNamespace>;
 * - unit revision-tag-<tag> (component revision-tag): per revision tag, the MutatingWebhookConfiguration
 *   istio-revision-tag-<tag>[-NS] and the Service istiod-revision-tag-<tag>, for every install of the
 *   tag's revision in the cluster.
 * Every chart condition is decided here; the templates only lay the objects out.
 * The base chart's istiod-default-validator is planned with the base chart (base.ts).
 */
import type { Revision } from '../types.ts';
import type { ComponentPlanner, UnitRequest } from './component.ts';
import { istiodInstances, type IstiodInstance } from './istiod-instance.ts';

/** The Istio system namespace the charts treat as the default: no -NS suffix on webhook names there. */
const DEFAULT_ISTIO_NAMESPACE = 'istio-system';

/**
 * failurePolicy of the validation webhooks: rendered as the charts render it with
 * base.validationFailurePolicy=Fail where the release supports that value (1.29.2+, 1.30+), so istiod
 * does not flip Ignore to Fail at run time and GitOps tools see no drift; `Ignore` (the charts' default
 * for a fresh install) for older releases. A deliberate deviation from the default renders: docs/fidelity.md.
 */
import { validationFailurePolicy } from '../istio/features.ts';

export { validationFailurePolicy };

/** sidecarInjectorWebhook.reinvocationPolicy, the chart's default. */
export const REINVOCATION_POLICY = 'Never';

export const planWebhooks: ComponentPlanner = ({ topology, cluster }) => {
  const instances = istiodInstances(topology, cluster);
  const out: UnitRequest[] = [];
  for (const inst of instances) {
    const context = webhooksContext(inst);
    if (!context.webhooks.injector && !context.webhooks.validator) continue;
    out.push({ component: 'istiod-webhooks', layer: 'webhooks', unit: inst.unit, revision: inst.revision, context });
  }
  for (const tag of clusterTags(instances)) {
    const holders = instances.filter((i) => i.tags.includes(tag));
    out.push({
      component: 'revision-tag',
      layer: 'webhooks',
      unit: `revision-tag-${tag}`,
      revision: holders[0]!.revision,
      context: revisionTagContext(tag, holders),
    });
  }
  return out;
};

/** Every tag held by an install in this cluster, sorted. */
function clusterTags(instances: readonly IstiodInstance[]): string[] {
  return [...new Set(instances.flatMap((i) => i.tags))].sort();
}

// ---------------------------------------------------------------------------
// Names (facts §3.1, §3.3).

/** `-NS` on cluster-scoped injection webhook names, unless the install is in istio-system. */
function namespaceSuffix(namespace: string): string {
  return namespace === DEFAULT_ISTIO_NAMESPACE ? '' : `-${namespace}`;
}

export function injectorWebhookName(inst: IstiodInstance): string {
  return `istio-sidecar-injector${inst.revision.suffix}${namespaceSuffix(inst.namespace)}`;
}

/** The validator always carries the Istio namespace, istio-system included. */
export function validatorWebhookName(inst: IstiodInstance): string {
  return `istio-validator${inst.revision.suffix}-${inst.namespace}`;
}

export function tagWebhookName(tag: string, namespace: string): string {
  return `istio-revision-tag-${tag}${namespaceSuffix(namespace)}`;
}

export function tagServiceName(tag: string): string {
  return `istiod-revision-tag-${tag}`;
}

/** The istiod Service the webhooks of a revision call: istiod[-REV]. */
export function istiodServiceName(revision: Revision): string {
  return `istiod${revision.suffix}`;
}

// ---------------------------------------------------------------------------
// Contexts.

interface MatchExpression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
interface Selector {
  matchExpressions: MatchExpression[];
}
export interface InjectionWebhook {
  name: string;
  namespaceSelector: Selector;
  objectSelector: Selector;
}

/** Where the injection webhooks send their requests: a URL, or the istiod Service of the revision. */
export interface InjectionClient {
  url: string | null;
  service: { name: string; namespace: string; path: string; port: number } | null;
}

const notDisabled: MatchExpression = { key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] };
const absent = (key: string): MatchExpression => ({ key, operator: 'DoesNotExist' });
const oneOf = (key: string, value: string): MatchExpression => ({ key, operator: 'In', values: [value] });

/**
 * The webhooks of an injection MWC, in the chart's order (facts §3.2): `rev.namespace.` and `rev.object.`
 * select `istio.io/rev=<selects>`; the default revision, and the `default` tag, also serve the legacy
 * `istio-injection=enabled` namespaces and `sidecar.istio.io/inject=true` pods (`namespace.`, `object.`).
 * sidecarInjectorWebhook.enableNamespacesByDefault (the `auto.` webhook) is not a topology setting.
 */
export function injectionWebhooks(selects: string, legacy: boolean): InjectionWebhook[] {
  const list: InjectionWebhook[] = [
    {
      name: 'rev.namespace.sidecar-injector.istio.io',
      namespaceSelector: { matchExpressions: [oneOf('istio.io/rev', selects), absent('istio-injection')] },
      objectSelector: { matchExpressions: [notDisabled] },
    },
    {
      name: 'rev.object.sidecar-injector.istio.io',
      namespaceSelector: { matchExpressions: [absent('istio.io/rev'), absent('istio-injection')] },
      objectSelector: { matchExpressions: [notDisabled, oneOf('istio.io/rev', selects)] },
    },
  ];
  if (legacy) {
    list.push(
      {
        name: 'namespace.sidecar-injector.istio.io',
        namespaceSelector: { matchExpressions: [oneOf('istio-injection', 'enabled')] },
        objectSelector: { matchExpressions: [notDisabled] },
      },
      {
        name: 'object.sidecar-injector.istio.io',
        namespaceSelector: { matchExpressions: [absent('istio-injection'), absent('istio.io/rev')] },
        objectSelector: { matchExpressions: [oneOf('sidecar.istio.io/inject', 'true'), absent('istio.io/rev')] },
      },
    );
  }
  return list;
}

/** istiodRemote.injectionURL, else the revision's istiod Service in the release namespace at injectionPath. */
export function injectionClient(inst: IstiodInstance): InjectionClient {
  if (inst.injectionURL) return { url: inst.injectionURL, service: null };
  return { url: null, service: { name: istiodServiceName(inst.revision), namespace: inst.namespace, path: inst.injectionPath, port: 443 } };
}

/** base.validationURL, else the revision's istiod Service in the Istio namespace at /validate. */
export function validationClient(revision: Revision, namespace: string, validationURL: string | null) {
  if (validationURL) return { url: validationURL, service: null };
  return { url: null, service: { name: istiodServiceName(revision), namespace, path: '/validate' } };
}

export function webhooksContext(inst: IstiodInstance) {
  const rev = inst.revision.label;
  // The chart's CFG condition: istiod runs here, or a remote istiod reads its configuration here.
  const cfg = inst.local || inst.configCluster;
  return {
    webhooks: {
      revision: rev,
      injector: inst.operatorManageWebhooks
        ? null
        : {
            name: injectorWebhookName(inst),
            client: injectionClient(inst),
            reinvocationPolicy: REINVOCATION_POLICY,
            webhooks: injectionWebhooks(rev, inst.revision.name === 'default'),
          },
      validator:
        cfg && inst.configValidation
          ? {
              name: validatorWebhookName(inst),
              client: validationClient(inst.revision, inst.namespace, inst.validationURL),
              failurePolicy: validationFailurePolicy(inst.revision.version),
            }
          : null,
    },
  };
}

export type WebhooksContext = ReturnType<typeof webhooksContext>['webhooks'];

/**
 * One revision tag on one cluster: for each install of the tag's revision, the chart's tag MWC (not
 * with operatorManageWebhooks) and tag Service. The chart renders the Service on remote-profile
 * installs too (revision-tags-svc.yaml has no LOCAL condition), where it selects no pod.
 */
export function revisionTagContext(tag: string, holders: readonly IstiodInstance[]) {
  return {
    tag: {
      name: tag,
      installs: holders.map((inst) => ({
        revision: inst.revision.label,
        webhook: inst.operatorManageWebhooks
          ? null
          : {
              name: tagWebhookName(tag, inst.namespace),
              client: injectionClient(inst),
              reinvocationPolicy: REINVOCATION_POLICY,
              webhooks: injectionWebhooks(tag, tag === 'default'),
            },
        service: {
          name: tagServiceName(tag),
          namespace: inst.namespace,
          selector: inst.revision.name === 'default' ? { app: 'istiod', istio: 'pilot' } : { app: 'istiod', 'istio.io/rev': inst.revision.label },
        },
      })),
    },
  };
}

export type RevisionTagContext = ReturnType<typeof revisionTagContext>['tag'];
