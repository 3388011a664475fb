/**
 * load: topology path → LoadedTopology.
 * Reads the file as bytes, refuses what is not a small UTF-8 text without control characters,
 * parses it as one YAML document (duplicate keys are errors) and resolves aliases with a bound.
 * The document's shape is bounded before anything walks it (yaml/structure.ts: depth, size, alias
 * cycles, tags), and a `__proto__` key is refused anywhere, even in free-form mappings.
 * Afterwards the document, its source text and a line counter are available for positions.
 */
import { readFileSync, statSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import { TopologyParseError, fileError } from '../errors.ts';
import type { LoadedTopology } from '../types.ts';
import { documentProblems, syntaxProblem, type StructureProblem } from '../yaml/structure.ts';
import { CONTROL_CHARACTERS, NO_CONTROL_CHARACTERS_ID } from './rules/no-control-characters.ts';

/** Topologies larger than this are refused: a real mesh of thousands of clusters stays far below it. */
export const MAX_TOPOLOGY_BYTES = 8 * 1024 * 1024;
/** Alias expansions allowed when turning the document into data (defeats "billion laughs"). */
export const MAX_ALIAS_COUNT = 1000;

export function loadTopology(file: string): LoadedTopology {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw fileError(TopologyParseError, file, 'is not a regular file; name a topology .yaml file');
    size = st.size;
  } catch (e) {
    if (e instanceof TopologyParseError) throw e;
    throw fileError(TopologyParseError, file, `cannot read the topology: ${describeFsError(e)}`);
  }
  if (size > MAX_TOPOLOGY_BYTES) {
    throw fileError(
      TopologyParseError,
      file,
      `the topology is ${size} bytes, more than the limit of ${MAX_TOPOLOGY_BYTES}; split it into one topology per mesh`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw fileError(TopologyParseError, file, `cannot read the topology: ${describeFsError(e)}`);
  }
  const loaded = parseTopology(file, bytes);
  refuseProtoKeys(loaded);
  return loaded;
}

/**
 * `__proto__` is an ordinary own key in the parsed data (the yaml library never pollutes), but code that
 * copies a mapping key by key would change an object's prototype instead. No mapping of a topology takes
 * it, so it is refused everywhere, also where the schema allows any key (meshConfig, env, annotations).
 */
function refuseProtoKeys(loaded: LoadedTopology): void {
  const problems: Diagnostic[] = [];
  const stack: unknown[] = [loaded.document.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && pair.key.value === '__proto__') {
          const pos = pair.key.range ? loaded.lineCounter.linePos(pair.key.range[0]) : undefined;
          problems.push({
            file: loaded.file,
            severity: 'error',
            message: 'unknown key "__proto__"; no mapping of a topology takes it, not even free-form ones such as meshConfig, env or annotations',
            ...(pos ? { pos } : {}),
          });
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) stack.push(...node.items);
  }
  if (problems.length > 0) throw new TopologyParseError(`${loaded.file}: a key is not allowed`, problems);
}

/** Parses topology bytes; pure, so tests can feed any input. */
export function parseTopology(file: string, bytes: Uint8Array): LoadedTopology {
  const source = decodeUtf8(file, bytes);
  // Before the yaml library composes the document: its composer recurses once per level.
  const shapeError = syntaxProblem(source);
  if (shapeError) throw new TopologyParseError(`${file}: the document's shape is not allowed`, [structureDiagnostic(file, source, null, shapeError)]);
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: true, uniqueKeys: true, version: '1.2' });
  // Positions are only known after parsing, so control characters are reported with the line counter.
  const problems: Diagnostic[] = [...controlCharacters(file, source, lineCounter)];
  for (const err of document.errors) {
    const [start] = err.linePos ?? [];
    problems.push({
      file,
      severity: 'error',
      message: yamlMessage(err.code, err.message),
      ...(start ? { pos: { line: start.line, col: start.col } } : {}),
    });
  }
  if (problems.length > 0) throw new TopologyParseError(`${file}: not valid YAML`, problems);
  const shape = documentProblems(document as Document, source);
  if (shape.length > 0) {
    throw new TopologyParseError(`${file}: the document's shape is not allowed`, shape.map((p) => structureDiagnostic(file, source, lineCounter, p)));
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw fileError(
      TopologyParseError,
      file,
      `aliases expand to too many nodes (${(e as Error).message}); write the values out instead of using anchors`,
    );
  }
  if (data === null || data === undefined) {
    throw fileError(TopologyParseError, file, 'the file is empty; start from one of the examples in topologies/');
  }
  return { file, source, document, lineCounter, data };
}

function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return text;
  } catch {
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      throw fileError(TopologyParseError, file, 'the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8');
    }
    const offset = firstInvalidUtf8(bytes);
    const before = Buffer.from(bytes.subarray(0, offset)).toString('utf8');
    const lines = before.split('\n');
    const line = lines.length;
    const col = (lines[lines.length - 1]?.length ?? 0) + 1;
    throw fileError(TopologyParseError, file, `byte ${offset} is not valid UTF-8; save the file as UTF-8`, { line, col });
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  // Binary search for the longest valid prefix.
  let lo = 0;
  let hi = bytes.length;
  const dec = new TextDecoder('utf-8', { fatal: true });
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    try {
      dec.decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}

function* controlCharacters(file: string, source: string, lc: LineCounter): Iterable<Diagnostic> {
  // The bytes half of the rule no-control-characters; escapes in quoted strings are checked with the mesh rules.
  for (const m of source.matchAll(CONTROL_CHARACTERS)) {
    const { line, col } = lc.linePos(m.index);
    const code = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    yield { file, pos: { line, col }, severity: 'error', message: `control character U+${code} is not allowed; remove it`, rule: NO_CONTROL_CHARACTERS_ID };
  }
}

function structureDiagnostic(file: string, source: string, lc: LineCounter | null, p: StructureProblem): Diagnostic {
  if (p.offset === null) return { file, severity: 'error', message: p.message };
  let pos: { line: number; col: number };
  if (lc) pos = lc.linePos(p.offset);
  else {
    const before = source.slice(0, p.offset);
    const line = before.split('\n').length;
    pos = { line, col: p.offset - before.lastIndexOf('\n') };
  }
  return { file, pos, severity: 'error', message: p.message };
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'DUPLICATE_KEY') return `${first}; each key may appear once in a mapping`;
  if (code === 'MULTIPLE_DOCS') return 'a second YAML document starts here; a topology file holds exactly one document, so remove the --- line and what follows or move it to its own file';
  return `${first} (invalid YAML)`;
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (e as Error).message;
}
