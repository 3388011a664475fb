/**
 * The pipeline: the one place that knows the order of the stages.
 *   load → validate → resolve → rules → plan → render → assemble → write (or check)
 * Every topology is loaded and checked before anything is rendered. A render streams each mesh,
 * cluster by cluster (stages/stream.ts), into a staging directory beside its tree, and swaps the
 * trees in only once every mesh is staged, so a mistake anywhere leaves the output directory
 * untouched while memory holds one cluster's files at a time.
 */
import type { Diagnostic } from './diagnostics.ts';
import { hasErrors, sortDiagnostics } from './diagnostics.ts';
import { MeshrenderError, TopologyInvalidError, UsageError } from './errors.ts';
import { cachedCheck } from './stages/check-cache.ts';
import { mergeSubset, readManagedFiles } from './stages/subset.ts';
import { loadTopology } from './stages/load.ts';
import { resolveModel } from './stages/resolve.ts';
import { secretNotices } from './components/secret-notices.ts';
import { checkMeshRules } from './stages/rules/index.ts';
import { locateReleaseProblems } from './stages/rules/istio-release-available.ts';
import { validateTopology } from './stages/validate.ts';
import { checkTree, writeTrees, type Drift, type MeshFiles, type WriteResult } from './stages/write.ts';
import { meshTreeEntries, meshTreeFiles, type StreamOptions } from './stages/stream.ts';
import { prewarmClusterWorker } from './stages/stream-worker-client.ts';
import { NO_PREVIOUS_RENDER } from './stages/inputs.ts';
import { readRenderRecord, renderRecordBody, renderRecordDir, writeRenderRecord } from './stages/render-record.ts';
import { loadCatalog, type TemplateCatalog } from './templating/catalog.ts';
import { statSync } from 'node:fs';
import { posix } from 'node:path';
import { loadReleases, type IstioRelease, type ReleaseOptions } from './istio/release.ts';
import type { OutputTree, Topology } from './types.ts';

export interface CheckedTopology {
  topology: Topology;
  /** Warnings of the mesh rules (errors make checkTopology throw). */
  warnings: Diagnostic[];
}

/** load → validate → resolve → rules for one file. Throws a MeshrenderError listing every problem. */
export function checkTopology(file: string): CheckedTopology {
  const loaded = loadTopology(file);
  const written = validateTopology(loaded);
  const topology = resolveModel(written);
  const findings = checkMeshRules(topology, written);
  if (hasErrors(findings)) throw new TopologyInvalidError(`${file}: the topology breaks mesh rules`, sortDiagnostics(findings));
  // Credentials meshrender leaves to the user: said only once the topology is valid.
  return { topology, warnings: sortDiagnostics([...findings, ...secretNotices(topology, written)]) };
}

/** Checks many files and reports the problems of all of them at once; with a cache directory, an unchanged file that passed before is not checked again (stages/check-cache.ts). */
export function checkTopologies(files: readonly string[], cacheDir: string | null = null): CheckedTopology[] {
  const out: CheckedTopology[] = [];
  const problems: Diagnostic[] = [];
  for (const file of files) {
    try {
      out.push(cacheDir === null ? checkTopology(file) : cachedCheck(file, cacheDir, checkTopology));
    } catch (e) {
      if (!(e instanceof MeshrenderError)) throw e;
      problems.push(...(e.diagnostics.length > 0 ? e.diagnostics : [{ file, severity: 'error' as const, message: e.message }]));
    }
  }
  const seen = new Map<string, string>();
  for (const { topology } of out) {
    const other = seen.get(topology.name);
    if (other !== undefined)
      problems.push({ file: topology.file, pos: { line: 1, col: 1 }, severity: 'error', message: `metadata.name ${JSON.stringify(topology.name)} is also the name of ${other}; both would write out/${topology.name}/, so rename one` });
    seen.set(topology.name, topology.file);
  }
  if (problems.length > 0) throw new TopologyInvalidError('invalid topologies', sortDiagnostics(problems));
  return out;
}

/** plan → render → assemble: the complete output tree of one mesh, in memory (sorted by path). */
export function buildTree(
  topology: Topology,
  releases: ReadonlyMap<string, IstioRelease>,
  catalog: TemplateCatalog = loadCatalog(),
  only: ReadonlySet<string> | null = null,
): OutputTree {
  const files = [...meshTreeFiles(topology, releases, catalog, only)];
  files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const tree = new Map(files);
  if (tree.size !== files.length) throw new Error(`internal: a path of ${topology.name} is rendered twice`);
  return { mesh: topology.name, files: tree };
}

export interface RenderOptions {
  topologies: readonly string[];
  outDir: string;
  /** Only compare with the disk (render --check). */
  check: boolean;
  /** --istio-dist or $MESHRENDER_ISTIO_DIST. */
  istioDist: string | null;
  /** Validate every rendered object before writing (render --validate). */
  validate?: boolean;
  /** Never download an Istio release (render --offline). @default $MESHRENDER_OFFLINE */
  offline?: boolean;
  /** Render only these clusters into the existing tree (render --cluster, to shard a fleet). */
  clusters?: readonly string[];
  /** Where render records and checked topologies are kept (stages/render-record.ts, stages/check-cache.ts); null: check the topology and render every cluster. @default renderRecordDir() */
  renderRecords?: string | null;
}

export interface MeshOutcome {
  topology: Topology;
  warnings: Diagnostic[];
  files: number;
  drift: Drift | WriteResult;
  /** The Istio releases used, by version, with where each came from and its archive digest. */
  releases: IstioRelease[];
}

export interface RenderedMesh extends CheckedTopology {
  tree: OutputTree;
}

export interface LoadedMesh extends CheckedTopology {
  releases: Map<string, IstioRelease>;
}

/** Checks topologies and loads the Istio releases they use (downloading missing ones unless offline). */
export async function checkAndLoad(topologies: readonly string[], istioDist: string | null, releaseOptions: Omit<ReleaseOptions, 'distDir'> = {}, cacheDir: string | null = null): Promise<LoadedMesh[]> {
  const checked = checkTopologies(topologies, cacheDir);
  const releases = await loadAllReleases(checked.map((c) => c.topology), { ...releaseOptions, distDir: istioDist });
  return checked.map((c, i) => ({ ...c, releases: releases[i]! }));
}

/** load … assemble for many topologies, in memory: nothing is written. */
export async function renderInMemory(topologies: readonly string[], istioDist: string | null): Promise<RenderedMesh[]> {
  const loaded = await checkAndLoad(topologies, istioDist);
  const catalog = loadCatalog();
  return loaded.map((c) => ({ topology: c.topology, warnings: c.warnings, tree: buildTree(c.topology, c.releases, catalog) }));
}

export async function renderTopologies(opts: RenderOptions): Promise<MeshOutcome[]> {
  // A large fleet is rendered with a worker thread: start it now, so that loading its modules and
  // templates overlaps checking the topology. A topology of 16 KiB has about 110 clusters.
  if (!opts.validate && !opts.clusters?.length && opts.topologies.some((f) => sizeOf(f) >= 16 * 1024)) prewarmClusterWorker();
  const recordDir = opts.renderRecords === undefined ? renderRecordDir() : opts.renderRecords;
  const loaded = await checkAndLoad(opts.topologies, opts.istioDist, { offline: opts.offline }, recordDir);
  const catalog = loadCatalog();
  const only = opts.clusters && opts.clusters.length > 0 ? new Set(opts.clusters) : null;
  if (only) {
    const known = new Set(loaded.flatMap((c) => c.topology.clusters.map((x) => x.name)));
    const unknown = [...only].filter((c) => !known.has(c));
    if (unknown.length > 0) throw new UsageError(`--cluster ${unknown.join(', ')}: no such cluster in ${loaded.map((c) => c.topology.file).join(', ')}`);
  }
  // With --cluster, meshes that hold none of the named clusters are left alone.
  const meshes = loaded.filter((c) => !only || c.topology.clusters.some((x) => only.has(x.name)));
  // Validating and merging a subset need the whole tree in memory; a plain render streams it,
  // cluster by cluster, into the write (or the comparison of --check).
  const inMemory = opts.validate || only !== null;
  const trees: MeshFiles[] = meshes.map((c) => {
    if (!inMemory) return reusingTree(c.topology, c.releases, catalog, { outDir: opts.outDir, recordDir, record: !opts.check });
    const tree = buildTree(c.topology, c.releases, catalog, only);
    const scoped = only ? new Set(c.topology.clusters.map((x) => x.name).filter((n) => only.has(n))) : null;
    return scoped ? mergeSubset(tree, readManagedFiles(posix.join(opts.outDir, c.topology.name)), scoped) : tree;
  });
  if (opts.validate) {
    // The validators (kubernetes-models, the strict schemas) are loaded only for --validate.
    const [{ CrdSchemas }, { validateRenderedFiles }] = await Promise.all([import('./validation/schemas.ts'), import('./validation/validate-tree.ts')]);
    const problems: Diagnostic[] = [];
    for (const [i, m] of meshes.entries()) {
      const report = await validateRenderedFiles((trees[i] as OutputTree).files, { crds: CrdSchemas.fromReleases(m.releases.values()), displayPrefix: `${posix.join(opts.outDir, m.topology.name)}/` });
      problems.push(...report.diagnostics);
    }
    if (problems.length > 0) throw new MeshrenderError('rendered objects are invalid', problems);
  }
  const drifts: (Drift | WriteResult)[] = opts.check ? trees.map((t) => checkTree(opts.outDir, t)) : writeTrees(opts.outDir, trees);
  return meshes.map(({ topology, warnings, releases }, i) => ({ topology, warnings, files: drifts[i]!.files, drift: drifts[i]!, releases: [...releases.values()] }));
}

/**
 * A mesh's stream for the write stage that skips the clusters whose inputs are those of the last
 * render of this tree on this machine (its render record), and records this render once written.
 */
export function reusingTree(
  topology: Topology,
  releases: ReadonlyMap<string, IstioRelease>,
  catalog: TemplateCatalog,
  opts: { outDir: string; recordDir: string | null; record: boolean; stream?: Omit<StreamOptions, 'reuse'> },
): MeshFiles {
  const { recordDir } = opts;
  const meshDir = posix.join(opts.outDir, topology.name);
  const inputs = new Map<string, string>();
  const stats = new Map<string, string>();
  let previous = NO_PREVIOUS_RENDER;
  return {
    mesh: topology.name,
    files: (current) => {
      if (recordDir !== null && current !== null) previous = { ...readRenderRecord(recordDir, meshDir), from: { recordDir, meshDir }, dir: current };
      return meshTreeEntries(topology, releases, catalog, null, { ...opts.stream, reuse: { previous, inputs, stats } });
    },
    written: (digests) => {
      if (!opts.record || recordDir === null) return;
      const body = renderRecordBody(digests, inputs, stats);
      if (body !== previous.body) writeRenderRecord(recordDir, meshDir, body);
    },
  };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Loads the releases of every topology, reporting every missing one at once. */
async function loadAllReleases(topologies: readonly Topology[], opts: ReleaseOptions): Promise<Map<string, IstioRelease>[]> {
  const out: Map<string, IstioRelease>[] = [];
  const problems: Diagnostic[] = [];
  for (const t of topologies) {
    try {
      out.push(await loadReleases(t, opts));
    } catch (e) {
      if (!(e instanceof MeshrenderError)) throw e;
      // Point each missing release at the revision version that needs it (rule istio-release-available).
      problems.push(...locateReleaseProblems(loadTopology(t.file), e.diagnostics));
    }
  }
  if (problems.length > 0) throw new MeshrenderError('Istio releases are missing', sortDiagnostics(problems));
  return out;
}
