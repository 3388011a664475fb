/**
 * Finds where a value or key sits in the user's YAML, so diagnostics point at the user's own text.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { SourcePosition } from '../diagnostics.ts';
import type { LoadedTopology } from '../types.ts';

/** Anything parsed with a line counter: a topology, or a rendered file being validated. */
export type Located = Pick<LoadedTopology, 'document' | 'lineCounter'>;

export type PathSegment = string | number;

/** Position of the node at `path`, or of its closest existing ancestor. */
export function positionOf(loaded: Located, path: readonly PathSegment[]): SourcePosition | undefined {
  let node: unknown = loaded.document.contents;
  let pos = rangeStart(loaded, node);
  for (const seg of path) {
    const next = child(node, seg);
    if (next === undefined) break;
    node = next.value;
    pos = rangeStart(loaded, next.value) ?? rangeStart(loaded, next.key) ?? pos;
  }
  return pos;
}

/** Position of the key `key` inside the mapping at `path` (for unknown or misspelled keys). */
export function keyPositionOf(loaded: Located, path: readonly PathSegment[], key: string): SourcePosition | undefined {
  let node: unknown = loaded.document.contents;
  for (const seg of path) {
    const next = child(node, seg);
    if (next === undefined) return positionOf(loaded, path);
    node = next.value;
  }
  if (isMap(node)) {
    const pair = node.items.find((p) => keyString(p) === key);
    if (pair) return rangeStart(loaded, pair.key) ?? positionOf(loaded, path);
  }
  return positionOf(loaded, path);
}

/** Position of the key that holds the value at `path` (for "missing key" messages about a mapping). */
export function ownerKeyPositionOf(loaded: Located, path: readonly PathSegment[]): SourcePosition | undefined {
  if (path.length === 0) return { line: 1, col: 1 };
  const parent = path.slice(0, -1);
  const last = path[path.length - 1]!;
  if (typeof last === 'string') return keyPositionOf(loaded, parent, last);
  return positionOf(loaded, path);
}

function child(node: unknown, seg: PathSegment): { key?: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => keyString(p) === String(seg));
    return pair ? { key: pair.key, value: pair.value } : undefined;
  }
  if (isSeq(node) && typeof seg === 'number') {
    const item = node.items[seg];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function keyString(p: Pair): string | undefined {
  const k = p.key;
  if (isScalar(k)) return String(k.value);
  return undefined;
}

function rangeStart(loaded: Located, node: unknown): SourcePosition | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    if (range) return loaded.lineCounter.linePos(range[0]);
  }
  if (isPair(node)) return rangeStart(loaded, node.key);
  return undefined;
}

/** Turns a JSON pointer (ajv instancePath) into path segments; array indexes become numbers. */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** Human-readable path: spec.clusters[0].name */
export function displayPath(path: readonly PathSegment[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s === '' ? seg : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  }
  return s === '' ? 'the topology' : s;
}
