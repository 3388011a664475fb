/**
 * Input digests: a sha256 of everything one cluster's files are rendered from, kept in the render
 * record (render-record.ts) so that the next render can skip clusters whose inputs did not change.
 * A cluster's files are a function of its render units (directories, templates, contexts), the
 * kustomization references into shared/, the mesh name and meshrender itself; the digest covers
 * all of them, and meshrender's own code, templates and YAML libraries through the engine digest,
 * so that editing a template or upgrading meshrender renders every cluster again. The mesh-level
 * files (shared/, GitOps, README) have a digest of their own (MESH_LEVEL).
 * A skipped cluster's files are still checked on disk against the record (stream.ts,
 * fs/tree-reader.ts): a hand-edited or deleted file is rendered and written again.
 */
import { createHash, type Hash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SharedDocuments } from '../components/crds.ts';
import type { FileRecord } from '../fs/tree-reader.ts';
import type { IstioRelease } from '../istio/release.ts';
import type { Topology } from '../types.ts';
import type { References } from './assemble.ts';
import type { RenderUnit } from './plan.ts';

/** A file that the previous render wrote from the same inputs: its recorded digest, and its content on demand (rendering it). */
export interface Recorded {
  readonly digest: string;
  /** The file on disk was found to be exactly that (a regular file, reached without a link): nothing to read or write. */
  readonly intact: boolean;
  content(): string;
}

/** A path of a mesh tree and its content, or the record of a file that is expected unchanged on disk. */
export type UpdateEntry = readonly [path: string, content: string | Recorded];

/** What the previous render recorded for one cluster (or the mesh level): its input digest and its files with their digests and stats, in path order. */
export interface ClusterRecord {
  digest: string;
  files: readonly FileRecord[];
}

/** What the render record (render-record.ts) says about the previous render of a tree, and where that tree is. */
export interface PreviousRender {
  /** By cluster name, and MESH_LEVEL for the files outside clusters/. */
  records: ReadonlyMap<string, ClusterRecord>;
  /** The record's text as read, to tell whether a new one would differ. */
  body: string | null;
  /** Where the record was read (render-record.ts), so that the render worker can read it too; null: no record. */
  from: { recordDir: string; meshDir: string } | null;
  /** The tree on disk those files are in; null when there is none. */
  dir: string | null;
}

export const NO_PREVIOUS_RENDER: PreviousRender = { records: new Map(), body: null, from: null, dir: null };

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Libraries whose version can change the bytes written. */
const OUTPUT_LIBRARIES = ['handlebars', 'js-yaml', 'yaml'];

let engine: string | undefined;

/** sha256 of meshrender's code (generator/), templates, package.json and the versions of the libraries that shape its output. */
export function engineDigest(): string {
  if (engine !== undefined) return engine;
  const require = createRequire(import.meta.url);
  const libraries = OUTPUT_LIBRARIES.map((lib) => `${lib}@${(require(`${lib}/package.json`) as { version: string }).version}`);
  engine = packageDigest(PACKAGE_ROOT, libraries);
  return engine;
}

/** sha256 over a package's package.json and every file under generator/ and templates/ (names and bytes), and `extra`. */
export function packageDigest(root: string, extra: readonly string[] = []): string {
  const h = createHash('sha256');
  const files = ['generator', 'templates'].flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name)),
  );
  for (const file of [join(root, 'package.json'), ...files.sort()]) {
    h.update(`${relative(root, file)}\0`).update(readFileSync(file)).update('\0');
  }
  for (const e of extra) h.update(`${e}\0`);
  return h.digest('hex');
}

/** The part of every cluster's digest that is the same across a mesh: meshrender, the mesh name and its Istio releases. */
export function meshInputBase(mesh: string, releases: ReadonlyMap<string, IstioRelease>): string {
  const h = createHash('sha256').update(`${engineDigest()}\0${mesh}\0`);
  for (const version of [...releases.keys()].sort()) {
    const r = releases.get(version)!;
    h.update(`${version}\0`).update(r.crds).update('\0');
    for (const name of [...r.discoveryFiles.keys()].sort()) h.update(`${name}\0`).update(r.discoveryFiles.get(name)!).update('\0');
  }
  return h.digest('hex');
}

/**
 * The input digest of one cluster. Contexts are plain data (test/unit/inputs.test.ts checks every
 * planner's), so their JSON is a faithful record of them.
 */
export function clusterInputDigest(base: string, units: readonly RenderUnit[], references: References): string {
  const h = createHash('sha256').update(base);
  hashUnits(h, units);
  for (const dir of [...references.keys()].sort()) h.update(JSON.stringify([dir, references.get(dir)]));
  return h.digest('hex');
}

function hashUnits(h: Hash, units: readonly RenderUnit[]): void {
  for (const u of units) h.update(JSON.stringify([u.dir, u.component, u.layer, u.templates.map((t) => t.source), u.context]));
}

/** The key of the mesh-level files (shared/, the GitOps entry points, the README) among the clusters' input digests: never a cluster name. */
export const MESH_LEVEL = '(mesh)';

/**
 * The input digest of the mesh-level files: the units and release documents under shared/, the
 * whole resolved topology (the GitOps files and the README picture are drawn from it) and the layer
 * kustomizations the clusters have, which the GitOps files list.
 */
export function meshLevelInputDigest(base: string, units: readonly RenderUnit[], shared: readonly SharedDocuments[], topology: Topology, layerKustomizations: Iterable<string>): string {
  const h = createHash('sha256').update(base).update(`\0${MESH_LEVEL}\0`);
  hashUnits(h, units);
  for (const d of shared) h.update(JSON.stringify([d.dir, d.source])).update(d.text);
  h.update(JSON.stringify(topology));
  h.update(JSON.stringify([...layerKustomizations].sort()));
  return h.digest('hex');
}
