/**
 * The one place that fixes the output format. Every byte meshrender writes as YAML goes through here:
 * apiVersion, kind, metadata first (metadata: name, namespace, labels, annotations first), other keys
 * in the order given, no line folding, no anchors, quoting safe for YAML 1.1 readers (kubectl, kustomize),
 * LF line ends and one trailing newline. The emitter itself is in emit.ts.
 */
import { emitYaml } from './emit.ts';

const TOP_KEYS = ['apiVersion', 'kind', 'metadata'];
const METADATA_KEYS = ['name', 'namespace', 'labels', 'annotations'];

/** Serialises one Kubernetes object (or any mapping) canonically. */
export function canonicalYaml(value: unknown): string {
  return stringifyPlain(orderObject(value));
}

/** Serialises a value as canonical YAML without reordering keys (see emit.ts for the format). */
export function stringifyPlain(value: unknown): string {
  return emitYaml(value);
}

/** Returns a copy of a Kubernetes object with its top-level and metadata keys in canonical order. */
export function orderObject(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out = reorder(value, TOP_KEYS);
  if (isPlainObject(out.metadata)) out.metadata = reorder(out.metadata, METADATA_KEYS);
  return out;
}

function reorder(obj: Record<string, unknown>, first: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of first) if (Object.hasOwn(obj, k)) define(out, k, obj[k]);
  for (const [k, v] of Object.entries(obj)) if (!first.includes(k)) define(out, k, v);
  return out;
}

/** Sets a key even when it is "__proto__", without touching the prototype. */
export function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns a copy of a string-keyed map with its keys sorted (Helm sorts map keys the same way). */
export function sortedMap<T>(map: Readonly<Record<string, T>> | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  if (!map) return out;
  for (const k of Object.keys(map).sort()) define(out, k, map[k]);
  return out;
}
