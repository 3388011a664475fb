/**
 * Offline validation of every rendered object: the schema of its kind (kubernetes-models and friends),
 * strict unknown-field checks for Istio kinds against the release's CRDs, and the API server's
 * naming rules. Findings point into the rendered file: `<path>:line:col: error: ...`.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import { isPlainObject } from '../yaml/canonical.ts';
import { displayPath, pointerToPath, positionOf } from '../yaml/positions.ts';
import { nameErrors } from './names.ts';
import { modelErrors, type CrdSchemas, type SchemaError } from './schemas.ts';

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
}

export async function validateRenderedFiles(files: ReadonlyMap<string, string>, opts: ValidationOptions): Promise<ValidationReport> {
  const diagnostics: Diagnostic[] = [];
  const unknownKinds = new Set<string>();
  let objects = 0;
  for (const [path, text] of files) {
    if (!path.endsWith('.yaml') || path.endsWith('kustomization.yaml')) continue;
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter });
    const file = `${opts.displayPrefix}${path}`;
    if (document.errors.length > 0) {
      diagnostics.push({ file, severity: 'error', message: `does not parse as YAML: ${document.errors[0]!.message.split('\n')[0]}` });
      continue;
    }
    const obj = document.toJS() as unknown;
    if (!isPlainObject(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      diagnostics.push({ file, severity: 'error', message: 'is not a Kubernetes object (apiVersion and kind are required)' });
      continue;
    }
    objects++;
    const found: SchemaError[] = [...nameErrors(obj)];
    const model = await modelErrors(obj);
    const crd = opts.crds.errors(obj);
    if (model) found.push(...model);
    if (crd) found.push(...crd.filter((e) => !found.some((f) => f.pointer === e.pointer && f.message === e.message)));
    if (!model && !crd) unknownKinds.add(`${obj.apiVersion} ${obj.kind}`);
    for (const e of found) {
      const path = pointerToPath(e.pointer, obj);
      const where = path.length > 0 ? `${displayPath(path)}: ` : '';
      const pos = positionOf({ document, lineCounter }, path);
      diagnostics.push({ file, severity: 'error', message: `${obj.kind} ${String((obj.metadata as { name?: string })?.name)}: ${where}${e.message}`, ...(pos ? { pos } : {}) });
    }
  }
  return { diagnostics, objects, unknownKinds: [...unknownKinds].sort() };
}
