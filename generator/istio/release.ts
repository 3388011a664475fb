/**
 * The Istio release is an input: meshrender reads the CRDs and the injection templates of each
 * version from the official release, never from this repository. A distribution directory holds
 * istio-<version>/ trees (as unpacked from the release archives).
 * TODO(#3): istio-<version>-linux-amd64.tar.gz archives, download with sha256 check, cache, pins.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
import { PlanError } from '../errors.ts';
import type { Topology } from '../types.ts';

export const CRD_FILE = 'manifests/charts/base/files/crd-all.gen.yaml';
export const DISCOVERY_FILES_DIR = 'manifests/charts/istio-control/istio-discovery/files';

/** The parts of one Istio release that meshrender embeds verbatim. */
export interface IstioRelease {
  version: string;
  /** Directory or archive it was read from. */
  origin: string;
  /** sha256 of the release archive, when read from one. */
  archiveSha256: string | null;
  /** Text of manifests/charts/base/files/crd-all.gen.yaml. */
  crds: string;
  /** Files of manifests/charts/istio-control/istio-discovery/files/, by file name (injection templates, profiles). */
  discoveryFiles: ReadonlyMap<string, string>;
}

export interface ReleaseOptions {
  /** --istio-dist, else $MESHRENDER_ISTIO_DIST; when unset, spec.istio.distribution of each topology. */
  distDir: string | null;
}

/** The distribution directory for a topology, by precedence. */
export function distributionDir(topology: Topology, opts: ReleaseOptions): string | null {
  if (opts.distDir) return opts.distDir;
  if (topology.istio.distribution) return resolve(dirname(topology.file), topology.istio.distribution);
  return null;
}

/** Every Istio version a topology uses, sorted. */
export function versionsOf(topology: Topology): string[] {
  return [...new Set(topology.istio.revisions.map((r) => r.version))].sort(compareVersions);
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

const cache = new Map<string, IstioRelease>();

/** Loads every release a topology needs; reports every missing one at once. */
export async function loadReleases(topology: Topology, opts: ReleaseOptions): Promise<Map<string, IstioRelease>> {
  const dist = distributionDir(topology, opts);
  const out = new Map<string, IstioRelease>();
  const problems: Diagnostic[] = [];
  for (const version of versionsOf(topology)) {
    try {
      out.set(version, readReleaseDir(dist, version, topology.file));
    } catch (e) {
      if (e instanceof PlanError) problems.push(...e.diagnostics);
      else throw e;
    }
  }
  if (problems.length > 0) throw new PlanError('Istio releases are missing', problems);
  return out;
}

function readReleaseDir(dist: string | null, version: string, topologyFile: string): IstioRelease {
  const problem = (message: string) =>
    new PlanError(message, [{ file: topologyFile, severity: 'error', message }]);
  if (!dist) {
    throw problem(
      `Istio ${version} is needed but no distribution directory is set; pass --istio-dist DIR or set MESHRENDER_ISTIO_DIST to a directory holding istio-${version}/`,
    );
  }
  const root = join(dist, `istio-${version}`);
  const key = resolve(root);
  const hit = cache.get(key);
  if (hit) return hit;
  if (!existsSync(root)) {
    throw problem(`Istio ${version} is not in ${dist}: expected ${root}/; download istio-${version}-linux-amd64.tar.gz from https://github.com/istio/istio/releases/tag/${version} and unpack it there`);
  }
  const crdPath = join(root, CRD_FILE);
  const filesDir = join(root, DISCOVERY_FILES_DIR);
  if (!existsSync(crdPath)) throw problem(`${crdPath} is missing: ${root} is not a complete Istio ${version} release`);
  if (!existsSync(filesDir)) throw problem(`${filesDir} is missing: ${root} is not a complete Istio ${version} release`);
  const discoveryFiles = new Map<string, string>();
  for (const f of readdirSync(filesDir).sort()) discoveryFiles.set(f, readFileSync(join(filesDir, f), 'utf8'));
  const release: IstioRelease = { version, origin: root, archiveSha256: null, crds: readFileSync(crdPath, 'utf8'), discoveryFiles };
  cache.set(key, release);
  return release;
}
