/**
 * Remote secrets (facts §5): how every istiod gets credentials for the API servers it watches,
 * without a token ever passing through meshrender. The reads come from remoteSecretReads
 * (mesh-graph.ts), the one relation of which istiod reads which cluster.
 * - On the cluster being read (component remote-secret-token, layer secrets): per ServiceAccount
 *   that is read, a kubernetes.io/service-account-token Secret <sa>-istio-remote-secret-token,
 *   exactly as istioctl create-remote-secret creates it. Kubernetes fills in its token and ca.crt.
 *   The ServiceAccount itself comes from the base chart (istio-reader-service-account) or, for the
 *   config cluster of an external control plane, from the istiod chart (istiod).
 * - On the reading cluster, in istiod's namespace, with remoteSecrets.provider external-secrets
 *   (component remote-secret, layer secrets): an ExternalSecret whose template writes the remote
 *   secret with Istio's name, label and annotation, and a kubeconfig for the topology's apiServer
 *   with the token from the store. With provider none nothing is rendered there; secretNotices
 *   (secret-notices.ts) tells the user what to create.
 * The ExternalSecret of a remote read depends only on the target and the reader's namespace, so it
 * is rendered once per mesh under shared/remote-secrets/<namespace>/<target>/ and every reader's
 * remote-secrets kustomization lists that directory (in a fleet where 40 primaries read 1,000
 * clusters, 1,000 files instead of 40,000; a changed API server is one changed file). The
 * istio-kubeconfig of an external control plane is read by that one cluster and stays in its tree.
 */
import {
  ANNOTATION_REMOTE_SECRET_CLUSTER,
  ANNOTATION_SERVICE_ACCOUNT_NAME,
  CONFIG_CLUSTER_SECRET,
  CONFIG_CLUSTER_SECRET_KEY,
  CONFIG_CLUSTER_SERVICE_ACCOUNT,
  LABEL_MULTICLUSTER_SECRET,
  remoteSecretName,
  remoteSecretTokenName,
} from '../k8s/names.ts';
import type { Cluster, RemoteSecrets, StoreRef, Topology } from '../types.ts';
import { READER_SERVICE_ACCOUNT } from './base.ts';
import type { ComponentPlanner, UnitRequest } from './component.ts';
import { remoteSecretReads, type ClusterRead } from './mesh-graph.ts';
import { groupBy } from '../util/group-by.ts';

/** A read, with everything the two sides need: names, namespaces, the ServiceAccount and the Secret istiod reads. */
export interface RemoteSecretSpec extends ClusterRead {
  /** ServiceAccount on the target whose token the reader uses. */
  serviceAccount: string;
  /** Token Secret of that ServiceAccount on the target. */
  tokenSecret: string;
  /** Name of the Secret istiod reads on the reader: istio-remote-secret-<target> or istio-kubeconfig. */
  secretName: string;
  /** Its data key: the target's name, or `config`. */
  secretKey: string;
}

/** Every remote secret of the mesh, in the order of remoteSecretReads (reader, then target). */
export function remoteSecretSpecs(topology: Topology): RemoteSecretSpec[] {
  return specsOf(topology).all;
}

/** The remote secrets of the mesh by reading cluster, readers in the order of remoteSecretReads. */
export function remoteSecretSpecsByReader(topology: Topology): ReadonlyMap<string, readonly RemoteSecretSpec[]> {
  return specsOf(topology).byReader;
}

interface SpecIndex {
  all: RemoteSecretSpec[];
  byReader: Map<string, RemoteSecretSpec[]>;
  byTarget: Map<string, RemoteSecretSpec[]>;
}

const specCache = new WeakMap<Topology, SpecIndex>();

/** The specs of a (frozen) topology, computed once and indexed by reader and by target. */
function specsOf(topology: Topology): SpecIndex {
  const hit = specCache.get(topology);
  if (hit) return hit;
  const all = Object.freeze(computeSpecs(topology)) as RemoteSecretSpec[];
  const index = { all, byReader: groupBy(all, (s) => s.reader), byTarget: groupBy(all, (s) => s.target) };
  specCache.set(topology, index);
  return index;
}

function computeSpecs(topology: Topology): RemoteSecretSpec[] {
  return remoteSecretReads(topology).map((r) => {
    const config = r.type === 'config';
    const serviceAccount = config ? CONFIG_CLUSTER_SERVICE_ACCOUNT : READER_SERVICE_ACCOUNT;
    return {
      ...r,
      serviceAccount,
      tokenSecret: remoteSecretTokenName(serviceAccount),
      secretName: config ? CONFIG_CLUSTER_SECRET : remoteSecretName(r.target),
      secretKey: config ? CONFIG_CLUSTER_SECRET_KEY : r.target,
    };
  });
}

export const planRemoteSecrets: ComponentPlanner = ({ topology, cluster }) => {
  const specs = specsOf(topology);
  const out: UnitRequest[] = [];
  const tokens = tokenSecrets(specs.byTarget.get(cluster.name) ?? []);
  if (tokens.length > 0) {
    out.push({ component: 'remote-secret-token', layer: 'secrets', unit: 'remote-secret-tokens', revision: null, context: { tokens } });
  }
  const rs = topology.remoteSecrets;
  const reads = (specs.byReader.get(cluster.name) ?? []).filter((s) => s.type === 'config');
  if (rs.provider === 'external-secrets' && rs.store && reads.length > 0) {
    const byName = new Map(topology.clusters.map((c) => [c.name, c]));
    const externalSecrets = reads.map((s) => remoteSecretExternalSecret(topology, s, byName.get(s.target)!, rs, rs.store!));
    out.push({ component: 'remote-secret', layer: 'secrets', unit: REMOTE_SECRETS_UNIT, revision: null, context: { externalSecrets } });
  }
  return out;
};

/** Directory name of a reader's remote secrets inside its secrets layer. */
export const REMOTE_SECRETS_UNIT = 'remote-secrets';

/** Where the ExternalSecret of a remote read of `target` by an istiod in `namespace` lives, once per mesh. */
export function sharedRemoteSecretDir(namespace: string, target: string): string {
  return `shared/remote-secrets/${namespace}/${target}`;
}

export interface SharedRemoteSecretUnit {
  /** Directory under shared/. */
  dir: string;
  /** The cluster whose API server the secret opens. */
  target: string;
  context: { externalSecrets: unknown[] };
}

export interface SharedRemoteSecretPlan {
  units: SharedRemoteSecretUnit[];
  /** Reader's remote-secrets directory (relative to the mesh) → the shared directories it lists. */
  references: Map<string, string[]>;
}

/**
 * The ExternalSecrets of remote reads (provider external-secrets), once per target and reader
 * namespace, and the references of each reader's remote-secrets directory to them. With `only`
 * (render --cluster) the references are those of the named readers, and every shared directory is
 * rendered: each depends only on its target, so the subset renders it exactly as the full render.
 */
export function planSharedRemoteSecrets(topology: Topology, layerDirOfSecrets: string, only: ReadonlySet<string> | null = null): SharedRemoteSecretPlan {
  const rs = topology.remoteSecrets;
  const units = new Map<string, SharedRemoteSecretUnit>();
  const references = new Map<string, string[]>();
  if (rs.provider !== 'external-secrets' || !rs.store) return { units: [], references };
  const byName = new Map(topology.clusters.map((c) => [c.name, c]));
  for (const s of specsOf(topology).all) {
    if (s.type !== 'remote') continue;
    const dir = sharedRemoteSecretDir(s.readerNamespace, s.target);
    if (!units.has(dir)) units.set(dir, { dir, target: s.target, context: { externalSecrets: [remoteSecretExternalSecret(topology, s, byName.get(s.target)!, rs, rs.store)] } });
    if (only && !only.has(s.reader)) continue;
    const readerDir = `clusters/${s.reader}/${layerDirOfSecrets}/${REMOTE_SECRETS_UNIT}`;
    const list = references.get(readerDir);
    const entry = `../../../../${dir}`;
    if (list) list.push(entry);
    else references.set(readerDir, [entry]);
  }
  for (const list of references.values()) list.sort();
  return { units: [...units.values()].sort((a, b) => (a.dir < b.dir ? -1 : 1)), references };
}

/** One token Secret per ServiceAccount and namespace that some istiod reads through, sorted. */
function tokenSecrets(reads: readonly RemoteSecretSpec[]) {
  const seen = new Map<string, { name: string; namespace: string; annotations: Record<string, string> }>();
  for (const r of reads) {
    const id = `${r.targetNamespace}/${r.tokenSecret}`;
    if (!seen.has(id)) seen.set(id, { name: r.tokenSecret, namespace: r.targetNamespace, annotations: { [ANNOTATION_SERVICE_ACCOUNT_NAME]: r.serviceAccount } });
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
}

/** Fills the placeholders of a store key pattern. Unknown placeholders cannot occur: the schema allows only these. */
export function expandKey(pattern: string, values: Readonly<Record<string, string>>): string {
  return pattern.replace(/\{(\w+)\}/g, (m, name: string) => values[name] ?? m);
}

/** The remote key of a target's reader token. */
export function tokenRemoteKey(topology: Topology, s: Pick<RemoteSecretSpec, 'target' | 'serviceAccount'>): string {
  return expandKey(topology.remoteSecrets.key, { mesh: topology.name, cluster: s.target, serviceAccount: s.serviceAccount });
}

/** The ExternalSecret that writes one remote secret (its template context). */
function remoteSecretExternalSecret(topology: Topology, s: RemoteSecretSpec, target: Cluster, rs: RemoteSecrets, store: StoreRef) {
  const data: Record<string, unknown>[] = [{ secretKey: 'token', remoteRef: remoteRef(tokenRemoteKey(topology, s), rs.property) }];
  let caData: KubeconfigCA = null;
  const ca = target.apiServerCA;
  if (ca && 'pem' in ca) caData = { inline: Buffer.from(ca.pem, 'utf8').toString('base64') };
  else if (ca) {
    caData = { fromKey: 'ca' };
    data.push({ secretKey: 'ca', remoteRef: remoteRef(expandKey(ca.key, { mesh: topology.name, cluster: target.name }), ca.property) });
  }
  return {
    name: s.secretName,
    namespace: s.readerNamespace,
    refreshInterval: rs.refreshInterval,
    store: { name: store.name, kind: store.kind },
    labels: { [LABEL_MULTICLUSTER_SECRET]: 'true' },
    annotations: { [ANNOTATION_REMOTE_SECRET_CLUSTER]: s.target },
    templateData: { [s.secretKey]: kubeconfigTemplate(s.target, target.apiServer ?? '', caData) },
    data,
  };
}

function remoteRef(key: string, property: string | null): Record<string, string> {
  return property === null ? { key } : { key, property };
}

/** Where the kubeconfig's certificate-authority-data comes from: base64 computed here, a key of the ExternalSecret's data, or nowhere. */
export type KubeconfigCA = { inline: string } | { fromKey: string } | null;

/**
 * The kubeconfig of a remote secret as an External Secrets (engine v2) Go template: the shape
 * istioctl create-remote-secret writes (clusters, contexts and users named after the cluster,
 * current-context, bearer token), with `{{ .token }}` (and the CA) filled in by the operator.
 * Static text is escaped so that nothing from the topology can open a Go template action.
 */
export function kubeconfigTemplate(cluster: string, server: string, ca: KubeconfigCA): string {
  const lit = goTemplateLiteral;
  const caLine =
    ca === null ? [] : 'inline' in ca ? [`    certificate-authority-data: ${ca.inline}`] : [`    certificate-authority-data: {{ .${ca.fromKey} | b64enc }}`];
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    ...caLine,
    `    server: ${lit(JSON.stringify(server))}`,
    `  name: ${lit(cluster)}`,
    'contexts:',
    '- context:',
    `    cluster: ${lit(cluster)}`,
    `    user: ${lit(cluster)}`,
    `  name: ${lit(cluster)}`,
    `current-context: ${lit(cluster)}`,
    'kind: Config',
    'users:',
    `- name: ${lit(cluster)}`,
    '  user:',
    '    token: {{ .token }}',
    '',
  ].join('\n');
}

/** Text that a Go template prints as is: every `{{` becomes an action printing `{{`. */
export function goTemplateLiteral(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}
