/**
 * CRDs: Istio's CustomResourceDefinitions are read from the release (crd-all.gen.yaml) and written
 * verbatim as data, once per Istio version per mesh, under shared/istio-<version>/crds/. Each
 * cluster's 10-crds layer references the CRDs of the newest release it runs (in a canary, CRDs come
 * from the newer release, as the Istio upgrade docs require), so identical bytes live once.
 */
import { compareVersions, CRD_FILE, type IstioRelease } from '../istio/release.ts';
import { layerDir } from '../layers.ts';
import type { Cluster, Topology } from '../types.ts';

export interface SharedDocuments {
  /** Directory relative to the mesh root. */
  dir: string;
  /** Shown in `# Source:` lines: the release file the documents come from. */
  source: string;
  text: string;
}

export interface CrdPlan {
  shared: SharedDocuments[];
  /** Kustomization directory → entries it must list beyond its own files and subdirectories. */
  references: Map<string, string[]>;
}

export function sharedCrdDir(version: string): string {
  return `shared/istio-${version}/crds`;
}

/** The Istio version whose CRDs a cluster installs: the newest it runs. */
export function crdVersion(topology: Topology, cluster: Cluster): string | null {
  const versions = cluster.revisions
    .map((name) => topology.istio.revisions.find((r) => r.name === name)?.version)
    .filter((v): v is string => v !== undefined);
  return versions.sort(compareVersions).at(-1) ?? null;
}

export function planCrds(topology: Topology, releases: ReadonlyMap<string, IstioRelease>, only: ReadonlySet<string> | null = null): CrdPlan {
  const references = new Map<string, string[]>();
  const versions = new Set<string>();
  for (const cluster of topology.clusters) {
    if (only && !only.has(cluster.name)) continue;
    const version = crdVersion(topology, cluster);
    if (version === null || !releases.has(version)) continue;
    versions.add(version);
    const dir = `clusters/${cluster.name}/${layerDir('crds')}`;
    references.set(dir, [`../../../${sharedCrdDir(version)}`]);
  }
  const shared = [...versions].sort(compareVersions).map((version) => ({
    dir: sharedCrdDir(version),
    source: `istio-${version}/${CRD_FILE}`,
    text: releases.get(version)!.crds,
  }));
  return { shared, references };
}
