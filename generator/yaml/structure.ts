/**
 * Bounds on the shape of a topology document, checked by the load stage before anything walks it.
 * Nesting depth is checked on the concrete syntax tree, iteratively, before the yaml library composes
 * the document (its composer recurses, and overflows the stack at a depth that depends on the machine).
 * The composed document is then checked for aliases that refer to nothing or to a collection that
 * contains them, tags beyond plain YAML 1.2, keys that are lists or mappings, and its size and depth
 * once aliases are expanded. Inside these bounds every later stage is fast and cannot overflow.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, Parser, type Document, type Node } from 'yaml';

/** Deepest nesting of mappings and lists; a topology needs about ten levels, Istio's meshConfig a few more. */
export const MAX_DEPTH = 64;
/** Values (mappings, lists and scalars) once aliases are expanded; a mesh of thousands of clusters needs far fewer. */
export const MAX_VALUES = 100_000;
/** Entries of one mapping or list. */
export const MAX_ENTRIES = 10_000;

export interface StructureProblem {
  /** Offset in the source text, or null for the whole file. */
  offset: number | null;
  message: string;
}

const tooDeep = `mappings and lists nest more than ${MAX_DEPTH} levels deep here; meshrender reads at most ${MAX_DEPTH} levels`;

/**
 * The first place where the source nests deeper than MAX_DEPTH or a collection has more than MAX_ENTRIES
 * entries, found without recursion and before composing (the composer's duplicate-key check is quadratic).
 */
export function syntaxProblem(source: string): StructureProblem | null {
  type Token = { type: string; offset: number; value?: Token; items?: { key?: Token | null; value?: Token | null }[] };
  const collections = new Set(['block-map', 'block-seq', 'flow-collection']);
  const stack: [Token, number][] = [];
  for (const token of new Parser().parse(source)) stack.push([token as Token, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    const level = collections.has(token.type) ? depth + 1 : depth;
    if (level > MAX_DEPTH) return { offset: token.offset, message: tooDeep };
    if (collections.has(token.type) && (token.items?.length ?? 0) > MAX_ENTRIES) return { offset: token.offset, message: tooMany(token.type === 'block-seq', token.items!.length) };
    if (token.value && typeof token.value === 'object') stack.push([token.value, level]);
    for (const item of token.items ?? []) {
      if (item.key && typeof item.key === 'object') stack.push([item.key, level]);
      if (item.value && typeof item.value === 'object') stack.push([item.value, level]);
    }
  }
  return null;
}

const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * Problems of a composed document (whose syntactic depth nestingProblem has already bounded).
 * Heights and sizes are memoised per node, so alias bombs cost no more than the text they are written in.
 */
export function documentProblems(doc: Document, source: string): StructureProblem[] {
  const problems: StructureProblem[] = [];
  const yaml = doc.directives?.yaml;
  if (yaml?.explicit && yaml.version !== '1.2') {
    problems.push({ offset: 0, message: `meshrender reads YAML 1.2; remove the %YAML ${yaml.version} directive (YAML 1.1 reads yes, no and dates differently)` });
  }
  const memo = new Map<Node, { height: number; size: number }>();
  const inProgress = new Set<Node>();
  let fatal: StructureProblem | null = null;
  // Values as written, each counted once (an anchor is defined before its aliases, so its first visit is its own).
  let written = 0;
  const at = (n: unknown): number | null => (n && typeof n === 'object' && 'range' in n && (n as Node).range ? (n as Node).range![0] : null);

  // Returns the height (collections on the longest path down) and size (values) of a node, aliases expanded.
  const visit = (node: unknown, level: number, via: Node | null): { height: number; size: number } => {
    if (fatal || node === null || node === undefined || typeof node !== 'object') return { height: 0, size: 0 };
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) {
        problems.push({ offset: at(node), message: `alias *${node.source} has no anchor &${node.source} before it; define the anchor first or write the value out` });
        return { height: 0, size: 1 };
      }
      if (inProgress.has(target)) {
        fatal = { offset: at(node), message: `alias *${node.source} refers to a mapping or list that contains it, which never ends; write the value out` };
        return { height: 0, size: 0 };
      }
      return visit(target, level, node);
    }
    const n = node as Node;
    const hit = memo.get(n);
    if (hit) {
      if (level + hit.height > MAX_DEPTH) fatal = { offset: at(via ?? n), message: via ? aliasTooDeep(via) : tooDeep };
      return hit;
    }
    if (n.tag !== undefined && !PLAIN_TAGS.has(n.tag)) {
      const shown = n.tag.startsWith('tag:yaml.org,2002:') ? `!!${n.tag.slice('tag:yaml.org,2002:'.length)}` : n.tag;
      const start = at(n);
      problems.push({ offset: start === null ? null : tagOffset(source, start), message: `tag ${shown} is not supported; a topology holds only plain strings, numbers, booleans, lists and mappings: remove the tag` });
    }
    written++;
    if (isScalar(n)) {
      memo.set(n, { height: 0, size: 1 });
      return { height: 0, size: 1 };
    }
    if (!isCollection(n)) return { height: 0, size: 0 };
    const here = level + 1;
    if (here > MAX_DEPTH) {
      fatal = { offset: at(via ?? n), message: via ? aliasTooDeep(via) : tooDeep };
      return { height: 0, size: 0 };
    }
    if (n.items.length > MAX_ENTRIES) {
      fatal = { offset: at(n), message: tooMany(!isMap(n), n.items.length) };
      return { height: 0, size: 0 };
    }
    inProgress.add(n);
    let height = 0;
    let size = 1;
    const child = (c: unknown) => {
      const r = visit(c, here, via);
      height = Math.max(height, r.height);
      size = Math.min(size + r.size, MAX_VALUES + 1);
    };
    for (const item of n.items) {
      if (isPair(item)) {
        if (isCollection(item.key) || isAlias(item.key)) {
          problems.push({ offset: at(item.key), message: `a key must be written out as a plain name, not as ${isAlias(item.key) ? 'an alias' : 'a list or mapping'}` });
        } else child(item.key);
        child(item.value);
      } else child(item);
      if (fatal) break;
    }
    inProgress.delete(n);
    const r = { height: height + 1, size };
    memo.set(n, r);
    return r;
  };

  const root = visit(doc.contents, 0, null);
  if (fatal) return [fatal];
  if (root.size > MAX_VALUES) {
    problems.push({
      offset: null,
      message:
        written <= MAX_VALUES
          ? `aliases expand to too many nodes (more than ${MAX_VALUES} values once expanded); write the values out instead of using anchors`
          : `the topology holds more than ${MAX_VALUES} values; a mesh of thousands of clusters needs far fewer, so split it into one topology per mesh`,
    });
  }
  return problems;
}

/** Where the tag of the value at `valueStart` is written: the node's range starts after its properties. */
function tagOffset(source: string, valueStart: number): number {
  let i = valueStart;
  for (;;) {
    let end = i;
    while (end > 0 && /\s/.test(source[end - 1]!)) end--;
    let start = end;
    while (start > 0 && !/\s/.test(source[start - 1]!)) start--;
    if (start === end) return valueStart;
    if (source[start] === '!') return start;
    if (source[start] !== '&') return valueStart;
    i = start;
  }
}

function tooMany(list: boolean, n: number): string {
  return `this ${list ? 'list' : 'mapping'} has ${n} entries, more than the limit of ${MAX_ENTRIES}; split the topology into one per mesh`;
}

function aliasTooDeep(alias: Node): string {
  return `alias *${(alias as unknown as { source: string }).source} makes mappings and lists nest more than ${MAX_DEPTH} levels deep; write the values out instead of using anchors`;
}
