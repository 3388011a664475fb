/**
 * The order in which kinds appear in kustomization resources: what others depend on first
 * (Namespace, CRDs, RBAC), admission webhooks last, as kustomize and Helm order them.
 */
const ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'EndpointSlice',
  'Deployment',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
];
const LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

export function kindRank(kind: string): number {
  const i = ORDER.indexOf(kind);
  if (i >= 0) return i;
  const j = LAST.indexOf(kind);
  if (j >= 0) return 1000 + j;
  return 500; // custom resources and other kinds, between workloads and webhooks
}
