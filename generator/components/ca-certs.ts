/**
 * The plug-in CA (facts §7): the Secret cacerts that istiod signs workload certificates with, so
 * that every cluster of the mesh chains to one root. Per cluster that runs a mesh istiod (a primary
 * in its Istio namespace; an external cluster in the external istiod's namespace, where that istiod's
 * pod mounts it), by spec.certificates.provider:
 * - cert-manager: a Certificate (isCA, O=Istio, CN=Intermediate CA, L=<cluster>, SAN
 *   istiod.<namespace>.svc, as Istio's tools/certs makes intermediates) whose secretName is cacerts;
 *   istiod reads the tls.crt/tls.key/ca.crt that cert-manager writes.
 * - external-secrets: an ExternalSecret that writes cacerts with ca-cert.pem, ca-key.pem,
 *   root-cert.pem and cert-chain.pem from a store (for example filled from `meshrender certs`).
 * - istiod: nothing; secretNotices warns when the mesh has more than one cluster.
 * The unit goes into the base layer, before istiod: istiod loads a plug-in CA only when cacerts
 * exists at its start (pilot/pkg/bootstrap/istio_ca.go), and would otherwise create its own root.
 */
import { CACERTS_SECRET } from '../k8s/names.ts';
import type { Certificates, Topology } from '../types.ts';
import type { ComponentPlanner } from './component.ts';
import { expandKey } from './remote-secrets.ts';

/** The files of a plug-in CA, as istiod and tools/certs name them. */
export const CACERTS_FILES = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'] as const;

/** tools/certs' subject of intermediates (facts §7.2); L= tells the clusters apart. */
export const INTERMEDIATE_SUBJECT = { organization: 'Istio', commonName: 'Intermediate CA' } as const;
export const ROOT_SUBJECT = { organization: 'Istio', commonName: 'Root CA' } as const;

/** A cluster whose istiod is a CA of the mesh, and where that istiod reads cacerts. */
export interface CaSite {
  cluster: string;
  namespace: string;
  /** SAN of the intermediate: istiod.<namespace>.svc (tools/certs INTERMEDIATE_SAN_DNS). */
  dnsName: string;
}

/**
 * Every place a mesh istiod reads cacerts, sorted by cluster: primaries in their Istio namespace,
 * external clusters in the external namespace. Remotes run no CA. The external cluster's own
 * istiod in istio-system only configures its ingress gateway and is not part of the mesh's trust.
 */
export function caSites(topology: Topology): CaSite[] {
  const out: CaSite[] = [];
  for (const c of topology.clusters) {
    if (c.revisions.length === 0) continue;
    const namespace = c.role === 'primary' ? c.istioNamespace : c.role === 'external' && c.external ? c.external.namespace : null;
    if (namespace) out.push({ cluster: c.name, namespace, dnsName: `istiod.${namespace}.svc` });
  }
  return out;
}

export const planCaCerts: ComponentPlanner = ({ topology, cluster }) => {
  const certs = topology.certificates;
  if (certs.provider === 'istiod') return [];
  const site = caSites(topology).find((s) => s.cluster === cluster.name);
  if (!site) return [];
  return [
    {
      component: 'cacerts',
      layer: 'base',
      unit: 'cacerts',
      revision: null,
      context: {
        certificate: certs.provider === 'cert-manager' ? certificateContext(site, certs) : null,
        externalSecret: certs.provider === 'external-secrets' ? externalSecretContext(topology, site, certs) : null,
      },
    },
  ];
};

function certificateContext(site: CaSite, certs: Certificates) {
  return {
    name: CACERTS_SECRET,
    namespace: site.namespace,
    secretName: CACERTS_SECRET,
    duration: certs.duration,
    renewBefore: certs.renewBefore,
    commonName: INTERMEDIATE_SUBJECT.commonName,
    subject: { organizations: [INTERMEDIATE_SUBJECT.organization], localities: [site.cluster] },
    dnsNames: [site.dnsName],
    privateKey: { algorithm: certs.privateKey.algorithm, size: certs.privateKey.size, rotationPolicy: 'Always' },
    // tools/certs: keyUsage = digitalSignature, nonRepudiation, keyEncipherment, keyCertSign.
    usages: ['digital signature', 'content commitment', 'key encipherment', 'cert sign'],
    issuerRef: certs.issuer,
  };
}

function externalSecretContext(topology: Topology, site: CaSite, certs: Certificates) {
  const perFile = certs.key.includes('{file}');
  return {
    name: CACERTS_SECRET,
    namespace: site.namespace,
    refreshInterval: certs.refreshInterval,
    store: certs.store,
    data: CACERTS_FILES.map((file) => {
      const key = expandKey(certs.key, { mesh: topology.name, cluster: site.cluster, file });
      return { secretKey: file, remoteRef: perFile ? { key } : { key, property: file } };
    }),
  };
}
