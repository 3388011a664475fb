/**
 * plan → render → assemble, one cluster at a time: the files of a mesh's tree as a stream.
 * A fleet's tree is far larger than any one cluster's, so the write stage consumes this stream and
 * writes each cluster's files before the next cluster is rendered; nothing holds the whole fleet.
 * Order: each cluster's files (sorted), then shared/ (the release CRDs and the remote secrets that
 * many clusters list), then the mesh-level files (GitOps entry points, README). Template and
 * assembly problems of every cluster are collected and thrown together at the end, before the
 * mesh-level files, so a consumer that stages what it receives discards it all.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { AssembleError, TemplateError } from '../errors.ts';
import { gitopsFiles } from '../gitops/index.ts';
import { pictureFiles } from '../graph/readme.ts';
import type { IstioRelease } from '../istio/release.ts';
import { LAYERS } from '../layers.ts';
import type { TemplateCatalog } from '../templating/catalog.ts';
import type { RenderedFile, Topology } from '../types.ts';
import { assembleKustomizations, KUSTOMIZATION, withMeshFiles, type References } from './assemble.ts';
import { planCluster, planMesh } from './plan.ts';
import { renderAll } from './render.ts';

/** A path of the mesh tree and its content. */
export type TreeEntry = readonly [path: string, content: string];

export function* meshTreeFiles(
  topology: Topology,
  releases: ReadonlyMap<string, IstioRelease>,
  catalog: TemplateCatalog,
  only: ReadonlySet<string> | null = null,
): Generator<TreeEntry> {
  const mesh = planMesh(topology, catalog, releases, only);
  const referencesOf = byCluster(mesh.references);
  const templateProblems: Diagnostic[] = [];
  const assembleProblems: Diagnostic[] = [];
  const assemble = (files: () => RenderedFile[], references: References) => {
    try {
      return assembleKustomizations(topology.name, files(), references).files;
    } catch (e) {
      if (e instanceof TemplateError) templateProblems.push(...e.diagnostics);
      else if (e instanceof AssembleError) assembleProblems.push(...e.diagnostics);
      else throw e;
      return new Map<string, string>();
    }
  };
  // The layer kustomizations seen, which is all the GitOps files need to know of the cluster trees.
  const layerKustomizations = new Set<string>();
  const layerFiles = new Set(LAYERS.map((l) => `${l.dir}/${KUSTOMIZATION}`));
  for (const cluster of topology.clusters) {
    if (only && !only.has(cluster.name)) continue;
    const prefix = `clusters/${cluster.name}/`;
    const files = assemble(() => renderAll(planCluster(topology, cluster, catalog, releases)), referencesOf.get(cluster.name) ?? new Map());
    for (const entry of files) {
      if (layerFiles.has(entry[0].slice(prefix.length))) layerKustomizations.add(entry[0]);
      yield entry;
    }
  }
  yield* assemble(() => renderAll(mesh.units, mesh.shared), new Map());
  if (templateProblems.length > 0) throw new TemplateError('templates failed to render', templateProblems);
  if (assembleProblems.length > 0) throw new AssembleError('two objects at one path, or an unsafe path', assembleProblems);
  // Mesh-level files beside the cluster trees: GitOps entry points and the README with the topology picture.
  const meshFiles = new Map([...gitopsFiles(topology, { files: layerKustomizations }), ...pictureFiles(topology)]);
  yield* withMeshFiles({ mesh: topology.name, files: new Map() }, meshFiles).files;
}

/** Kustomization references grouped by the cluster whose tree holds the kustomization. */
function byCluster(references: References): Map<string, Map<string, readonly string[]>> {
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
