/**
 * The `values` key of the istio-sidecar-injector[-<rev>] ConfigMap: istiod reads it at injection time
 * (hub, tag, cluster name, network, mesh ID, CA address, ...). The istiod chart writes a subset of its
 * merged values there as pretty JSON with sorted keys (facts §6.4). meshrender models the chart's
 * defaults for that subset per Istio minor and lays the IstiodInstance decisions over them.
 */
import type { IstiodInstance } from './istiod-instance.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The chart's `global` defaults (values.yaml `_internal_defaults_do_not_set.global`) for one minor. */
export function chartGlobalDefaults(minor: string): { [key: string]: Json } {
  return {
    istioNamespace: 'istio-system',
    certSigners: [],
    defaultPodDisruptionBudget: { enabled: true },
    defaultResources: { requests: { cpu: '10m' } },
    // Development defaults of the chart sources; every install sets its own hub and tag.
    hub: minorAtLeast(minor, 1, 30) ? 'registry.istio.io/testing' : 'gcr.io/istio-testing',
    tag: 'latest',
    variant: '',
    imagePullPolicy: '',
    imagePullSecrets: [],
    istiod: { enableAnalysis: false },
    logAsJson: false,
    nativeNftables: false,
    logging: { level: 'default:info' },
    networkPolicy: { enabled: false },
    omitSidecarInjectorConfigMap: false,
    resourceScope: 'all',
    operatorManageWebhooks: false,
    priorityClassName: '',
    proxy: {
      image: 'proxyv2',
      autoInject: 'enabled',
      clusterDomain: 'cluster.local',
      componentLogLevel: 'misc:error',
      excludeInboundPorts: '',
      includeInboundPorts: '*',
      includeIPRanges: '*',
      excludeIPRanges: '',
      includeOutboundPorts: '',
      excludeOutboundPorts: '',
      logLevel: 'warning',
      outlierLogPath: '',
      privileged: false,
      seccompProfile: {},
      readinessFailureThreshold: 4,
      readinessInitialDelaySeconds: 0,
      readinessPeriodSeconds: 15,
      startupProbe: { enabled: true, failureThreshold: 600 },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } },
      statusPort: 15020,
      tracer: 'none',
    },
    proxy_init: { image: 'proxyv2', forceApplyIptables: false },
    remotePilotAddress: '',
    caAddress: '',
    externalIstiod: false,
    configCluster: false,
    configValidation: true,
    meshID: '',
    meshNetworks: {},
    mountMtlsCerts: false,
    multiCluster: { clusterName: '' },
    network: '',
    pilotCertProvider: 'istiod',
    sds: { token: { aud: 'istio-ca' } },
    sts: { servicePort: 0 },
    caName: '',
    waypoint: {
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } },
      affinity: {},
      topologySpreadConstraints: [],
      nodeSelector: {},
      tolerations: [],
    },
  };
}

/** The chart's `sidecarInjectorWebhook` defaults (equal in 1.29 and 1.30). */
export function chartSidecarInjectorDefaults(): { [key: string]: Json } {
  return {
    neverInjectSelector: [],
    alwaysInjectSelector: [],
    injectedAnnotations: {},
    enableNamespacesByDefault: false,
    reinvocationPolicy: 'Never',
    rewriteAppHTTPProbe: true,
    templates: {},
    defaultTemplates: [],
  };
}

/**
 * The values istiod injects with, as the chart picks them: global, sidecarInjectorWebhook, revision,
 * pilot.{cni, env} and gateways.{securityContext, seccompProfile}. Only the keys an install sets differ
 * from the chart defaults.
 */
export function injectorValues(inst: IstiodInstance): { [key: string]: Json } {
  const global = chartGlobalDefaults(inst.revision.minor);
  Object.assign(global, {
    hub: inst.hub,
    tag: inst.tag,
    istioNamespace: inst.namespace,
    meshID: inst.meshId ?? '',
    multiCluster: { clusterName: inst.clusterName ?? '' },
    network: inst.network ?? '',
    caAddress: inst.caAddress ?? '',
    remotePilotAddress: inst.remotePilotAddress?.address ?? '',
    externalIstiod: inst.externalIstiod,
    configCluster: inst.configCluster,
    configValidation: inst.configValidation,
    operatorManageWebhooks: inst.operatorManageWebhooks,
    omitSidecarInjectorConfigMap: !inst.injectorConfigMap,
  });
  return {
    global,
    sidecarInjectorWebhook: chartSidecarInjectorDefaults(),
    revision: inst.revision.name === 'default' ? '' : inst.revision.name,
    pilot: { cni: { enabled: false, provider: 'default' }, env: { ...inst.env } },
    gateways: { securityContext: {}, seccompProfile: {} },
  };
}

/** Helm's toPrettyJson: keys sorted at every level, two-space indent. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value), null, 2);
}

/** A copy with the keys of every mapping sorted, as Helm's toYaml and toJson write maps. */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeysDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      Object.defineProperty(out, k, { value: sortKeysDeep((value as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    }
    return out as T;
  }
  return value;
}

export function minorAtLeast(minor: string, major: number, min: number): boolean {
  const [a, b] = minor.split('.').map(Number);
  return a! > major || (a === major && b! >= min);
}
