/** `meshrender validate --rendered DIR`: validates trees on disk, as render --validate does in memory. */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
import { UsageError } from '../errors.ts';
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

export async function validateRenderedDir(dir: string, opts: { kustomize: boolean }): Promise<RenderedCheck> {
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  for (const mesh of meshDirs(dir)) {
    const files = readTree(mesh);
    // The tree's own shared CRDs are the strict schemas of its Istio kinds.
    const crds = new CrdSchemas();
    for (const [p, text] of files) if (p.startsWith('shared/') && p.includes('/crds/') && !p.endsWith('kustomization.yaml')) crds.addCrdText(text);
    const report = await validateRenderedFiles(files, { crds, displayPrefix: `${mesh}/` });
    diagnostics.push(...report.diagnostics);
    notes.push(`${mesh}: ${report.objects} objects checked${report.unknownKinds.length ? `; no schema for ${report.unknownKinds.join(', ')}` : ''}`);
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
  return { diagnostics, notes };
}
