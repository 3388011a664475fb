/**
 * Where the schema of a rendered object comes from:
 * - the model classes of kubernetes-models (Kubernetes) and its Istio, Argo CD, Flux, cert-manager
 *   and External Secrets packages, which check types, enums, formats and required fields;
 * - for those kinds, strict JSON Schemas generated from the same packages (kinds/, see kinds.ts), which
 *   add what the model classes do not check: unknown fields are errors;
 * - for Istio kinds, the release's own CRD schemas, compiled strictly (unknown fields are errors, as
 *   the API server prunes them), so the check follows the Istio version the cluster runs.
 * Schemas are compiled on first use and kept for the process: one kind costs its compilation once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { compareVersions, type IstioRelease } from '../istio/release.ts';
import { isPlainObject } from '../yaml/canonical.ts';
import { KINDS_DIR, kubeconformFileName } from './kinds.ts';

export interface SchemaError {
  /** JSON pointer into the object. */
  pointer: string;
  message: string;
  /** The pointer names a field that should not be there: point at its key, not its value. */
  atKey?: boolean;
}

/** One compiler for every schema: compiled validators are cached by schema object. */
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

function toSchemaErrors(errors: readonly ErrorObject[] | null | undefined): SchemaError[] {
  return (errors ?? []).map((er) => ({ pointer: pointerOf(er), message: describeAjv(er), ...(er.keyword === 'additionalProperties' ? { atKey: true } : {}) }));
}

type ModelClass = new (data: unknown) => { validate(): void };

/** apiVersion group → package and directory of its model classes. */
export function modelModule(apiVersion: string): string | null {
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
    return toSchemaErrors(errors);
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

const kindSchemas = new Map<string, Record<string, unknown> | null>();

/**
 * The committed strict schema of a Kubernetes, Argo CD, Flux, External Secrets or cert-manager kind
 * (kinds/<kubeconform name>.json), or null when meshrender has none for it.
 */
export function kindSchema(apiVersion: string, kind: string): Record<string, unknown> | null {
  const key = `${apiVersion}/${kind}`;
  if (!kindSchemas.has(key)) {
    const file = join(KINDS_DIR, kubeconformFileName(apiVersion, kind));
    let schema: Record<string, unknown> | null = null;
    if (existsSync(file)) {
      const s = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      // kubeconform's names drop all but the first label of the group: check it is this kind.
      const gvk = (s['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined)?.[0];
      if (gvk && (gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version) === apiVersion && gvk.kind === kind) schema = s;
    }
    kindSchemas.set(key, schema);
  }
  return kindSchemas.get(key)!;
}

const kindValidators = new Map<string, ValidateFunction>();

/**
 * Unknown fields of a Kubernetes, Argo CD, Flux, External Secrets or cert-manager object, from its
 * strict schema; null when there is none. Only unknown fields: the model classes report the rest.
 */
export function unknownFieldErrors(obj: Record<string, unknown>): SchemaError[] | null {
  const apiVersion = String(obj.apiVersion);
  const kind = String(obj.kind);
  const schema = kindSchema(apiVersion, kind);
  if (!schema) return null;
  const key = `${apiVersion}/${kind}`;
  let v = kindValidators.get(key);
  if (!v) kindValidators.set(key, (v = ajv.compile(schema)));
  if (v(obj)) return [];
  return toSchemaErrors((v.errors ?? []).filter((er) => er.keyword === 'additionalProperties'));
}

/** Parsed and converted CRDs by text, and compiled validators by schema: shared by every mesh. */
const crdCache = new Map<string, Map<string, Record<string, unknown>>>();
const crdValidators = new WeakMap<object, ValidateFunction>();

/** The strict JSON Schema of every kind and version a CRD text (one or many documents) defines, by "group/version/Kind". */
export function crdSchemasOf(text: string): Map<string, Record<string, unknown>> {
  let out = crdCache.get(text);
  if (out) return out;
  out = new Map();
  for (const doc of loadAll(text, undefined, { schema: CORE_SCHEMA })) {
    const crd = doc as Record<string, any> | null;
    if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
    for (const v of crd.spec?.versions ?? []) {
      const schema = v.schema?.openAPIV3Schema;
      if (!schema) continue;
      const key = `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`;
      if (!out.has(key)) out.set(key, strictSchema(schema, true) as Record<string, unknown>);
    }
  }
  crdCache.set(text, out);
  return out;
}

/** Strict validators of the release's CRDs: group/version/kind → schema, compiled on first use. */
export class CrdSchemas {
  private readonly schemas = new Map<string, Record<string, unknown>>();

  /** The CRDs of several releases: where two define a kind, the newest release's schema wins (its CRDs are the ones applied). */
  static fromReleases(releases: Iterable<IstioRelease>): CrdSchemas {
    const s = new CrdSchemas();
    for (const r of [...releases].sort((a, b) => compareVersions(b.version, a.version))) s.addCrdText(r.crds);
    return s;
  }

  /** Adds the kinds a CRD text defines; kinds already known keep their schema. */
  addCrdText(text: string): void {
    for (const [key, schema] of crdSchemasOf(text)) if (!this.schemas.has(key)) this.schemas.set(key, schema);
  }

  /** Every kind known, as "group/version/Kind" → strict JSON Schema. */
  entries(): IterableIterator<[string, Record<string, unknown>]> {
    return this.schemas.entries();
  }

  errors(obj: Record<string, unknown>): SchemaError[] | null {
    const schema = this.schemas.get(`${obj.apiVersion}/${obj.kind}`);
    if (!schema) return null;
    let v = crdValidators.get(schema);
    if (!v) crdValidators.set(schema, (v = ajv.compile(schema)));
    if (v(obj)) return [];
    return toSchemaErrors(v.errors);
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
