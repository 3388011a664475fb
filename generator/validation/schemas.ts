/**
 * Where the schema of a rendered object comes from:
 * - the model classes of kubernetes-models (Kubernetes) and its Istio, Argo CD, Flux, cert-manager
 *   and External Secrets packages, which check types, enums, formats and required fields;
 * - for Istio kinds, the release's own CRD schemas, compiled strictly (unknown fields are errors, as
 *   the API server prunes them), so the check follows the Istio version the cluster runs.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import type { IstioRelease } from '../istio/release.ts';
import { isPlainObject } from '../yaml/canonical.ts';

export interface SchemaError {
  /** JSON pointer into the object. */
  pointer: string;
  message: string;
}

type ModelClass = new (data: unknown) => { validate(): void };

/** apiVersion group → package and directory of its model classes. */
function modelModule(apiVersion: string): string | null {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}`;
  if (group!.endsWith('.istio.io')) return `@kubernetes-models/istio/${group}/${version}`;
  if (group === 'argoproj.io') return `@kubernetes-models/argo-cd/${group}/${version}`;
  if (group!.endsWith('.toolkit.fluxcd.io')) return `@kubernetes-models/flux-cd/${group}/${version}`;
  if (group === 'external-secrets.io') return `@kubernetes-models/external-secrets/${group}/${version}`;
  if (group!.endsWith('cert-manager.io')) return `@kubernetes-models/cert-manager/${group}/${version}`;
  if (!group!.includes('.') || group!.endsWith('.k8s.io')) return `kubernetes-models/${group}/${version}`;
  return null;
}

const modelCache = new Map<string, Record<string, unknown> | null>();

/** The model class for an apiVersion and kind, or null when no package knows it. */
export async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | null> {
  const mod = modelModule(apiVersion);
  if (!mod) return null;
  if (!modelCache.has(mod)) {
    try {
      modelCache.set(mod, (await import(mod)) as Record<string, unknown>);
    } catch {
      modelCache.set(mod, null);
    }
  }
  const exports = modelCache.get(mod);
  const cls = exports?.[kind];
  return typeof cls === 'function' ? (cls as ModelClass) : null;
}

/** Validates with the model class; errors carry JSON pointers. */
export async function modelErrors(obj: Record<string, unknown>): Promise<SchemaError[] | null> {
  const cls = await modelClass(String(obj.apiVersion), String(obj.kind));
  if (!cls) return null;
  try {
    new cls(obj).validate();
    return [];
  } catch (e) {
    const errors = (e as { errors?: ErrorObject[] }).errors;
    if (!errors) return [{ pointer: '', message: (e as Error).message }];
    return errors.map((er) => ({ pointer: pointerOf(er), message: describeAjv(er) }));
  }
}

/** Unknown fields are reported at the field itself, not at the object that holds it. */
function pointerOf(er: ErrorObject): string {
  if (er.keyword === 'additionalProperties') return `${er.instancePath}/${String(er.params.additionalProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return er.instancePath;
}

function describeAjv(er: ErrorObject): string {
  if (er.keyword === 'required') return `missing required field ${JSON.stringify(er.params.missingProperty)}`;
  if (er.keyword === 'enum') return `must be one of ${(er.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (er.keyword === 'additionalProperties') return `unknown field ${JSON.stringify(er.params.additionalProperty)}; the API server would drop it`;
  return er.message ?? er.keyword;
}

/** Strict validators of the release's CRDs: group/version/kind → validate function. */
export class CrdSchemas {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

  static fromReleases(releases: Iterable<IstioRelease>): CrdSchemas {
    const s = new CrdSchemas();
    for (const r of releases) s.addCrdText(r.crds);
    return s;
  }

  addCrdText(text: string): void {
    const docs = parseAllDocuments(text);
    for (const d of Array.isArray(docs) ? docs : [docs]) {
      const crd = d.toJS() as Record<string, any> | null;
      if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec?.versions ?? []) {
        const schema = v.schema?.openAPIV3Schema;
        if (!schema) continue;
        const key = `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`;
        if (this.validators.has(key)) continue;
        this.validators.set(key, this.ajv.compile(strictSchema(schema, true) as object));
      }
    }
  }

  errors(obj: Record<string, unknown>): SchemaError[] | null {
    const v = this.validators.get(`${obj.apiVersion}/${obj.kind}`);
    if (!v) return null;
    if (v(obj)) return [];
    return (v.errors ?? []).map((er) => ({ pointer: pointerOf(er), message: describeAjv(er) }));
  }
}

/**
 * An OpenAPI v3 structural schema as strict JSON Schema: objects with listed properties allow no
 * others unless they preserve unknown fields; Kubernetes extensions become plain JSON Schema.
 */
export function strictSchema(node: unknown, root = false): unknown {
  if (Array.isArray(node)) return node.map((n) => strictSchema(n));
  if (!isPlainObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'x-kubernetes-int-or-string') continue;
    if (k.startsWith('x-kubernetes-') || k === 'description' || k === 'nullable') continue;
    if (k === 'properties' && isPlainObject(v)) out.properties = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strictSchema(s)]));
    else if (k === 'format') continue;
    else out[k] = strictSchema(v);
  }
  if (node['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.type === 'object' && isPlainObject(out.properties) && out.additionalProperties === undefined && !preserve) {
    out.additionalProperties = false;
  }
  if (root && isPlainObject(out.properties)) {
    // apiVersion, kind and metadata are validated by the API server itself, not the CRD schema.
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(out.properties as object) };
  }
  return out;
}
