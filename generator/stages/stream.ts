/**
 * plan → render → assemble, one cluster at a time: the files of a mesh's tree as a stream.
 * A fleet's tree is far larger than any one cluster's, so the write stage consumes this stream and
 * writes each cluster's files before the next cluster is rendered; nothing holds the whole fleet.
 * Order: each cluster's files (sorted), then shared/ (the release CRDs and the remote secrets that
 * many clusters list), then the mesh-level files (GitOps entry points, README). Template and
 * assembly problems of every cluster are collected and thrown together at the end, before the
 * mesh-level files, so a consumer that stages what it receives discards it all.
 * In a large fleet a worker thread renders most clusters (stream-worker.ts, stream-worker-client.ts)
 * while this thread renders the rest and the consumer writes; the files come out in the same order either way.
 * With reuse (the render record of the tree on disk, render-record.ts), a cluster whose input digest
 * is the recorded one is not rendered: its recorded files are checked on disk and come out as
 * Recorded entries, rendered on demand if one is no longer intact. The mesh-level files (shared/,
 * GitOps, README) are reused the same way, as one more unit.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { AssembleError, TemplateError } from '../errors.ts';
import { gitopsFiles } from '../gitops/index.ts';
import { pictureFiles } from '../graph/readme.ts';
import type { IstioRelease } from '../istio/release.ts';
import { LAYERS } from '../layers.ts';
import type { TemplateCatalog } from '../templating/catalog.ts';
import type { Cluster, RenderedFile, Topology } from '../types.ts';
import { LOOKAHEAD, startClusterWorker, type RenderAhead, type WorkerTestHooks } from './stream-worker-client.ts';
import { assembleKustomizations, KUSTOMIZATION, withMeshFiles, type References } from './assemble.ts';
import { intactFiles } from '../fs/tree-reader.ts';
import { clusterInputDigest, MESH_LEVEL, meshInputBase, meshLevelInputDigest, type ClusterRecord, type PreviousRender, type Recorded, type UpdateEntry } from './inputs.ts';
import { planCluster, planMesh } from './plan.ts';
import { renderAll } from './render.ts';

/** A path of the mesh tree and its content. */
export type TreeEntry = readonly [path: string, content: string];

export interface StreamOptions {
  /** Render clusters on a worker thread too (both cores of a small machine); null: when the fleet is large enough. */
  parallel?: boolean | null;
  /** For tests of the worker's failure paths. */
  workerHooks?: WorkerTestHooks;
  /**
   * Skip clusters whose inputs are those of the previous render (inputs.ts): their files come out as
   * Recorded entries, checked against the disk. Every cluster's input digest is put in `inputs`, and
   * the stat of every file found intact in `stats`, for the next render record.
   */
  reuse?: { previous: PreviousRender; inputs: Map<string, string>; stats: Map<string, string> };
}

/** From this many clusters on, a worker thread renders most clusters. */
const PARALLEL_FROM = 128;

/** A file of an unchanged cluster, not rendered: its path, its recorded digest, and whether the disk still holds exactly that (false if not, else the stat to record: intactFiles). */
export type KeptFile = readonly [path: string, digest: string, intact: string | false];

/** The files of one cluster's tree and the problems met rendering it. */
export interface ClusterFiles {
  files: TreeEntry[];
  /** When the cluster's inputs are those of the previous render: its files, checked on disk instead of rendered (then `files` is empty). */
  kept: readonly KeptFile[] | null;
  templateProblems: Diagnostic[];
  assembleProblems: Diagnostic[];
  /** The cluster's input digest, when asked for (reuse was given). */
  inputDigest: string | null;
}

/** What a cluster job needs to reuse the previous render: the mesh input base, the tree on disk and the cluster's render record. */
export interface ClusterReuse {
  base: string;
  dir: string | null;
  record: ClusterRecord | undefined;
}

/**
 * plan → render → assemble for one cluster. With reuse: its input digest too, and when that is the
 * digest recorded by the previous render, no rendering: its recorded files are checked on disk instead.
 */
export function renderCluster(
  topology: Topology,
  cluster: Cluster,
  catalog: TemplateCatalog,
  releases: ReadonlyMap<string, IstioRelease>,
  references: References,
  reuse: ClusterReuse | null = null,
): ClusterFiles {
  const units = planCluster(topology, cluster, catalog, releases);
  const inputDigest = reuse ? clusterInputDigest(reuse.base, units, references) : null;
  if (reuse?.record && reuse.dir !== null && reuse.record.digest === inputDigest) {
    return { files: [], kept: keptFiles(reuse.dir, reuse.record), templateProblems: [], assembleProblems: [], inputDigest };
  }
  return { ...assembled(topology.name, () => renderAll(units), references), kept: null, inputDigest };
}

/** The files of a record, checked on disk (fs/tree-reader.ts). */
function keptFiles(dir: string, record: ClusterRecord): KeptFile[] {
  const intact = intactFiles(dir, record.files);
  return record.files.map(([path, digest], i) => [path, digest, intact[i]!] as const);
}

/** render → assemble, with template and assembly problems returned as data (collected over the fleet). */
function assembled(mesh: string, render: () => RenderedFile[], references: References): Pick<ClusterFiles, 'files' | 'templateProblems' | 'assembleProblems'> {
  const out: Pick<ClusterFiles, 'files' | 'templateProblems' | 'assembleProblems'> = { files: [], templateProblems: [], assembleProblems: [] };
  try {
    out.files = [...assembleKustomizations(mesh, render(), references).files];
  } catch (e) {
    if (e instanceof TemplateError) out.templateProblems.push(...e.diagnostics);
    else if (e instanceof AssembleError) out.assembleProblems.push(...e.diagnostics);
    else throw e;
  }
  return out;
}

/** The files of a mesh's tree, every one rendered (no reuse of a previous render). */
export function* meshTreeFiles(
  topology: Topology,
  releases: ReadonlyMap<string, IstioRelease>,
  catalog: TemplateCatalog,
  only: ReadonlySet<string> | null = null,
  options: Omit<StreamOptions, 'reuse'> = {},
): Generator<TreeEntry> {
  for (const [path, content] of meshTreeEntries(topology, releases, catalog, only, options)) {
    if (typeof content !== 'string') throw new Error(`internal: ${path} was reused without a previous render`);
    yield [path, content];
  }
}

/** The files of a mesh's tree; with options.reuse, the files of unchanged clusters as Recorded entries. */
export function* meshTreeEntries(
  topology: Topology,
  releases: ReadonlyMap<string, IstioRelease>,
  catalog: TemplateCatalog,
  only: ReadonlySet<string> | null = null,
  options: StreamOptions = {},
): Generator<UpdateEntry> {
  const mesh = planMesh(topology, catalog, releases, only);
  const referencesOf = byCluster(mesh.references);
  const referencesFor = (name: string) => referencesOf.get(name) ?? new Map<string, readonly string[]>();
  const templateProblems: Diagnostic[] = [];
  const assembleProblems: Diagnostic[] = [];
  // The layer kustomizations seen, which is all the GitOps files need to know of the cluster trees.
  const layerKustomizations = new Set<string>();
  const layerFiles = new Set(LAYERS.map((l) => `${l.dir}/${KUSTOMIZATION}`));
  const clusters = topology.clusters.filter((c) => !only || only.has(c.name));
  const reuse = options.reuse ?? null;
  const base = reuse ? meshInputBase(topology.name, releases) : null;
  const records = reuse ? reuse.previous.records : new Map<string, ClusterRecord>();
  const reuseFor = (name: string): ClusterReuse | null => (base === null ? null : { base, dir: reuse!.previous.dir, record: records.get(name) });
  const parallel = options.parallel ?? clusters.length >= PARALLEL_FROM;
  // The worker takes the next cluster whenever it is free; this thread renders the ones it has not
  // taken (while it starts, and whenever writing leaves this thread time): stream-worker-client.ts.
  const helper = parallel
    ? startClusterWorker(topology, releases, clusters, mesh.references, base === null ? null : { base, dir: reuse!.previous.dir, from: reuse!.previous.from }, options.workerHooks)
    : null;
  // Clusters this thread rendered ahead while it waited for the worker, until the stream reaches them.
  const ahead = new Map<number, ClusterFiles>();
  const renderAhead: RenderAhead = {
    room: () => ahead.size < LOOKAHEAD,
    render: (j) => {
      const c = clusters[j]!;
      ahead.set(j, renderCluster(topology, c, catalog, releases, referencesFor(c.name), reuseFor(c.name)));
    },
  };
  try {
    for (const [i, cluster] of clusters.entries()) {
      const prefix = `clusters/${cluster.name}/`;
      const seen = (path: string) => {
        if (layerFiles.has(path.slice(prefix.length))) layerKustomizations.add(path);
      };
      const result = ahead.get(i) ?? helper?.take(i, renderAhead) ?? renderCluster(topology, cluster, catalog, releases, referencesFor(cluster.name), reuseFor(cluster.name));
      ahead.delete(i);
      templateProblems.push(...result.templateProblems);
      assembleProblems.push(...result.assembleProblems);
      if (reuse && result.inputDigest !== null) reuse.inputs.set(cluster.name, result.inputDigest);
      const entries = result.kept
        ? recordedEntries(result.kept, reuse!.stats, () => renderCluster(topology, cluster, catalog, releases, referencesFor(cluster.name)), `cluster ${cluster.name}`)
        : result.files;
      for (const entry of entries) {
        seen(entry[0]);
        yield entry;
      }
    }
  } finally {
    helper?.stop();
  }
  // The mesh-level files: shared/ (content many clusters list), the GitOps entry points and the README with the topology picture.
  const meshLevelFiles = (): ClusterFiles => {
    const shared = assembled(topology.name, () => renderAll(mesh.units, mesh.shared), new Map());
    if (shared.templateProblems.length + shared.assembleProblems.length > 0) return { ...shared, kept: null, inputDigest: null };
    const meshFiles = new Map([...gitopsFiles(topology, { files: layerKustomizations }), ...pictureFiles(topology)]);
    return { ...shared, files: [...shared.files, ...withMeshFiles({ mesh: topology.name, files: new Map() }, meshFiles).files], kept: null, inputDigest: null };
  };
  const failed = templateProblems.length + assembleProblems.length > 0;
  const meshDigest = base === null || failed ? null : meshLevelInputDigest(base, mesh.units, mesh.shared, topology, layerKustomizations);
  const meshRecord = records.get(MESH_LEVEL);
  if (meshDigest !== null && meshRecord?.digest === meshDigest && reuse!.previous.dir !== null) {
    reuse!.inputs.set(MESH_LEVEL, meshDigest);
    yield* recordedEntries(keptFiles(reuse!.previous.dir, meshRecord), reuse!.stats, meshLevelFiles, 'the mesh level');
    return;
  }
  const meshLevel = meshLevelFiles();
  templateProblems.push(...meshLevel.templateProblems);
  assembleProblems.push(...meshLevel.assembleProblems);
  if (templateProblems.length > 0) throw new TemplateError('templates failed to render', templateProblems);
  if (assembleProblems.length > 0) throw new AssembleError('two objects at one path, or an unsafe path', assembleProblems);
  if (meshDigest !== null) reuse!.inputs.set(MESH_LEVEL, meshDigest);
  yield* meshLevel.files;
}

/**
 * The stream entries of kept files, recording the stat of each intact one for the next render record.
 * A file that is no longer as recorded (edited, deleted or replaced by hand) is rendered again: the
 * first time its content is asked for, `render` renders the whole unit.
 */
function* recordedEntries(
  kept: readonly KeptFile[],
  stats: Map<string, string>,
  render: () => Pick<ClusterFiles, 'files' | 'templateProblems' | 'assembleProblems'>,
  what: string,
): Generator<UpdateEntry> {
  const rendered = renderedOnDemand(render, what);
  for (const [path, digest, intact] of kept) {
    if (intact) stats.set(path, intact);
    yield [path, { digest, intact: intact !== false, content: () => rendered(path) } satisfies Recorded];
  }
}

/** A unit's files, rendered the first time one is needed. */
function renderedOnDemand(render: () => Pick<ClusterFiles, 'files' | 'templateProblems' | 'assembleProblems'>, what: string): (path: string) => string {
  let files: Map<string, string> | null = null;
  return (path) => {
    if (files === null) {
      const result = render();
      if (result.templateProblems.length + result.assembleProblems.length > 0) throw new TemplateError(`${what} failed to render`, [...result.templateProblems, ...result.assembleProblems]);
      files = new Map(result.files);
    }
    const content = files.get(path);
    if (content === undefined) throw new Error(`internal: ${path} is recorded for ${what}, whose inputs are unchanged, but is no longer rendered`);
    return content;
  };
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
