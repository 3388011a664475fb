/**
 * resolve: WrittenTopology → Topology.
 * Fills every default, turns names into values (revision suffixes and labels, each cluster's Istio
 * namespace) and sorts every list by name, so nothing downstream depends on the order the user wrote.
 * Never fails: cross references that do not resolve are left for the mesh rules to report.
 * The result is deeply frozen.
 */
import type { Cluster, Gitops, IstiodOverrides, Revision, RevisionTag, Topology, WrittenCluster, WrittenGitops, WrittenTopology } from '../types.ts';
import { resolveApiServerCA, resolveCertificates, resolveRemoteSecrets } from './resolve-secrets.ts';
import { sortedMap } from '../yaml/canonical.ts';

export const DEFAULTS = {
  trustDomain: 'cluster.local',
  istioNamespace: 'istio-system',
  hub: 'registry.istio.io/release',
  externalNamespace: 'external-istiod',
} as const;

export function resolveModel(written: WrittenTopology): Topology {
  const spec = written.spec;
  const istioNamespace = spec.istio.namespace ?? DEFAULTS.istioNamespace;
  const revisions = [...spec.istio.revisions].map(resolveRevision).sort(byName);
  const allRevisionNames = revisions.map((r) => r.name);
  const tags: RevisionTag[] = Object.entries(spec.istio.tags ?? {})
    .map(([name, revision]) => ({ name, revision }))
    .sort(byName);
  const byClusterName = new Map(spec.clusters.map((c) => [c.name, c]));
  const multiNetwork = new Set(spec.clusters.map((c) => c.network)).size > 1;
  const clusters = spec.clusters
    .map((c) => resolveCluster(c, { all: byClusterName, meshNamespace: istioNamespace, allRevisions: allRevisionNames, tags, multiNetwork }))
    .sort(byName);
  const networks = Object.keys(spec.networks).sort();
  return deepFreeze({
    name: written.metadata.name,
    file: written.loaded.file,
    mesh: { id: spec.mesh.id, trustDomain: spec.mesh.trustDomain ?? DEFAULTS.trustDomain },
    istio: {
      namespace: istioNamespace,
      hub: spec.istio.hub ?? DEFAULTS.hub,
      distribution: spec.istio.distribution ?? null,
      revisions,
      tags,
    },
    networks,
    multiNetwork,
    clusters,
    gitops: resolveGitops(spec.gitops),
    verify: spec.verify?.enabled
      ? {
          namespace: spec.verify.namespace ?? 'sample',
          helloworldImage: spec.verify.helloworldImage ?? 'docker.io/istio/examples-helloworld-v1:1.0',
          clientImage: spec.verify.clientImage ?? 'docker.io/curlimages/curl:8.16.0',
        }
      : null,
    remoteSecrets: resolveRemoteSecrets(spec.remoteSecrets),
    certificates: resolveCertificates(spec.certificates),
  });
}

export function resolveRevision(r: { name: string; version: string; sha256?: string }): Revision {
  const [major, minor] = r.version.split('.');
  const isDefault = r.name === 'default';
  return {
    name: r.name,
    version: r.version,
    minor: `${major}.${minor}`,
    label: r.name,
    suffix: isDefault ? '' : `-${r.name}`,
    sha256: r.sha256 ?? null,
  };
}

interface MeshFacts {
  all: ReadonlyMap<string, WrittenCluster>;
  meshNamespace: string;
  allRevisions: readonly string[];
  tags: readonly RevisionTag[];
  multiNetwork: boolean;
}

function resolveCluster(c: WrittenCluster, mesh: MeshFacts): Cluster {
  const { all, meshNamespace, allRevisions } = mesh;
  const external = c.external
    ? {
        namespace: c.external.namespace ?? DEFAULTS.externalNamespace,
        address: c.external.address,
        tlsSecret: c.external.tlsSecret ?? null,
        configCluster: c.external.configCluster,
      }
    : null;
  const controlPlane = c.role === 'remote' ? (c.controlPlane ?? null) : null;
  const servingCluster = controlPlane ? all.get(controlPlane) : undefined;
  // Remotes of an external control plane live in that control plane's namespace (seed 002).
  const istioNamespace =
    servingCluster?.role === 'external'
      ? (servingCluster.external?.namespace ?? DEFAULTS.externalNamespace)
      : meshNamespace;
  const wanted = new Set(c.revisions ?? allRevisions);
  const revisions = allRevisions.filter((r) => wanted.has(r));
  const defaultRevision = pickDefaultRevision(revisions, mesh.tags);
  const gatewayRevision = c.eastWest?.revision ?? defaultRevision ?? revisions[0] ?? 'default';
  const servesRemotes = c.role === 'primary' && [...all.values()].some((o) => o.role === 'remote' && o.controlPlane === c.name);
  return {
    name: c.name,
    role: c.role,
    network: c.network,
    revisions,
    apiServer: c.apiServer ?? null,
    apiServerCA: resolveApiServerCA(c.apiServerCA),
    podCIDRs: splitCIDRs(c.podCIDR),
    serviceCIDRs: splitCIDRs(c.serviceCIDR),
    eastWestAddress: c.eastWest?.address ?? null,
    eastWestGateway: c.eastWest?.enabled ?? (c.role !== 'external' && (mesh.multiNetwork || servesRemotes)),
    gatewayRevision,
    defaultRevision,
    controlPlane,
    istioNamespace,
    external,
    istiod: resolveIstiodOverrides(c.istiod),
    gateways: (c.gateways ?? [])
      .map((g) => ({
        name: g.name,
        namespace: g.namespace ?? istioNamespace,
        revision: g.revision ?? gatewayRevision,
        serviceType: g.service?.type ?? 'LoadBalancer',
        ports: g.service?.ports ?? null,
        labels: sortedMap(g.labels),
      }))
      .sort(byName),
  };
}

/**
 * The revision that serves the "default" tag on a cluster: the tag's target when the cluster runs it,
 * else the revision named "default", else the cluster's only revision, else its first by name.
 */
export function pickDefaultRevision(revisions: readonly string[], tags: readonly RevisionTag[]): string | null {
  const tagged = tags.find((t) => t.name === 'default')?.revision;
  if (tagged && revisions.includes(tagged)) return tagged;
  if (revisions.includes('default')) return 'default';
  return revisions[0] ?? null;
}

/** A comma-separated CIDR list as written, without blanks. */
export function splitCIDRs(value: string | undefined): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
}

function resolveIstiodOverrides(o: IstiodOverrides | undefined): IstiodOverrides {
  if (!o) return {};
  return {
    ...o,
    ...(o.env ? { env: sortedMap(o.env) } : {}),
    ...(o.nodeSelector ? { nodeSelector: sortedMap(o.nodeSelector) } : {}),
  };
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function resolveGitops(g: WrittenGitops | undefined): Gitops {
  const argo = g?.argocd;
  const flux = g?.flux;
  const fluxNamespace = flux?.namespace ?? 'flux-system';
  return {
    repoURL: g?.repoURL ?? null,
    targetRevision: g?.targetRevision ?? 'HEAD',
    path: g?.path ?? 'out',
    argocd:
      argo?.enabled
        ? { namespace: argo.namespace ?? 'argocd', project: argo.project ?? 'default', destination: argo.destination ?? 'name', automated: argo.automated ?? true }
        : null,
    flux: flux?.enabled
      ? {
          namespace: fluxNamespace,
          sourceRef: {
            kind: flux.sourceRef?.kind ?? 'GitRepository',
            name: flux.sourceRef?.name ?? 'flux-system',
            namespace: flux.sourceRef?.namespace ?? fluxNamespace,
          },
          interval: flux.interval ?? '10m',
          timeout: flux.timeout ?? '5m',
          kubeConfigSecret: flux.kubeConfigSecret ?? null,
        }
      : null,
  };
}
