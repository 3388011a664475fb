/**
 * Mesh networking: the Istio networking objects that carry traffic between clusters, bound to the
 * gateways of generator/components/gateways.ts (facts sheet §2.3–§2.6, §3.4, §4.3, §4.4).
 *  - expose-services: Gateway cross-network-gateway (15443, AUTO_PASSTHROUGH, *.local) on the
 *    east-west gateway of every cluster that holds the mesh configuration in a multi-network mesh.
 *  - expose-istiod: Gateway istiod-gateway and one VirtualService per revision on a primary that
 *    serves remotes, routing 15012/15017 from its east-west gateway to istiod.
 *  - external-istiod: on an external cluster, the Gateway, VirtualService (and, for a DNS address,
 *    DestinationRule) that route from its ingress gateway to the external istiod.
 * All objects use networking.istio.io/v1, as the 1.30 samples do.
 */
import { PlanError } from '../errors.ts';
import { addressKind } from '../stages/rules/address-format.ts';
import { revisionedName } from '../k8s/names.ts';
import type { Cluster, Topology } from '../types.ts';
import type { ComponentPlanner, UnitRequest } from './component.ts';
import { istiodInstances, type IstiodInstance } from './istiod-instance.ts';
import { EAST_WEST_GATEWAY, EXTERNAL_INGRESS_GATEWAY } from './gateways.ts';

/** The `istio` selector label of a gateway: its name without the istio- prefix (gateway chart). */
function istioLabel(gatewayName: string): string {
  return gatewayName.replace(/^istio-/, '');
}

/** Kubernetes cluster DNS suffix of service hosts (not the mesh trust domain). */
const CLUSTER_DOMAIN = 'cluster.local';

export const planMeshNetworking: ComponentPlanner = ({ topology, cluster }) => {
  const out: UnitRequest[] = [];
  const instances = istiodInstances(topology, cluster);
  const services = exposeServicesContext(topology, cluster, instances);
  if (services) out.push({ component: 'expose-services', layer: 'mesh-networking', unit: 'expose-services', revision: null, context: services });
  const istiod = exposeIstiodContext(cluster, instances);
  if (istiod) out.push({ component: 'expose-istiod', layer: 'mesh-networking', unit: 'expose-istiod', revision: null, context: istiod });
  const external = externalIstiodRoutingContext(cluster, instances);
  if (external) out.push({ component: 'external-istiod-routing', layer: 'mesh-networking', unit: 'external-istiod', revision: null, context: external });
  return out;
};

/**
 * Whether the istiod that serves this cluster reads the mesh configuration (Istio config objects) from
 * this cluster's API server: the cluster's own install renders the mesh ConfigMap `istio` there. That
 * holds on a primary and on the config cluster of an external control plane; not on a remote of a
 * primary (its istiod reads the primary), nor for an external cluster's own gateway-only istiod.
 */
export function holdsMeshConfig(cluster: Cluster, instances: readonly IstiodInstance[]): boolean {
  if (cluster.role === 'external') return false;
  return instances.some((i) => i.namespace === cluster.istioNamespace && i.meshConfigMap);
}

/**
 * expose-services: applied where the seeds apply it: on the clusters that hold the mesh configuration
 * in a multi-network mesh (each primary, or the config cluster of an external control plane), which
 * exposes the services of every east-west gateway that configuration reaches.
 */
export function exposeServicesContext(topology: Topology, cluster: Cluster, instances: readonly IstiodInstance[]) {
  if (!topology.multiNetwork || !cluster.eastWestGateway || !holdsMeshConfig(cluster, instances)) return null;
  return {
    namespace: cluster.istioNamespace,
    selector: { istio: istioLabel(EAST_WEST_GATEWAY) },
  };
}

/**
 * expose-istiod: on a primary that serves remotes (global.externalIstiod), through its east-west gateway.
 * The revision "default" is routed by `istiod-vs` for any SNI (expose-istiod.yaml); every other revision
 * by `istiod-vs-<rev>` for the SNI names of its own istiod Service (expose-istiod-rev.yaml.tmpl).
 */
export function exposeIstiodContext(cluster: Cluster, instances: readonly IstiodInstance[]) {
  if (cluster.role !== 'primary' || !cluster.eastWestGateway) return null;
  const serving = instances.filter((i) => i.externalIstiod && i.namespace === cluster.istioNamespace);
  if (serving.length === 0) return null;
  const ns = cluster.istioNamespace;
  const virtualServices = serving.map((i) => {
    const service = revisionedName('istiod', i.revision);
    const host = `${service}.${ns}.svc.${CLUSTER_DOMAIN}`;
    const isDefault = i.revision.name === 'default';
    return {
      name: isDefault ? 'istiod-vs' : `istiod-vs-${i.revision.name}`,
      sniHosts: isDefault ? ['*'] : [`${service}.${ns}.svc`, host],
      host,
    };
  });
  return {
    namespace: ns,
    selector: { istio: istioLabel(EAST_WEST_GATEWAY) },
    virtualServices,
  };
}

/**
 * The routing from an external cluster's ingress gateway to the mesh's istiod in the external namespace
 * (facts §2.6 (b)). A DNS address terminates TLS at the gateway with external.tlsSecret and re-encrypts
 * to istiod (DestinationRule); an IP address passes TLS through, routed by port (no DestinationRule).
 * Routes go to the istiod of the revision that serves the "default" tag on this cluster.
 */
export function externalIstiodRoutingContext(cluster: Cluster, instances: readonly IstiodInstance[]) {
  const ext = cluster.role === 'external' ? cluster.external : null;
  if (!ext) return null;
  const meshIstiod =
    instances.find((i) => i.namespace === ext.namespace && i.revision.name === cluster.defaultRevision) ??
    instances.find((i) => i.namespace === ext.namespace);
  if (!meshIstiod) return null;
  const dns = (addressKind(ext.address) ?? 'dns') === 'dns';
  if (dns && !ext.tlsSecret) {
    throw new PlanError(
      `cluster ${cluster.name}: external.address ${ext.address} is a DNS name, so its ingress gateway terminates TLS and needs external.tlsSecret (the TLS Secret in ${cluster.istioNamespace}); set it, or use an IP address for TLS passthrough`,
    );
  }
  return {
    namespace: ext.namespace,
    selector: { istio: istioLabel(EXTERNAL_INGRESS_GATEWAY) },
    host: `${revisionedName('istiod', meshIstiod.revision)}.${ext.namespace}.svc.${CLUSTER_DOMAIN}`,
    /** TLS terminated at the gateway (DNS address) or passed through (IP address). */
    simpleTls: dns,
    /** Gateway and VirtualService hosts: the DNS name, or any for an IP address. */
    hosts: dns ? [ext.address] : ['*'],
    credentialName: dns ? ext.tlsSecret : null,
  };
}
