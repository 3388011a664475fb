/**
 * The validation commands: `meshrender validate --rendered DIR` (trees on disk, as render --validate
 * does in memory), `--kubeconform` for both, and `meshrender schemas export DIR`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
import { UsageError } from '../errors.ts';
import { compareVersions } from '../istio/release.ts';
import { checkAndLoad, renderInMemory } from '../pipeline.ts';
import { exportSchemas } from './export.ts';
import { findKubeconform, runKubeconform, type KubeconformTree } from './kubeconform.ts';
import { CrdSchemas } from './schemas.ts';
import { validateRenderedFiles } from './validate-tree.ts';

export interface RenderedCheck {
  diagnostics: Diagnostic[];
  notes: string[];
}

/** The mesh directories under DIR: DIR itself when it holds clusters/, else its subdirectories that do. */
export function meshDirs(dir: string): string[] {
  if (!existsSync(dir)) throw new UsageError(`${dir} does not exist`);
  if (existsSync(join(dir, 'clusters'))) return [dir];
  const out = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && existsSync(join(dir, e.name, 'clusters')))
    .map((e) => join(dir, e.name))
    .sort();
  if (out.length === 0) throw new UsageError(`${dir} holds no rendered mesh (no clusters/ directory)`);
  return out;
}

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(p);
      else if (lstatSync(join(dir, p)).isFile()) out.set(p, readFileSync(join(dir, p), 'utf8'));
    }
  };
  walk('');
  return out;
}

/**
 * The tree's own shared CRDs (shared/istio-<version>/crds/) are the strict schemas of its Istio kinds;
 * where several versions define a kind, the newest wins, as in render --validate.
 */
export function crdsOfTree(files: ReadonlyMap<string, string>): CrdSchemas {
  const crds = new CrdSchemas();
  const versionOf = (p: string) => /^shared\/istio-([^/]+)\//.exec(p)?.[1] ?? '0';
  const paths = [...files.keys()].filter((p) => p.startsWith('shared/') && p.includes('/crds/') && p.endsWith('.yaml') && !p.endsWith('kustomization.yaml'));
  paths.sort((a, b) => compareVersions(versionOf(b), versionOf(a)) || (a < b ? -1 : a > b ? 1 : 0));
  for (const p of paths) crds.addCrdText(files.get(p)!);
  return crds;
}

export async function validateRenderedDir(dir: string, opts: { kustomize: boolean; kubeconform?: boolean }): Promise<RenderedCheck> {
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  const trees: KubeconformTree[] = [];
  for (const mesh of meshDirs(dir)) {
    const files = readTree(mesh);
    const crds = crdsOfTree(files);
    const report = await validateRenderedFiles(files, { crds, displayPrefix: `${mesh}/` });
    diagnostics.push(...report.diagnostics);
    notes.push(
      `${mesh}: ${report.objects} objects checked${report.unknownKinds.length ? `; no schema for ${report.unknownKinds.join(', ')}` : ''}${report.notStrict.length ? `; unknown fields not checked for ${report.notStrict.join(', ')}` : ''}`,
    );
    trees.push({ name: mesh, files, dir: mesh, displayPrefix: `${mesh}/`, crds });
    if (opts.kustomize) {
      const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
      if (kubectl.error || kubectl.status !== 0) {
        notes.push('kubectl not found on PATH: --kustomize skipped');
      } else {
        for (const c of readdirSync(join(mesh, 'clusters')).sort()) {
          const r = spawnSync('kubectl', ['kustomize', join(mesh, 'clusters', c)], { encoding: 'utf8', maxBuffer: 1 << 28 });
          if (r.status !== 0) diagnostics.push({ file: join(mesh, 'clusters', c), severity: 'error', message: `kubectl kustomize fails: ${r.stderr.trim().split('\n')[0]}` });
        }
        notes.push(`${mesh}: kubectl kustomize built every cluster tree it was given`);
      }
    }
  }
  if (opts.kubeconform) {
    const kc = runKubeconform(trees, findKubeconform());
    diagnostics.push(...kc.diagnostics);
    notes.push(...kc.notes);
  }
  return { diagnostics, notes };
}

/**
 * `render --kubeconform`: runs kubeconform over what the topologies render, before anything is
 * written (the trees go to a temporary directory). Renders in memory only when kubeconform is there.
 */
export async function kubeconformTopologies(topologies: readonly string[], istioDist: string | null, outDir: string, binary = findKubeconform()): Promise<RenderedCheck> {
  if (!binary) return runKubeconform([], null);
  const meshes = await renderInMemory(topologies, istioDist);
  const trees = meshes.map((m) => ({
    name: m.topology.name,
    files: m.tree.files,
    dir: null,
    displayPrefix: `${posix.join(outDir, m.topology.name)}/`,
    crds: crdsOfTree(m.tree.files),
  }));
  return runKubeconform(trees, binary);
}

/**
 * `meshrender schemas export DIR [topology..]`: the schemas of every kind meshrender renders; Istio's
 * from the CRDs of the Istio versions the topologies use (the newest where versions differ).
 */
export async function runSchemasExport(dir: string, topologies: readonly string[], istioDist: string | null): Promise<string> {
  const loaded = await checkAndLoad(topologies, istioDist);
  const releases = new Map(loaded.flatMap((m) => [...m.releases.values()].map((r) => [r.version, r] as const)));
  const exported = exportSchemas(dir, CrdSchemas.fromReleases(releases.values()));
  const versions = [...releases.keys()].sort(compareVersions);
  return `${exported.files.length} schemas written to ${dir} (${exported.istioKinds} Istio kinds from Istio ${versions.join(', ')}); use them with kubeconform -strict -schema-location '${join(dir, '{{ .ResourceKind }}{{ .KindSuffix }}.json')}'`;
}
