/**
 * validate: LoadedTopology → WrittenTopology.
 * Checks the document against schemas/topology.schema.json (JSON Schema 2020-12, every error collected)
 * before any default is filled, so each message points at the user's own key. Unknown keys are errors
 * with a "did you mean" when a known key is close. Afterwards the data has the shape of WrittenTopology.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../diagnostics.ts';
import { TopologyInvalidError } from '../errors.ts';
import type { LoadedTopology, WrittenTopology } from '../types.ts';
import { didYouMean } from '../util/did-you-mean.ts';
import {
  displayPath,
  keyPositionOf,
  ownerKeyPositionOf,
  pointerToPath,
  positionOf,
  type PathSegment,
} from '../yaml/positions.ts';

export const SCHEMA_PATH = fileURLToPath(new URL('../../schemas/topology.schema.json', import.meta.url));

let compiled: ValidateFunction | undefined;

/** The topology JSON Schema as an object. */
export function topologySchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
}

function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
    ajv.addVocabulary(['x-hint']);
    compiled = ajv.compile(topologySchema());
  }
  return compiled;
}

export function validateTopology(loaded: LoadedTopology): WrittenTopology {
  const diagnostics = schemaDiagnostics(loaded);
  if (diagnostics.length > 0) {
    throw new TopologyInvalidError(`${loaded.file}: the topology does not match the schema`, diagnostics);
  }
  return { ...(loaded.data as Omit<WrittenTopology, 'loaded'>), loaded };
}

/** Every schema violation of a loaded topology, one diagnostic each, positioned at the user's key. */
export function schemaDiagnostics(loaded: LoadedTopology): Diagnostic[] {
  const validate = schemaValidator();
  if (validate(loaded.data)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  // A misspelt required key is reported once, as the unknown key with its "did you mean".
  const misspelt = new Set(
    errors
      .filter((e) => e.keyword === 'additionalProperties')
      .map((e) => {
        const known = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
        return `${e.instancePath}|${didYouMean(String(e.params.additionalProperty), known)}`;
      }),
  );
  for (const err of errors) {
    if (err.keyword === 'required' && misspelt.has(`${err.instancePath}|${String(err.params.missingProperty)}`)) continue;
    const d = toDiagnostic(loaded, err);
    if (!d) continue;
    const key = `${d.pos?.line}:${d.pos?.col}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function toDiagnostic(loaded: LoadedTopology, err: ErrorObject): Diagnostic | undefined {
  // Wrapper keywords only repeat what their inner errors already say.
  if (['if', 'allOf', 'anyOf', 'oneOf', 'propertyNames', 'then'].includes(err.keyword)) return undefined;
  const path = pointerToPath(err.instancePath, loaded.data);
  const where = displayPath(path);
  const hint = (err.parentSchema as { 'x-hint'?: string } | undefined)?.['x-hint'];
  const base = { file: loaded.file, severity: 'error' as const };
  const propertyName = (err as ErrorObject & { propertyName?: string }).propertyName;

  if (propertyName !== undefined) {
    return {
      ...base,
      pos: keyPositionOf(loaded, path, propertyName),
      message: `key ${JSON.stringify(propertyName)} in ${where} is not ${hint ?? 'a valid name'}`,
    };
  }

  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(err.params.additionalProperty);
      const known = Object.keys((err.parentSchema as { properties?: object })?.properties ?? {});
      const guess = didYouMean(key, known);
      const fix = guess
        ? `did you mean ${JSON.stringify(guess)}?`
        : known.length > 0
          ? `known keys: ${known.join(', ')}`
          : 'this mapping takes no keys';
      return { ...base, pos: keyPositionOf(loaded, path, key), message: `unknown key ${JSON.stringify(key)} in ${where}; ${fix}` };
    }
    case 'required': {
      const missing = String(err.params.missingProperty);
      const forRole = roleCondition(err, loaded.data, path);
      return {
        ...base,
        pos: ownerKeyPositionOf(loaded, path),
        message: `${where} is missing the required key ${JSON.stringify(missing)}${forRole}`,
      };
    }
    case 'const':
      return { ...base, pos: positionOf(loaded, path), message: `${where} must be ${JSON.stringify(err.params.allowedValue)}` };
    case 'enum': {
      const allowed = (err.params.allowedValues as unknown[]).map(String);
      const got = valueAt(loaded.data, path);
      const guess = typeof got === 'string' ? didYouMean(got, allowed) : null;
      return {
        ...base,
        pos: positionOf(loaded, path),
        message: `${where} must be one of ${allowed.join(', ')}, not ${JSON.stringify(got)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ''}`,
      };
    }
    case 'type': {
      const got = valueAt(loaded.data, path);
      return {
        ...base,
        pos: positionOf(loaded, path),
        message: `${where} must be ${article(String(err.params.type))}, not ${describe(got)}`,
      };
    }
    case 'pattern':
    case 'format': {
      const got = valueAt(loaded.data, path);
      return {
        ...base,
        pos: positionOf(loaded, path),
        message: `${where} is ${JSON.stringify(got)}, which is not ${hint ?? `valid (${err.message})`}`,
      };
    }
    case 'maxLength':
    case 'minLength':
      return {
        ...base,
        pos: positionOf(loaded, path),
        message: `${where} must have ${err.keyword === 'maxLength' ? 'at most' : 'at least'} ${err.params.limit} characters${hint ? `: ${hint}` : ''}`,
      };
    case 'minItems':
      return { ...base, pos: ownerKeyPositionOf(loaded, path), message: `${where} must list at least ${count(Number(err.params.limit), 'item')}` };
    case 'minProperties':
      return { ...base, pos: ownerKeyPositionOf(loaded, path), message: `${where} must have at least ${count(Number(err.params.limit), 'entry', 'entries')}` };
    case 'uniqueItems':
      return {
        ...base,
        pos: positionOf(loaded, [...path, Number(err.params.i)]),
        message: `${where} lists ${JSON.stringify(valueAt(loaded.data, [...path, Number(err.params.i)]))} twice; list each item once`,
      };
    case 'minimum':
    case 'maximum':
      return {
        ...base,
        pos: positionOf(loaded, path),
        message: `${where} must be ${err.keyword === 'minimum' ? 'at least' : 'at most'} ${err.params.limit}`,
      };
    default:
      return { ...base, pos: positionOf(loaded, path), message: `${where} ${err.message ?? 'is invalid'}` };
  }
}

/** " (a remote cluster needs it)" when a required key comes from a role-specific branch. */
function roleCondition(err: ErrorObject, data: unknown, path: readonly PathSegment[]): string {
  if (!err.schemaPath.includes('/then/')) return '';
  const role = valueAt(data, [...path, 'role']);
  if (typeof role === 'string') return ` (a cluster with role ${role} needs it)`;
  const hint = (err.parentSchema as { 'x-hint'?: string } | undefined)?.['x-hint'];
  return hint ? ` (${hint})` : '';
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

function article(type: string): string {
  const t = type.split(',').join(' or ');
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? `one ${one}` : `${n} ${many}`;
}
