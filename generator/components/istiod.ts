/**
 * istiod: the objects the istiod Helm chart (istio-control/istio-discovery) renders into the
 * control-plane layer, one unit per IstiodInstance of a cluster (facts §1.2, §2, §3.1, §6):
 * ServiceAccount, ConfigMaps istio[-rev] and istio-sidecar-injector[-rev], ClusterRoles and their
 * bindings, Role and RoleBinding, Service, Deployment, HorizontalPodAutoscaler, PodDisruptionBudget,
 * and on remotes the selector-less istiod Service with its EndpointSlice.
 * Webhooks, revision tags and base objects belong to other components.
 * Every chart condition is decided here, from the IstiodInstance; the templates only lay objects out.
 */
import { PlanError } from '../errors.ts';
import type { IstioRelease } from '../istio/release.ts';
import { revisionedName } from '../k8s/names.ts';
import type { ComponentPlanner } from './component.ts';
import { istiodInstances, type IstiodInstance } from './istiod-instance.ts';
import { injectorValues, minorAtLeast, prettyJson, sortKeysDeep } from './istiod-values.ts';

/**
 * The injection templates the chart embeds in the injector ConfigMap's `config`, in its order:
 * template name → file of istio-discovery/files/ in the release.
 */
export const INJECTION_TEMPLATES: readonly (readonly [string, string])[] = [
  ['sidecar', 'injection-template.yaml'],
  ['gateway', 'gateway-injection-template.yaml'],
  ['grpc-simple', 'grpc-simple.yaml'],
  ['grpc-agent', 'grpc-agent.yaml'],
  ['waypoint', 'waypoint.yaml'],
  ['kube-gateway', 'kube-gateway.yaml'],
  ['agentgateway', 'agentgateway.yaml'],
];

/**
 * A Go template call the chart puts in `config.template`: an istiod too old for these templates fails
 * to render it and reports a mismatched installation.
 */
export const VERSION_CHECK_TEMPLATE = '{{ Template_Version_And_Istio_Version_Mismatched_Check_Installation }}';

export const planIstiod: ComponentPlanner = ({ topology, cluster, releases }) =>
  istiodInstances(topology, cluster).map((inst) => ({
    component: 'istiod',
    layer: 'control-plane',
    unit: inst.unit,
    revision: inst.revision,
    context: istiodContext(inst, releases.get(inst.revision.version) ?? null),
  }));

/** Names of the chart's objects for one install (facts §3.1). */
export function istiodNames(inst: IstiodInstance) {
  const rev = inst.revision;
  const ns = inst.namespace;
  return {
    istiod: revisionedName('istiod', rev),
    meshConfigMap: revisionedName('istio', rev),
    injectorConfigMap: revisionedName('istio-sidecar-injector', rev),
    // Cluster-scoped names carry the release namespace, so two installs in one cluster never clash.
    clusterRole: `${revisionedName('istiod-clusterrole', rev)}-${ns}`,
    gatewayControllerRole: `${revisionedName('istiod-gateway-controller', rev)}-${ns}`,
    readerRole: `${revisionedName('istio-reader-clusterrole', rev)}-${ns}`,
  };
}

/**
 * The template context of one istiod install. `release` is the Istio release of its version; without
 * it (only in tests that render without releases) the injector ConfigMap, which embeds the release's
 * injection templates, is left out, as the CRDs are.
 */
export function istiodContext(inst: IstiodInstance, release: IstioRelease | null) {
  const names = istiodNames(inst);
  const revisioned = inst.revision.name !== 'default';
  const revision = inst.revision.label;
  // The chart's conditions (facts §1.2): LOCAL, istiod runs here; CFG, istiod runs here or this
  // cluster holds the configuration a remote istiod reads.
  const local = inst.local;
  const cfg = inst.local || inst.configCluster;
  const env = inst.env;
  return {
    istiod: {
      names,
      namespace: inst.namespace,
      istioNamespace: inst.namespace,
      revision,
      cfg,
      local,
      /** The Deployment's selector: `istio: pilot` without a revision, so a canary is never picked up by it. */
      deploymentSelector: revisioned ? { app: 'istiod', 'istio.io/rev': revision } : { istio: 'pilot' },
      /** Selector of the Service and the PodDisruptionBudget. */
      podSelector: revisioned ? { app: 'istiod', 'istio.io/rev': revision } : { app: 'istiod', istio: 'pilot' },
      /** The pod's `istio` label: `pilot` without a revision, `istiod` with one. */
      podIstioLabel: revisioned ? 'istiod' : 'pilot',
      rbac: {
        gatewayController: cfg && env.PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER !== 'false',
        mcsApiGroup: env.MCS_API_GROUP || 'multicluster.x-k8s.io',
        // pilotCertProvider is always istiod here, so only EXTERNAL_CA adds the CSR rules.
        certificateSigning: Boolean(env.EXTERNAL_CA),
        // istiodRemote.enabled: a remote istiod patches this cluster's webhooks and writes its root cert.
        readerRemoteRules: inst.remoteProfile,
      },
      meshConfigMap: inst.meshConfigMap ? { mesh: meshConfig(inst, names.istiod) } : null,
      injectorConfigMap: inst.injectorConfigMap && release ? injectorConfigMap(inst, release) : null,
      deployment: local ? deployment(inst, names.istiod) : null,
      hpa: local && inst.autoscale.enabled && inst.autoscale.min > 0 && inst.autoscale.max > 0 ? { min: inst.autoscale.min, max: inst.autoscale.max, cpu: 80 } : null,
      pdb: local && (inst.autoscale.enabled ? inst.autoscale.min > 1 : inst.replicas > 1) ? { minAvailable: 1 } : null,
      ...remoteIstiod(inst, names.istiod),
    },
  };
}

export type IstiodContext = ReturnType<typeof istiodContext>;

/**
 * On a remote with global.remotePilotAddress: a selector-less Service with the istiod name, backed by
 * an EndpointSlice for an IP address or, for a DNS name, an ExternalName. The 1.29 chart knows only
 * IPv4 literals and writes every other address as an ExternalName.
 */
function remoteIstiod(inst: IstiodInstance, name: string) {
  const addr = inst.remoteProfile ? inst.remotePilotAddress : null;
  if (!addr) return { remoteService: null, endpointSlice: null };
  const ip = addr.kind === 'ipv4' || (addr.kind === 'ipv6' && minorAtLeast(inst.revision.minor, 1, 30));
  return {
    remoteService: { name, externalName: ip ? null : addr.address },
    endpointSlice: ip ? { name, addressType: addr.kind === 'ipv4' ? 'IPv4' : 'IPv6', address: addr.address } : null,
  };
}

/**
 * The `mesh` key of istio[-rev]: the chart's generated mesh config with meshConfig merged over it,
 * written with sorted keys.
 */
export function meshConfig(inst: IstiodInstance, istiodName: string): Record<string, unknown> {
  const user = inst.meshConfig;
  // The chart's meshConfig default, then the trust domain (a meshConfig key), then the topology's meshConfig.
  const values: Record<string, unknown> = { enablePrometheusMerge: true, trustDomain: inst.trustDomain, ...user };
  // The remote profile turns telemetry off, and with it the default Prometheus provider.
  const prometheus = !inst.remoteProfile && !user.defaultProviders;
  // With remotePilotAddress the proxies reach istiod through the remote Service, which has no revision suffix.
  const discoveryHost = inst.remotePilotAddress ? 'istiod' : istiodName;
  const generated: Record<string, unknown> = {
    trustDomain: 'cluster.local',
    rootNamespace: (typeof user.rootNamespace === 'string' && user.rootNamespace) || inst.namespace,
    ...(prometheus ? { defaultProviders: { metrics: ['prometheus'] } } : {}),
    defaultConfig: {
      ...(inst.meshId ? { meshId: inst.meshId } : {}),
      discoveryAddress: `${discoveryHost}.${inst.namespace}.svc:15012`,
    },
  };
  return sortKeysDeep(mergeOverwrite(generated, values));
}

/**
 * sprig's mergeOverwrite: mappings merge key by key; any other value of `src` replaces the one in
 * `dst` unless it is empty (null, "", 0, false, an empty list) and `dst` already has the key.
 */
export function mergeOverwrite(dst: Record<string, unknown>, src: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...dst };
  for (const [k, v] of Object.entries(src)) {
    const has = Object.hasOwn(out, k);
    const d = has ? out[k] : undefined;
    if (isMap(d) && isMap(v)) out[k] = mergeOverwrite(d, v);
    else if (!has || !isEmpty(v)) out[k] = isMap(v) ? mergeOverwrite({}, v) : v;
  }
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0);
}

/**
 * The injector ConfigMap: `values` as the chart's pretty JSON, and the injection templates of the
 * release for `config`, each as the chart embeds it (the file trimmed, in a `|` block: one final newline).
 */
function injectorConfigMap(inst: IstiodInstance, release: IstioRelease) {
  const templates: Record<string, string> = {};
  for (const [name, file] of INJECTION_TEMPLATES) {
    const text = release.discoveryFiles.get(file);
    if (text === undefined) {
      const message = `Istio ${release.version} at ${release.origin} has no istio-discovery/files/${file}, needed for the ${name} injection template; it is not a complete release`;
      throw new PlanError(message, [{ file: release.origin, severity: 'error', message }]);
    }
    templates[name] = `${text.trim()}\n`;
  }
  return { values: prettyJson(injectorValues(inst)), versionCheck: VERSION_CHECK_TEMPLATE, templates };
}

/** The chart's default istiod resources, under which the topology's resources merge. */
const DEFAULT_RESOURCES = { requests: { cpu: '500m', memory: '2048Mi' } };

function deployment(inst: IstiodInstance, istiodName: string) {
  const env = inst.env;
  return {
    replicas: inst.autoscale.enabled || !inst.replicas ? null : inst.replicas,
    nodeSelector: Object.keys(inst.nodeSelector).length > 0 ? sortKeysDeep({ ...inst.nodeSelector }) : null,
    // istiod tolerates nodes whose CNI is not ready yet, then whatever the topology adds.
    tolerations: [{ key: 'cni.istio.io/not-ready', operator: 'Exists' }, ...inst.tolerations.map((t) => sortKeysDeep(t))],
    serviceAccountName: istiodName,
    image: `${inst.hub}/pilot:${inst.tag}`,
    // An env entry of the same name replaces the chart's default trust of ztunnel in istiod's namespace.
    caTrustedNodeAccounts: env.CA_TRUSTED_NODE_ACCOUNTS ? null : `${inst.namespace}/ztunnel`,
    env: Object.keys(env)
      .sort()
      .map((name) => ({ name, value: env[name]! })),
    // global.externalIstiod, unless pilot.env already sets it.
    externalIstiod: inst.externalIstiod && !env.EXTERNAL_ISTIOD,
    clusterId: inst.clusterName || 'Kubernetes',
    resources: resources(inst.resources),
    volumeMounts: inst.volumeMounts.length > 0 ? inst.volumeMounts.map((m) => sortKeysDeep(m)) : null,
    volumes: inst.volumes.length > 0 ? inst.volumes.map((v) => sortKeysDeep(v)) : null,
  };
}

/**
 * Helm merges the topology's resources over the chart default; the chart then writes limits before
 * requests and leaves out empty values.
 */
export function resources(overrides: Readonly<Record<string, unknown>> | null): Record<string, unknown> | null {
  const merged = mergeOverwrite(DEFAULT_RESOURCES, overrides ?? {});
  const out: Record<string, unknown> = {};
  for (const key of ['limits', 'requests']) {
    const list = merged[key];
    if (!isMap(list)) continue;
    const kept = Object.keys(list)
      .sort()
      .filter((k) => list[k] !== null && list[k] !== undefined && list[k] !== '' && list[k] !== 0);
    if (kept.length > 0) out[key] = Object.fromEntries(kept.map((k) => [k, list[k]]));
  }
  return Object.keys(out).length > 0 ? out : null;
}
