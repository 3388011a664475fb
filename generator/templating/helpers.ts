/**
 * The only way topology values reach a template's output. Each helper emits a YAML-safe token:
 * a JSON-quoted scalar (a valid YAML double-quoted string), a number, a boolean, or a whole block
 * serialised by the yaml library. A value with a newline or ": " can therefore never add keys.
 * Helpers reject undefined, so a misspelt context key fails the render instead of emitting nothing.
 */
import { stringifyPlain } from '../yaml/canonical.ts';

type HelperOptions = { name?: string; hash?: Record<string, unknown> };

function need(helper: string, value: unknown): void {
  if (value === undefined) throw new Error(`{{${helper}}} got an undefined value: the template names a key the context does not have`);
}

/** {{str x}}: a string as a JSON-quoted YAML scalar. */
function str(value: unknown): string {
  need('str', value);
  if (typeof value !== 'string') throw new Error(`{{str}} expects a string, got ${JSON.stringify(value)}`);
  return JSON.stringify(value);
}

/** {{quote x}}: a string, number or boolean, quoted as a string (label values, env values). */
function quote(value: unknown): string {
  need('quote', value);
  if (!['string', 'number', 'boolean'].includes(typeof value)) throw new Error(`{{quote}} expects a scalar, got ${JSON.stringify(value)}`);
  return JSON.stringify(String(value));
}

/** {{int x}}: an integer. */
function int(value: unknown): string {
  need('int', value);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`{{int}} expects an integer, got ${JSON.stringify(value)}`);
  return String(value);
}

/** {{bool x}}: true or false. */
function bool(value: unknown): string {
  need('bool', value);
  if (typeof value !== 'boolean') throw new Error(`{{bool}} expects a boolean, got ${JSON.stringify(value)}`);
  return String(value);
}

/** {{json x}}: any value as one line of JSON, which YAML reads as a flow collection or scalar. */
function json(value: unknown): string {
  need('json', value);
  return JSON.stringify(value);
}

/**
 * {{yaml x 4}}: a value as a YAML block, every line indented by the given number of spaces.
 * Put it on a line of its own, after the key it belongs to.
 */
function yaml(value: unknown, indent: unknown): string {
  need('yaml', value);
  if (typeof indent !== 'number' || !Number.isInteger(indent) || indent < 0) throw new Error('{{yaml}} needs an indent: {{yaml value 4}}');
  // Planners share frozen context objects between clusters (RBAC rules, injection templates):
  // emit each object once per indentation.
  const cacheable = typeof value === 'object' && value !== null && Object.isFrozen(value);
  const byIndent = cacheable ? yamlCache.get(value) : undefined;
  const hit = byIndent?.get(indent);
  if (hit !== undefined) return hit;
  const pad = ' '.repeat(indent);
  const out = stringifyPlain(value)
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
  if (cacheable) {
    if (byIndent) byIndent.set(indent, out);
    else yamlCache.set(value, new Map([[indent, out]]));
  }
  return out;
}

const yamlCache = new WeakMap<object, Map<number, string>>();

function eq(a: unknown, b: unknown): boolean {
  need('eq', a);
  need('eq', b);
  return a === b;
}

function ne(a: unknown, b: unknown): boolean {
  need('ne', a);
  need('ne', b);
  return a !== b;
}

function and(...args: unknown[]): boolean {
  const values = args.slice(0, -1) as unknown[];
  values.forEach((v) => need('and', v));
  return values.every(Boolean);
}

function or(...args: unknown[]): boolean {
  const values = args.slice(0, -1) as unknown[];
  values.forEach((v) => need('or', v));
  return values.some(Boolean);
}

function not(value: unknown, _options?: HelperOptions): boolean {
  need('not', value);
  return !value;
}

export const HELPERS: Record<string, (...args: never[]) => unknown> = { str, quote, int, bool, json, yaml, eq, ne, and, or, not };

/** Helpers that produce output (used by the template lint to tell values from structure). */
export const VALUE_HELPERS = new Set(['str', 'quote', 'int', 'bool', 'json', 'yaml']);
/** Helpers usable only inside block conditions or as subexpressions. */
export const CONDITION_HELPERS = new Set(['eq', 'ne', 'and', 'or', 'not']);
/** Handlebars' own block helpers that templates may use. */
export const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
