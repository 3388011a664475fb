/**
 * The data that flows through the pipeline, named after its state:
 * LoadedTopology → WrittenTopology → Topology → RenderUnit[] → RenderedFile[] → OutputTree.
 */
import type { Document, LineCounter } from 'yaml';

/** A topology file read and parsed, not yet validated. */
export interface LoadedTopology {
  /** Path as the user gave it; used in every diagnostic. */
  file: string;
  source: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain data (aliases resolved). */
  data: unknown;
}

// ---------------------------------------------------------------------------
// As written: mirrors schemas/topology.schema.json. Optional fields stay optional.

export interface WrittenTopology {
  loaded: LoadedTopology;
  apiVersion: 'meshrender.dev/v1alpha1';
  kind: 'MeshTopology';
  metadata: { name: string; annotations?: Record<string, string> };
  spec: WrittenSpec;
}

export interface WrittenSpec {
  mesh: { id: string; trustDomain?: string };
  istio: {
    namespace?: string;
    hub?: string;
    distribution?: string;
    revisions: { name: string; version: string; sha256?: string }[];
    tags?: Record<string, string>;
  };
  networks: Record<string, Record<string, never>>;
  clusters: WrittenCluster[];
  gitops?: WrittenGitops;
  verify?: { enabled?: boolean; namespace?: string; helloworldImage?: string; clientImage?: string };
  remoteSecrets?: WrittenRemoteSecrets;
  certificates?: WrittenCertificates;
}

/** spec.remoteSecrets as written (docs/remote-secrets.md). */
export interface WrittenRemoteSecrets {
  provider?: 'external-secrets' | 'none';
  store?: WrittenStoreRef;
  key?: string;
  property?: string;
  refreshInterval?: string;
}

/** spec.certificates as written (docs/certificates.md). */
export interface WrittenCertificates {
  provider?: 'istiod' | 'cert-manager' | 'external-secrets';
  issuer?: { name: string; kind?: string; group?: string };
  duration?: string;
  renewBefore?: string;
  privateKey?: { algorithm?: 'RSA' | 'ECDSA'; size?: number };
  store?: WrittenStoreRef;
  key?: string;
  refreshInterval?: string;
}

export interface WrittenStoreRef {
  name: string;
  kind?: 'SecretStore' | 'ClusterSecretStore';
}

export interface WrittenGitops {
  repoURL?: string;
  targetRevision?: string;
  path?: string;
  argocd?: { enabled?: boolean; namespace?: string; project?: string; destination?: 'name' | 'server'; automated?: boolean };
  flux?: {
    enabled?: boolean;
    namespace?: string;
    sourceRef?: { kind?: 'GitRepository' | 'OCIRepository' | 'Bucket'; name: string; namespace?: string };
    interval?: string;
    timeout?: string;
    kubeConfigSecret?: string;
  };
}

export type ClusterRole = 'primary' | 'remote' | 'external';

export interface WrittenCluster {
  name: string;
  role: ClusterRole;
  network: string;
  revisions?: string[];
  apiServer?: string;
  /** CA of the API server: inline PEM, or a remote key (and property) in the remoteSecrets store. */
  apiServerCA?: { pem?: string; key?: string; property?: string };
  /** Pod CIDR(s), comma-separated for dual-stack; only checked (mesh rules cidr-format, cidrs-disjoint). */
  podCIDR?: string;
  /** Service CIDR(s), comma-separated for dual-stack; only checked. */
  serviceCIDR?: string;
  eastWest?: { address?: string; revision?: string; enabled?: boolean };
  controlPlane?: string;
  external?: { namespace?: string; address: string; tlsSecret?: string; configCluster: string };
  istiod?: IstiodOverrides;
  gateways?: WrittenGateway[];
}

export interface WrittenGateway {
  name: string;
  namespace?: string;
  revision?: string;
  service?: { type?: 'LoadBalancer' | 'ClusterIP' | 'NodePort'; ports?: GatewayPort[] };
  labels?: Record<string, string>;
}

export interface GatewayPort {
  name: string;
  port: number;
  targetPort?: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface IstiodOverrides {
  resources?: { requests?: ResourceList; limits?: ResourceList };
  autoscale?: { min?: number; max?: number };
  replicas?: number;
  nodeSelector?: Record<string, string>;
  tolerations?: Record<string, unknown>[];
  env?: Record<string, string>;
  meshConfig?: Record<string, unknown>;
}

export interface ResourceList {
  cpu?: string | number;
  memory?: string | number;
}

// ---------------------------------------------------------------------------
// Resolved: defaults filled, cross references turned into values, frozen.

/** The resolved, immutable model of one mesh. Lists are sorted by name. */
export interface Topology {
  /** metadata.name: the output directory out/<name>/. */
  name: string;
  file: string;
  mesh: { id: string; trustDomain: string };
  istio: {
    namespace: string;
    hub: string;
    distribution: string | null;
    revisions: readonly Revision[];
    tags: readonly RevisionTag[];
  };
  networks: readonly string[];
  /** True when the mesh spans more than one network. */
  multiNetwork: boolean;
  clusters: readonly Cluster[];
  gitops: Gitops;
  /** The verification layer, or null when not enabled. */
  verify: { namespace: string; helloworldImage: string; clientImage: string } | null;
  remoteSecrets: RemoteSecrets;
  certificates: Certificates;
}

/** An External Secrets Operator store reference (ExternalSecret spec.secretStoreRef). */
export interface StoreRef {
  name: string;
  kind: 'SecretStore' | 'ClusterSecretStore';
}

/** How istiod gets the credentials to read other clusters; store fields are null with provider none. */
export interface RemoteSecrets {
  provider: 'external-secrets' | 'none';
  store: StoreRef | null;
  /** Remote key pattern of a reader token: placeholders {mesh}, {cluster}, {serviceAccount}. */
  key: string;
  /** Property of the remote value holding the token, or null for the whole value. */
  property: string | null;
  refreshInterval: string;
}

/** The plug-in CA (cacerts) of every cluster that runs a mesh istiod. */
export interface Certificates {
  provider: 'istiod' | 'cert-manager' | 'external-secrets';
  /** cert-manager issuerRef, or null for other providers. */
  issuer: { name: string; kind: string; group: string } | null;
  duration: string;
  renewBefore: string | null;
  privateKey: { algorithm: 'RSA' | 'ECDSA'; size: number };
  store: StoreRef | null;
  /** Remote key pattern of a cluster's CA files: placeholders {mesh}, {cluster}, {file}. */
  key: string;
  refreshInterval: string;
}

/** The API server CA of a cluster, for the kubeconfig of its remote secrets. */
export type ApiServerCA = { pem: string } | { key: string; property: string | null };

/** GitOps delivery settings, defaults filled; argocd/flux are null when not enabled. */
export interface Gitops {
  repoURL: string | null;
  targetRevision: string;
  /** Path of the output directory inside the repository. */
  path: string;
  argocd: { namespace: string; project: string; destination: 'name' | 'server'; automated: boolean } | null;
  flux: {
    namespace: string;
    sourceRef: { kind: 'GitRepository' | 'OCIRepository' | 'Bucket'; name: string; namespace: string };
    interval: string;
    timeout: string;
    kubeConfigSecret: string | null;
  } | null;
}

export interface Revision {
  /** Name as written; "default" means no revision. */
  name: string;
  version: string;
  /** MAJOR.MINOR, e.g. "1.30": selects per-minor templates. */
  minor: string;
  /** The value of the istio.io/rev label: the name, or "default". */
  label: string;
  /** Suffix for object names: "" for default, "-<name>" otherwise. */
  suffix: string;
  /** Pinned sha256 of the release archive, if the topology gives one. */
  sha256: string | null;
}

export interface RevisionTag {
  name: string;
  revision: string;
}

export interface Cluster {
  name: string;
  role: ClusterRole;
  network: string;
  /** Revisions this cluster runs, in the order of spec.istio.revisions. */
  revisions: readonly string[];
  apiServer: string | null;
  /** CA of the API server, or null when the topology gives none. */
  apiServerCA: ApiServerCA | null;
  /** Pod CIDRs as written (one, or two for dual-stack); empty when the topology gives none. */
  podCIDRs: readonly string[];
  /** Service CIDRs as written; empty when the topology gives none. */
  serviceCIDRs: readonly string[];
  eastWestAddress: string | null;
  /** Whether the cluster runs an east-west gateway (explicit, or derived from the mesh shape). */
  eastWestGateway: boolean;
  /** Revision that injects the gateways of this cluster unless a gateway names its own. */
  gatewayRevision: string;
  /** Revision the "default" tag resolves to on this cluster (base defaultRevision), or null. */
  defaultRevision: string | null;
  /** remote: the cluster whose istiod serves it. */
  controlPlane: string | null;
  /** The Istio system namespace of this cluster. */
  istioNamespace: string;
  external: ExternalControlPlane | null;
  istiod: IstiodOverrides;
  /** Ingress/egress gateways declared for this cluster (east-west not included). */
  gateways: readonly Gateway[];
}

export interface Gateway {
  name: string;
  namespace: string;
  revision: string;
  serviceType: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
  /** Service ports, or null for the chart's defaults. */
  ports: readonly GatewayPort[] | null;
  labels: Readonly<Record<string, string>>;
}

export interface ExternalControlPlane {
  namespace: string;
  address: string;
  tlsSecret: string | null;
  configCluster: string;
}

// ---------------------------------------------------------------------------
// Plan, render, assemble.

/** One Kubernetes object to write, after rendering and canonical serialisation. */
export interface RenderedFile {
  /** Directory relative to the mesh output directory, with '/' separators; assemble picks the file name. */
  dir: string;
  /** Template (or release file) it came from, relative to the project, e.g. templates/namespace/namespace.yaml.hbs. */
  source: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | null;
  /** Canonical YAML bytes, starting with the `# Source:` line. */
  content: string;
}

/** The complete output of one mesh: path (relative to out/<mesh>/) → bytes. Sorted by path. */
export interface OutputTree {
  mesh: string;
  files: ReadonlyMap<string, string>;
}

/** What mesh-level files need to know of a tree: which paths it has (an OutputTree, or the paths seen while streaming one). */
export interface TreePaths {
  readonly files: { has(path: string): boolean };
}
