/**
 * Gateways: every gateway of a cluster as the Helm `gateway` chart (manifests/charts/gateway) renders it
 * (facts sheet §4.2): ServiceAccount, Role and RoleBinding, Service, Deployment (image: auto, injected
 * with the `gateway` template by its revision) and HorizontalPodAutoscaler, one unit per gateway.
 *  - the east-west gateway `istio-eastwestgateway` (networkGateway = the cluster's network) where
 *    Cluster.eastWestGateway holds, in the cluster's Istio namespace;
 *  - on an external cluster, the ingress gateway `istio-ingressgateway` that exposes the external
 *    istiod (status-port 15021, tls-xds 15012, tls-webhook 15017; seed 002, facts §2.6 (a));
 *  - the gateways the topology declares (clusters[].gateways).
 * A declared gateway with the name and namespace of one of the first two replaces it.
 * The chart's PodDisruptionBudget and NetworkPolicy are not rendered: the topology has no value
 * that enables them (podDisruptionBudget, global.networkPolicy.enabled).
 */
import type { Cluster, GatewayPort, Revision, Topology } from '../types.ts';
import type { ComponentPlanner, UnitRequest } from './component.ts';

export const EAST_WEST_GATEWAY = 'istio-eastwestgateway';
export const EXTERNAL_INGRESS_GATEWAY = 'istio-ingressgateway';

/** A gateway to render, as the values of one `helm install <name> istio/gateway` would describe it. */
export interface GatewayInstall {
  name: string;
  namespace: string;
  /** The revision that injects it: the chart's `revision` value is its name unless it is "default". */
  revision: Revision;
  /** networkGateway: the network this gateway serves as east-west gateway, or null. */
  networkGateway: string | null;
  serviceType: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
  /** service.ports, or null for the chart's defaults (ignored for a network gateway). */
  ports: readonly GatewayPort[] | null;
  /** `labels` value given on top of the chart's default (istio.io/dataplane-mode: none). */
  labels: Readonly<Record<string, string>>;
}

/** The chart's `labels` default: gateways stay out of the ambient data plane. */
const DEFAULT_LABELS: Readonly<Record<string, string>> = { 'istio.io/dataplane-mode': 'none' };

/** service.ports of the chart's values.yaml, used when neither networkGateway nor ports are given. */
const DEFAULT_PORTS: readonly GatewayPort[] = [
  { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
  { name: 'http2', port: 80, protocol: 'TCP', targetPort: 80 },
  { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
];

/** networkGatewayPorts of the chart, in the order service.yaml lists them. */
const NETWORK_GATEWAY_PORTS: readonly { name: string; port: number }[] = [
  { name: 'status-port', port: 15021 },
  { name: 'tls', port: 15443 },
  { name: 'tls-istiod', port: 15012 },
  { name: 'tls-webhook', port: 15017 },
];

/** Ports of the external cluster's ingress gateway: the external istiod's xDS and webhook ports. */
const EXTERNAL_ISTIOD_PORTS: readonly GatewayPort[] = [
  { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
  { name: 'tls-xds', port: 15012, protocol: 'TCP', targetPort: 15012 },
  { name: 'tls-webhook', port: 15017, protocol: 'TCP', targetPort: 15017 },
];

export const planGateways: ComponentPlanner = ({ topology, cluster }) => {
  const installs = gatewayInstalls(topology, cluster);
  const unitNames = new Map<string, number>();
  for (const g of installs) unitNames.set(g.name, (unitNames.get(g.name) ?? 0) + 1);
  return installs.map(
    (g): UnitRequest => ({
      component: 'gateway',
      layer: 'gateways',
      // Two gateways of one name in different namespaces get the namespace in their unit name.
      unit: (unitNames.get(g.name) ?? 0) > 1 ? `${g.name}-${g.namespace}` : g.name,
      revision: g.revision,
      context: { gateway: gatewayContext(g) },
    }),
  );
};

/** The gateway installs of one cluster, sorted by namespace and name. */
export function gatewayInstalls(topology: Topology, cluster: Cluster): GatewayInstall[] {
  const revision = (name: string): Revision | undefined => topology.istio.revisions.find((r) => r.name === name);
  const out: GatewayInstall[] = [];
  const implicit: GatewayInstall[] = [];
  const gwRevision = revision(cluster.gatewayRevision);
  if (gwRevision && cluster.eastWestGateway) {
    implicit.push({
      name: EAST_WEST_GATEWAY,
      namespace: cluster.istioNamespace,
      revision: gwRevision,
      networkGateway: cluster.network,
      serviceType: 'LoadBalancer',
      ports: null,
      labels: {},
    });
  }
  if (gwRevision && cluster.role === 'external' && cluster.external) {
    implicit.push({
      name: EXTERNAL_INGRESS_GATEWAY,
      namespace: cluster.istioNamespace,
      revision: gwRevision,
      networkGateway: null,
      serviceType: 'LoadBalancer',
      ports: EXTERNAL_ISTIOD_PORTS,
      labels: {},
    });
  }
  const declared = new Set(cluster.gateways.map((g) => `${g.namespace}/${g.name}`));
  out.push(...implicit.filter((g) => !declared.has(`${g.namespace}/${g.name}`)));
  for (const g of cluster.gateways) {
    const rev = revision(g.revision);
    // An unknown revision is reported by the revisions-known rule before planning.
    if (!rev) continue;
    out.push({ name: g.name, namespace: g.namespace, revision: rev, networkGateway: null, serviceType: g.serviceType, ports: g.ports, labels: g.labels });
  }
  return out.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
}

/**
 * The template context of one gateway: every label map, port list and setting in the order the
 * chart writes it, so the templates only lay the objects out.
 */
export function gatewayContext(g: GatewayInstall) {
  const labelValues = { ...DEFAULT_LABELS, ...g.labels };
  // gateway.selectorLabels: `labels.app` / `labels.istio` override the names derived from the gateway's name.
  const selectorLabels = {
    app: labelValues.app ?? g.name,
    istio: labelValues.istio ?? g.name.replace(/^istio-/, ''),
  };
  // Helm ranges over maps in key order; app and istio are already in the selector labels.
  const extraLabels = Object.fromEntries(
    Object.keys(labelValues)
      .filter((k) => k !== 'app' && k !== 'istio')
      .sort()
      .map((k) => [k, labelValues[k]!]),
  );
  const network = g.networkGateway ? { 'topology.istio.io/network': g.networkGateway } : {};
  // Object labels: app.kubernetes.io/name, then gateway.labels (the chart's istio.labels are installer labels: left out).
  const labels = { 'app.kubernetes.io/name': g.name, ...selectorLabels, ...extraLabels };
  const revisionLabel = g.revision.name === 'default' ? {} : { 'istio.io/rev': g.revision.name };
  const since130 = minorAtLeast(g.revision.minor, 1, 30);
  return {
    name: g.name,
    namespace: g.namespace,
    labels,
    serviceLabels: { ...labels, ...network },
    selectorLabels,
    podAnnotations: {
      'inject.istio.io/templates': 'gateway',
      'prometheus.io/path': '/stats/prometheus',
      'prometheus.io/port': '15020',
      'prometheus.io/scrape': 'true',
      'sidecar.istio.io/inject': 'true',
    },
    podLabels: {
      'sidecar.istio.io/inject': 'true',
      ...revisionLabel,
      ...selectorLabels,
      'app.kubernetes.io/name': g.name,
      ...extraLabels,
      ...network,
    },
    serviceType: g.serviceType,
    servicePorts: servicePorts(g, since130),
    // The 1.29 chart also pins the proxy's user and group (dropped in 1.30).
    containerSecurityContext: {
      capabilities: { drop: ['ALL'] },
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      ...(since130 ? {} : { runAsUser: 1337, runAsGroup: 1337 }),
      runAsNonRoot: true,
    },
    env: g.networkGateway ? [{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: g.networkGateway }] : null,
    resources: { limits: { cpu: '2000m', memory: '1024Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    autoscaling: { minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
  };
}

function servicePorts(g: GatewayInstall, since130: boolean): Record<string, unknown>[] {
  if (g.networkGateway) {
    // Since 1.30 the chart writes protocol TCP on each network gateway port; 1.29 wrote none.
    return NETWORK_GATEWAY_PORTS.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, ...(since130 ? { protocol: 'TCP' } : {}) }));
  }
  // The chart writes service.ports with toYaml: as given, keys sorted.
  return (g.ports ?? DEFAULT_PORTS).map((p) => ({
    name: p.name,
    port: p.port,
    ...(p.protocol !== undefined ? { protocol: p.protocol } : {}),
    ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
  }));
}

function minorAtLeast(minor: string, major: number, min: number): boolean {
  const [a, b] = minor.split('.').map(Number);
  return a! > major || (a === major && b! >= min);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
