/**
 * plan → render → assemble, one cluster at a time: the files of a mesh's tree as a stream.
 * A fleet's tree is far larger than any one cluster's, so the write stage consumes this stream and
 * writes each cluster's files before the next cluster is rendered; nothing holds the whole fleet.
 * Order: each cluster's files (sorted), then shared/ (the release CRDs and the remote secrets that
 * many clusters list), then the mesh-level files (GitOps entry points, README). Template and
 * assembly problems of every cluster are collected and thrown together at the end, before the
 * mesh-level files, so a consumer that stages what it receives discards it all.
 * In a large fleet a worker thread renders three clusters of every four (stream-worker.ts) while
 * this thread renders the rest and the consumer writes; the files come out in the same order either way.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { AssembleError, TemplateError } from '../errors.ts';
import { gitopsFiles } from '../gitops/index.ts';
import { pictureFiles } from '../graph/readme.ts';
import type { IstioRelease } from '../istio/release.ts';
import { LAYERS } from '../layers.ts';
import type { TemplateCatalog } from '../templating/catalog.ts';
import type { Cluster, RenderedFile, Topology } from '../types.ts';
import { startClusterWorker, type WorkerTestHooks } from './stream-worker-client.ts';
import { assembleKustomizations, KUSTOMIZATION, withMeshFiles, type References } from './assemble.ts';
import { planCluster, planMesh } from './plan.ts';
import { renderAll } from './render.ts';

/** A path of the mesh tree and its content. */
export type TreeEntry = readonly [path: string, content: string];

export interface StreamOptions {
  /** Render clusters on a worker thread too (both cores of a small machine); null: when the fleet is large enough. */
  parallel?: boolean | null;
  /** For tests of the worker's failure paths. */
  workerHooks?: WorkerTestHooks;
}

/** From this many clusters on, a worker thread renders most clusters. */
const PARALLEL_FROM = 128;
/** Clusters this thread renders alone while the worker starts (~0.4 s: its modules and templates). */
const WORKER_STARTS_AT = 64;

/** The files of one cluster's tree and the problems met rendering it. */
export interface ClusterFiles {
  files: TreeEntry[];
  templateProblems: Diagnostic[];
  assembleProblems: Diagnostic[];
}

/** plan → render → assemble for one cluster. */
export function renderCluster(
  topology: Topology,
  cluster: Cluster,
  catalog: TemplateCatalog,
  releases: ReadonlyMap<string, IstioRelease>,
  references: References,
): ClusterFiles {
  return assembled(topology.name, () => renderAll(planCluster(topology, cluster, catalog, releases)), references);
}

/** render → assemble, with template and assembly problems returned as data (collected over the fleet). */
function assembled(mesh: string, render: () => RenderedFile[], references: References): ClusterFiles {
  const out: ClusterFiles = { files: [], templateProblems: [], assembleProblems: [] };
  try {
    out.files = [...assembleKustomizations(mesh, render(), references).files];
  } catch (e) {
    if (e instanceof TemplateError) out.templateProblems.push(...e.diagnostics);
    else if (e instanceof AssembleError) out.assembleProblems.push(...e.diagnostics);
    else throw e;
  }
  return out;
}

export function* meshTreeFiles(
  topology: Topology,
  releases: ReadonlyMap<string, IstioRelease>,
  catalog: TemplateCatalog,
  only: ReadonlySet<string> | null = null,
  options: StreamOptions = {},
): Generator<TreeEntry> {
  const mesh = planMesh(topology, catalog, releases, only);
  const referencesOf = byCluster(mesh.references);
  const templateProblems: Diagnostic[] = [];
  const assembleProblems: Diagnostic[] = [];
  // The layer kustomizations seen, which is all the GitOps files need to know of the cluster trees.
  const layerKustomizations = new Set<string>();
  const layerFiles = new Set(LAYERS.map((l) => `${l.dir}/${KUSTOMIZATION}`));
  const clusters = topology.clusters.filter((c) => !only || only.has(c.name));
  const parallel = options.parallel ?? clusters.length >= PARALLEL_FROM;
  // This thread renders the first clusters while the worker starts, then, since it also writes what
  // it yields, one cluster of every four.
  const onWorker = (i: number) => i >= WORKER_STARTS_AT && i % 4 !== 0;
  const helper = parallel ? startClusterWorker(topology, releases, clusters.filter((_, i) => onWorker(i)), mesh.references, options.workerHooks) : null;
  try {
    for (const [i, cluster] of clusters.entries()) {
      const prefix = `clusters/${cluster.name}/`;
      const result =
        (helper && onWorker(i) ? helper.next(cluster.name) : null) ?? renderCluster(topology, cluster, catalog, releases, referencesOf.get(cluster.name) ?? new Map());
      templateProblems.push(...result.templateProblems);
      assembleProblems.push(...result.assembleProblems);
      for (const entry of result.files) {
        if (layerFiles.has(entry[0].slice(prefix.length))) layerKustomizations.add(entry[0]);
        yield entry;
      }
    }
  } finally {
    helper?.stop();
  }
  const shared = assembled(topology.name, () => renderAll(mesh.units, mesh.shared), new Map());
  templateProblems.push(...shared.templateProblems);
  assembleProblems.push(...shared.assembleProblems);
  yield* shared.files;
  if (templateProblems.length > 0) throw new TemplateError('templates failed to render', templateProblems);
  if (assembleProblems.length > 0) throw new AssembleError('two objects at one path, or an unsafe path', assembleProblems);
  // Mesh-level files beside the cluster trees: GitOps entry points and the README with the topology picture.
  const meshFiles = new Map([...gitopsFiles(topology, { files: layerKustomizations }), ...pictureFiles(topology)]);
  yield* withMeshFiles({ mesh: topology.name, files: new Map() }, meshFiles).files;
}

/** Kustomization references grouped by the cluster whose tree holds the kustomization. */
export function byCluster(references: References): Map<string, Map<string, readonly string[]>> {
  const out = new Map<string, Map<string, readonly string[]>>();
  for (const [dir, list] of references) {
    const cluster = /^clusters\/([^/]+)\//.exec(dir)?.[1];
    if (cluster === undefined) throw new Error(`internal: reference from ${dir}, outside a cluster tree`);
    let m = out.get(cluster);
    if (!m) out.set(cluster, (m = new Map()));
    m.set(dir, list);
  }
  return out;
}
