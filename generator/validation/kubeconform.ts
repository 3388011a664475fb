/**
 * `--kubeconform`: runs a `kubeconform` binary found on the PATH over rendered trees, with the schemas
 * of `meshrender schemas export` in a temporary directory, so its verdict is offline and the same
 * schemas as meshrender's own checks. Its findings are reported as it gives them (attributed to it),
 * pointed into the rendered files; when the binary is absent, a note says so and nothing is run.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import { isPlainObject } from '../yaml/canonical.ts';
import { displayPath, pointerToPath, positionOf } from '../yaml/positions.ts';
import { exportSchemas } from './export.ts';
import type { CrdSchemas } from './schemas.ts';

/** kubeconform's own template for a schema file name. */
export const SCHEMA_FILE_TEMPLATE = '{{ .ResourceKind }}{{ .KindSuffix }}.json';

/** kustomize's own files are not Kubernetes objects. */
export const IGNORED_FILES = '(^|/)kustomization\\.yaml$';

/** The kubeconform executable on a PATH, or null. */
export function findKubeconform(pathEnv: string | undefined = process.env.PATH): string | null {
  for (const d of (pathEnv ?? '').split(delimiter)) {
    if (!d) continue;
    const candidate = join(d, 'kubeconform');
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export const KUBECONFORM_ABSENT = 'kubeconform not found on PATH: --kubeconform skipped';

export interface KubeconformTree {
  /** Name shown in notes (the mesh). */
  name: string;
  /** Files of the tree by path relative to its root. */
  files: ReadonlyMap<string, string>;
  /** Directory holding the tree on disk, if it is there; otherwise it is written to a temporary one. */
  dir: string | null;
  /** Prefix of the paths shown in findings, e.g. "out/primary-remote/". */
  displayPrefix: string;
  /** Schemas of the Istio kinds the tree uses. */
  crds: CrdSchemas;
}

export interface KubeconformReport {
  diagnostics: Diagnostic[];
  notes: string[];
}

interface KubeconformResource {
  filename?: string;
  kind?: string;
  name?: string;
  version?: string;
  status?: string;
  msg?: string;
  validationErrors?: { path?: string; msg?: string }[];
}

/** The arguments meshrender passes: always strict, with a summary, and a local schema location only. */
export function kubeconformArgs(schemaDir: string, treeDir: string): string[] {
  return ['-strict', '-summary', '-output', 'json', '-schema-location', join(schemaDir, SCHEMA_FILE_TEMPLATE), '-ignore-filename-pattern', IGNORED_FILES, treeDir];
}

/** Runs kubeconform over each tree; `binary` null means it is absent (one note, nothing run). */
export function runKubeconform(trees: readonly KubeconformTree[], binary: string | null): KubeconformReport {
  if (!binary) return { diagnostics: [], notes: [KUBECONFORM_ABSENT] };
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'meshrender-kubeconform-'));
  try {
    trees.forEach((tree, i) => {
      const schemaDir = join(work, `schemas-${i}`);
      exportSchemas(schemaDir, tree.crds);
      let treeDir = tree.dir;
      if (!treeDir) {
        treeDir = join(work, `tree-${i}`);
        for (const [p, text] of tree.files) {
          mkdirSync(dirname(join(treeDir, p)), { recursive: true });
          writeFileSync(join(treeDir, p), text);
        }
      }
      const r = spawnSync(binary, kubeconformArgs(schemaDir, treeDir), { encoding: 'utf8', maxBuffer: 1 << 28 });
      const where = `${tree.displayPrefix}`;
      if (r.error) {
        diagnostics.push({ file: where, severity: 'error', message: `kubeconform could not be run: ${r.error.message}` });
        return;
      }
      const parsed = parseReport(r.stdout);
      if (!parsed) {
        const said = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(0, 5).join(' | ');
        diagnostics.push({ file: where, severity: 'error', message: `kubeconform exited ${r.status} without a JSON report: ${said || '(no output)'}` });
        return;
      }
      for (const res of parsed.resources) diagnostics.push(...findings(res, tree, treeDir));
      const s = parsed.summary;
      notes.push(
        s
          ? `${tree.name}: kubeconform: ${s.valid ?? 0} valid, ${s.invalid ?? 0} invalid, ${s.errors ?? 0} errors, ${s.skipped ?? 0} skipped`
          : `${tree.name}: kubeconform exited ${r.status}`,
      );
      if (r.status !== 0 && parsed.resources.length === 0) {
        diagnostics.push({ file: where, severity: 'error', message: `kubeconform exited ${r.status}: ${r.stderr.trim().split('\n')[0] ?? ''}` });
      }
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { diagnostics, notes };
}

interface KubeconformJson {
  resources: KubeconformResource[];
  summary?: Record<string, number>;
}

function parseReport(stdout: string): KubeconformJson | null {
  try {
    const j = JSON.parse(stdout) as unknown;
    return isPlainObject(j) && Array.isArray(j.resources) ? (j as unknown as KubeconformJson) : null;
  } catch {
    return null;
  }
}

/** One diagnostic per validation error of a resource (or one for the resource), pointed into its file. */
function findings(res: KubeconformResource, tree: KubeconformTree, treeDir: string): Diagnostic[] {
  if (res.status === 'statusValid' || res.status === 'statusSkipped') return [];
  const filename = res.filename ?? '';
  const rel = (isAbsolute(filename) ? relative(treeDir, filename) : relative(treeDir, join(process.cwd(), filename))).split(sep).join('/');
  const inTree = !rel.startsWith('..') && tree.files.has(rel);
  const file = inTree ? `${tree.displayPrefix}${rel}` : filename;
  const what = [res.kind, res.name].filter(Boolean).join(' ');
  const errors = res.validationErrors && res.validationErrors.length > 0 ? res.validationErrors : [{ path: '', msg: res.msg ?? res.status ?? 'invalid' }];
  return errors.map((e) => {
    const located = inTree ? locate(tree.files.get(rel)!, res, e.path ?? '') : null;
    return {
      file,
      severity: 'error' as const,
      message: `kubeconform: ${what ? `${what}: ` : ''}${located?.where ?? (e.path ? `${e.path}: ` : '')}${e.msg ?? ''}`,
      ...(located?.pos ? { pos: located.pos } : {}),
    };
  });
}

/** The position of a JSON pointer in the document of the file that holds the resource. */
function locate(text: string, res: KubeconformResource, pointer: string): { where: string; pos?: { line: number; col: number } } | null {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  if (!Array.isArray(docs) || docs.length === 0) return null;
  const document =
    docs.find((d) => {
      const o = d.toJS() as unknown;
      return isPlainObject(o) && o.kind === res.kind && isPlainObject(o.metadata) && o.metadata.name === res.name;
    }) ?? docs[0]!;
  const path = pointerToPath(pointer, document.toJS());
  const pos = positionOf({ document, lineCounter }, path);
  return { where: path.length > 0 ? `${displayPath(path)}: ` : '', ...(pos ? { pos } : {}) };
}
