/**
 * Offline validation of every rendered object: the schema of its kind (kubernetes-models and friends),
 * strict unknown-field checks (Istio kinds against the release's CRDs, other kinds against the strict
 * schemas generated from kubernetes-models), and the API server's naming rules. Findings point into
 * the rendered file: `<path>:line:col: error: ...`, at the key itself for an unknown field.
 */
import { CORE_SCHEMA, load } from 'js-yaml';
import { LineCounter, parseDocument } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import { isPlainObject } from '../yaml/canonical.ts';
import { displayPath, ownerKeyPositionOf, pointerToPath, positionOf, type Located } from '../yaml/positions.ts';
import { nameErrors } from './names.ts';
import { modelErrors, unknownFieldErrors, type CrdSchemas, type SchemaError } from './schemas.ts';

export interface ValidationOptions {
  crds: CrdSchemas;
  /** Prefix of the paths shown in findings, e.g. "out/primary-remote/". */
  displayPrefix: string;
}

export interface ValidationReport {
  diagnostics: Diagnostic[];
  objects: number;
  /** Kinds no schema knows (reported as warnings). */
  unknownKinds: string[];
  /** Kinds checked without a strict layer, so unknown fields go unnoticed (add them to STRICT_KINDS). */
  notStrict: string[];
}

export async function validateRenderedFiles(files: ReadonlyMap<string, string>, opts: ValidationOptions): Promise<ValidationReport> {
  const diagnostics: Diagnostic[] = [];
  const unknownKinds = new Set<string>();
  const notStrict = new Set<string>();
  let objects = 0;
  for (const [path, text] of files) {
    if (!path.endsWith('.yaml') || path.endsWith('kustomization.yaml')) continue;
    const file = `${opts.displayPrefix}${path}`;
    // js-yaml reads fast; positions need the yaml library's document, made only for files with findings.
    let parsed: Located | null = null;
    const located = (): Located => {
      if (!parsed) {
        const lineCounter = new LineCounter();
        parsed = { document: parseDocument(text, { lineCounter }), lineCounter };
      }
      return parsed;
    };
    let obj: unknown;
    try {
      obj = load(text, { schema: CORE_SCHEMA });
    } catch {
      const { document } = located();
      if (document.errors.length > 0) {
        diagnostics.push({ file, severity: 'error', message: `does not parse as YAML: ${document.errors[0]!.message.split('\n')[0]}` });
        continue;
      }
      obj = document.toJS();
    }
    if (!isPlainObject(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      diagnostics.push({ file, severity: 'error', message: 'is not a Kubernetes object (apiVersion and kind are required)' });
      continue;
    }
    objects++;
    const found: SchemaError[] = [...nameErrors(obj)];
    const model = await modelErrors(obj);
    const crd = opts.crds.errors(obj);
    const strict = crd ? null : unknownFieldErrors(obj);
    if (model) found.push(...model);
    for (const e of [...(crd ?? []), ...(strict ?? [])]) if (!found.some((f) => f.pointer === e.pointer && f.message === e.message)) found.push(e);
    if (!model && !crd) unknownKinds.add(`${obj.apiVersion} ${obj.kind}`);
    else if (!crd && !strict) notStrict.add(`${obj.apiVersion} ${obj.kind}`);
    for (const e of found) {
      const path = pointerToPath(e.pointer, obj);
      const where = path.length > 0 ? `${displayPath(path)}: ` : '';
      const pos = e.atKey ? ownerKeyPositionOf(located(), path) : positionOf(located(), path);
      diagnostics.push({ file, severity: 'error', message: `${obj.kind} ${String((obj.metadata as { name?: string })?.name)}: ${where}${e.message}`, ...(pos ? { pos } : {}) });
    }
  }
  return { diagnostics, objects, unknownKinds: [...unknownKinds].sort(), notStrict: [...notStrict].sort() };
}
