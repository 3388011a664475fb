/**
 * resolve, for the credentials a mesh needs: spec.remoteSecrets, spec.certificates and each
 * cluster's apiServerCA, defaults filled (schemas/topology.schema.json documents each default).
 * Pure; called by resolve.ts. Problems the schema cannot see (a CA given twice, a store key that
 * serves two tokens) are left for the mesh rule remote-secrets-possible.
 */
import type { ApiServerCA, Certificates, RemoteSecrets, StoreRef, WrittenCertificates, WrittenCluster, WrittenRemoteSecrets, WrittenStoreRef } from '../types.ts';

export const SECRET_DEFAULTS = {
  remoteSecretKey: 'meshrender/{mesh}/{cluster}/{serviceAccount}',
  cacertsKey: 'meshrender/{mesh}/{cluster}/cacerts',
  refreshInterval: '1h',
  storeKind: 'ClusterSecretStore',
  issuerKind: 'ClusterIssuer',
  issuerGroup: 'cert-manager.io',
  duration: '8760h',
} as const;

/** Key size when the topology names an algorithm but no size: tools/certs' RSA 4096, or P-256. */
export const DEFAULT_KEY_SIZE = { RSA: 4096, ECDSA: 256 } as const;

export function resolveRemoteSecrets(w: WrittenRemoteSecrets | undefined): RemoteSecrets {
  const provider = w?.provider ?? 'none';
  return {
    provider,
    store: provider === 'external-secrets' ? resolveStore(w?.store) : null,
    key: w?.key ?? SECRET_DEFAULTS.remoteSecretKey,
    property: w?.property ?? null,
    refreshInterval: w?.refreshInterval ?? SECRET_DEFAULTS.refreshInterval,
  };
}

export function resolveCertificates(w: WrittenCertificates | undefined): Certificates {
  const provider = w?.provider ?? 'istiod';
  const algorithm = w?.privateKey?.algorithm ?? 'RSA';
  return {
    provider,
    issuer:
      provider === 'cert-manager' && w?.issuer
        ? { name: w.issuer.name, kind: w.issuer.kind ?? SECRET_DEFAULTS.issuerKind, group: w.issuer.group ?? SECRET_DEFAULTS.issuerGroup }
        : null,
    duration: w?.duration ?? SECRET_DEFAULTS.duration,
    renewBefore: w?.renewBefore ?? null,
    privateKey: { algorithm, size: w?.privateKey?.size ?? DEFAULT_KEY_SIZE[algorithm] },
    store: provider === 'external-secrets' ? resolveStore(w?.store) : null,
    key: w?.key ?? SECRET_DEFAULTS.cacertsKey,
    refreshInterval: w?.refreshInterval ?? SECRET_DEFAULTS.refreshInterval,
  };
}

/** The inline PEM wins when both are written (the mesh rule reports that as an error). */
export function resolveApiServerCA(w: WrittenCluster['apiServerCA']): ApiServerCA | null {
  if (w?.pem !== undefined) return { pem: w.pem };
  if (w?.key !== undefined) return { key: w.key, property: w.property ?? null };
  return null;
}

function resolveStore(w: WrittenStoreRef | undefined): StoreRef | null {
  return w ? { name: w.name, kind: w.kind ?? SECRET_DEFAULTS.storeKind } : null;
}
