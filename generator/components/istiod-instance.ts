/**
 * The istiod chart installs of one cluster, derived from the topology: one per revision the cluster
 * runs, plus, on an external cluster, the mesh's istiod in the external namespace. Each instance
 * holds the decisions the Istio docs encode as Helm values (profile, configCluster, injection
 * path or URL, remote pilot address, ...), so every template and planner reads one model.
 *
 * The values follow the Helm path of the Istio docs, as recorded in
 * shared/istio-reference/1.30.3/_scenarios/ (facts sheet §2).
 */
import { addressKind } from '../stages/rules/address-format.ts';
import type { Cluster, Revision, Topology } from '../types.ts';

export interface IstiodInstance {
  cluster: string;
  /** Release namespace of the chart, and global.istioNamespace (equal in every model meshrender renders). */
  namespace: string;
  revision: Revision;
  /** Revision tags (revisionTags) that point at this revision. */
  tags: readonly string[];
  /** Unit directory name: istiod[-<rev>], or external-istiod for the mesh's istiod on an external cluster. */
  unit: string;
  /** profile=remote: no local istiod unless configCluster adds config objects. */
  remoteProfile: boolean;
  /** istiod runs in this cluster (Deployment, Service, HPA, ConfigMaps): the chart's LOCAL condition. */
  local: boolean;
  /** global.configCluster: the cluster holds mesh configuration read by a remote istiod. */
  configCluster: boolean;
  /** Whether CM istio (mesh config) renders: configMap (false in profile remote unless pilot.configMap). */
  meshConfigMap: boolean;
  /** Whether CM istio-sidecar-injector renders (!omitSidecarInjectorConfigMap). */
  injectorConfigMap: boolean;
  /** global.remotePilotAddress and how it is rendered, or null. */
  remotePilotAddress: { address: string; kind: 'ipv4' | 'ipv6' | 'dns' } | null;
  /** istiodRemote.injectionPath (default /inject). */
  injectionPath: string;
  /** istiodRemote.injectionURL, or null (then webhooks use the istiod service). */
  injectionURL: string | null;
  /** base.validationURL, or null. */
  validationURL: string | null;
  /** global.externalIstiod (EXTERNAL_ISTIOD env on the Deployment). */
  externalIstiod: boolean;
  /** global.operatorManageWebhooks: no MWC rendered by the chart. */
  operatorManageWebhooks: boolean;
  /** global.configValidation: the istio-validator VWC renders. */
  configValidation: boolean;
  /** global.multiCluster.clusterName, or null (istiod then uses "Kubernetes"). */
  clusterName: string | null;
  /** global.network, or null. */
  network: string | null;
  /** global.meshID, or null. */
  meshId: string | null;
  trustDomain: string;
  /** global.hub and global.tag. */
  hub: string;
  tag: string;
  /** global.caAddress, or null. */
  caAddress: string | null;
  /** meshConfig values merged over the generated mesh config (rootNamespace, defaultConfig, ...). */
  meshConfig: Readonly<Record<string, unknown>>;
  /** pilot.env: extra istiod env, sorted by name. */
  env: Readonly<Record<string, string>>;
  /** pilot.volumes / pilot.volumeMounts. */
  volumes: readonly Record<string, unknown>[];
  volumeMounts: readonly Record<string, unknown>[];
  /** Per-cluster overrides from the topology. */
  resources: Readonly<Record<string, unknown>> | null;
  autoscale: { enabled: boolean; min: number; max: number };
  replicas: number;
  nodeSelector: Readonly<Record<string, string>>;
  tolerations: readonly Record<string, unknown>[];
}

/** Injection path istiod's webhook serves for a remote: cluster ID and network in the path (facts §2.4). */
export function remoteInjectionPath(cluster: Cluster): string {
  return `/inject/cluster/${cluster.name}/net/${cluster.network}`;
}

export function istiodInstances(topology: Topology, cluster: Cluster): IstiodInstance[] {
  const revisions = cluster.revisions.map((name) => topology.istio.revisions.find((r) => r.name === name)!).filter(Boolean);
  const out = revisions.map((rev) => clusterInstance(topology, cluster, rev));
  if (cluster.role === 'external' && cluster.external) {
    for (const rev of revisions) out.push(externalInstance(topology, cluster, rev));
  }
  return out;
}

function base(topology: Topology, cluster: Cluster, rev: Revision): IstiodInstance {
  const o = cluster.istiod;
  const autoscaleEnabled = o.replicas === undefined;
  return {
    cluster: cluster.name,
    namespace: cluster.istioNamespace,
    revision: rev,
    tags: topology.istio.tags.filter((t) => t.revision === rev.name).map((t) => t.name),
    unit: `istiod${rev.suffix}`,
    remoteProfile: false,
    local: true,
    configCluster: false,
    meshConfigMap: true,
    injectorConfigMap: true,
    remotePilotAddress: null,
    injectionPath: '/inject',
    injectionURL: null,
    validationURL: null,
    externalIstiod: false,
    operatorManageWebhooks: false,
    configValidation: true,
    clusterName: cluster.name,
    network: cluster.network,
    meshId: topology.mesh.id,
    trustDomain: topology.mesh.trustDomain,
    hub: topology.istio.hub,
    tag: rev.version,
    caAddress: null,
    meshConfig: o.meshConfig ?? {},
    env: o.env ?? {},
    volumes: [],
    volumeMounts: [],
    resources: o.resources ?? null,
    autoscale: { enabled: autoscaleEnabled, min: o.autoscale?.min ?? 1, max: o.autoscale?.max ?? 5 },
    replicas: o.replicas ?? 1,
    nodeSelector: o.nodeSelector ?? {},
    tolerations: o.tolerations ?? [],
  };
}

function clusterInstance(topology: Topology, cluster: Cluster, rev: Revision): IstiodInstance {
  const inst = base(topology, cluster, rev);
  if (cluster.role === 'primary') {
    const servesRemotes = topology.clusters.some((c) => c.role === 'remote' && c.controlPlane === cluster.name);
    return { ...inst, externalIstiod: servesRemotes };
  }
  if (cluster.role === 'external') {
    // The external cluster's own istiod only configures its ingress gateway; the docs install it
    // with the default profile and no mesh identity (istioctl install -f controlplane-gateway.yaml).
    return { ...inst, clusterName: null, network: null, meshId: null };
  }
  const cp = topology.clusters.find((c) => c.name === cluster.controlPlane);
  const remote = { ...inst, remoteProfile: true, local: false, meshConfigMap: false, injectorConfigMap: false };
  if (cp?.role === 'external' && cp.external) return remoteOfExternal(remote, cluster, cp);
  // A remote of a primary: the Helm recipe of the docs (seed 000) makes it a config cluster.
  const address = cp?.eastWestAddress ?? null;
  return {
    ...remote,
    configCluster: true,
    injectionPath: remoteInjectionPath(cluster),
    remotePilotAddress: address ? pilotAddress(address) : null,
  };
}

/** Remotes of an external control plane (seed 002 (c) and (d)). */
function remoteOfExternal(inst: IstiodInstance, cluster: Cluster, cp: Cluster): IstiodInstance {
  const ext = cp.external!;
  const isConfig = ext.configCluster === cluster.name;
  const kind = addressKind(ext.address) ?? 'dns';
  const viaDns = kind === 'dns';
  return {
    ...inst,
    // The docs install these remotes without mesh identity values: it comes from the injection URL.
    clusterName: null,
    network: null,
    meshId: null,
    configCluster: isConfig,
    meshConfigMap: isConfig,
    injectionPath: viaDns ? '/inject' : remoteInjectionPath(cluster),
    injectionURL: viaDns ? `https://${ext.address}:15017${remoteInjectionPath(cluster)}` : null,
    validationURL: viaDns && isConfig ? `https://${ext.address}:15017/validate` : null,
    remotePilotAddress: viaDns ? null : pilotAddress(ext.address),
  };
}

/** The mesh's istiod on an external cluster, in the external namespace (seed 002 (b)). */
function externalInstance(topology: Topology, cluster: Cluster, rev: Revision): IstiodInstance {
  const ext = cluster.external!;
  const inst = base(topology, cluster, rev);
  const viaDns = (addressKind(ext.address) ?? 'dns') === 'dns';
  const xds = `${ext.address}:15012`;
  const meshConfig: Record<string, unknown> = {
    rootNamespace: ext.namespace,
    defaultConfig: {
      discoveryAddress: xds,
      ...(viaDns ? { proxyMetadata: { CA_ROOT_CA: '/etc/ssl/certs/ca-certificates.crt', XDS_ROOT_CA: '/etc/ssl/certs/ca-certificates.crt' } } : {}),
    },
  };
  const webhookNames = viaDns
    ? { INJECTION_WEBHOOK_CONFIG_NAME: '', VALIDATION_WEBHOOK_CONFIG_NAME: '' }
    : { INJECTION_WEBHOOK_CONFIG_NAME: `istio-sidecar-injector${rev.suffix}-${ext.namespace}`, VALIDATION_WEBHOOK_CONFIG_NAME: `istio-validator${rev.suffix}-${ext.namespace}` };
  const env = sortKeys({
    ...webhookNames,
    EXTERNAL_ISTIOD: 'true',
    LOCAL_CLUSTER_SECRET_WATCHER: 'true',
    SHARED_MESH_CONFIG: 'istio',
    ...(cluster.istiod.env ?? {}),
  });
  return {
    ...inst,
    namespace: ext.namespace,
    unit: `${ext.namespace}${rev.suffix}`,
    clusterName: ext.configCluster,
    network: null,
    caAddress: xds,
    operatorManageWebhooks: true,
    configValidation: false,
    meshConfig: { ...meshConfig, ...(cluster.istiod.meshConfig ?? {}) },
    env,
    volumes: [
      { name: 'config-volume', configMap: { name: `istio${rev.suffix}` } },
      { name: 'inject-volume', configMap: { name: `istio-sidecar-injector${rev.suffix}` } },
    ],
    volumeMounts: [
      { name: 'config-volume', mountPath: '/etc/istio/config' },
      { name: 'inject-volume', mountPath: '/var/lib/istio/inject' },
    ],
  };
}

function pilotAddress(address: string): { address: string; kind: 'ipv4' | 'ipv6' | 'dns' } {
  return { address, kind: addressKind(address) ?? 'dns' };
}

function sortKeys(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
