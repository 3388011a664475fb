/**
 * A small, fast YAML emitter for plain data (mappings, sequences, strings, numbers, booleans, null):
 * the canonical output format of every object meshrender renders. Keys in the order given; two-space
 * indentation; sequences not indented under their key; no line folding; multi-line strings as literal
 * blocks; a string is written plain only when every YAML 1.1 and 1.2 reader (kubectl, kustomize,
 * kubeconform, Argo CD, Flux) reads it back as the same string, and double-quoted (JSON) otherwise.
 * A property test checks the round trip through two YAML parsers.
 */

/** Emits a value as a YAML document (no `---`), ending with one newline. */
export function emitYaml(value: unknown): string {
  const lines: string[] = [];
  if (isMap(value) && Object.keys(value).length === 0) lines.push('{}');
  else if (Array.isArray(value) && value.length === 0) lines.push('[]');
  else if (isMap(value)) emitMap(value, 0, lines);
  else if (Array.isArray(value)) emitSeq(value, 0, lines);
  else lines.push(scalar(value, 0));
  return `${lines.join('\n')}\n`;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function emitMap(map: Record<string, unknown>, indent: number, lines: string[]): void {
  const pad = ' '.repeat(indent);
  for (const key of Object.keys(map)) {
    const v = map[key];
    if (v === undefined) continue;
    const k = `${pad}${plainOrQuoted(key)}:`;
    if (isMap(v)) {
      if (Object.keys(v).length === 0) lines.push(`${k} {}`);
      else {
        lines.push(k);
        emitMap(v, indent + 2, lines);
      }
    } else if (Array.isArray(v)) {
      if (v.length === 0) lines.push(`${k} []`);
      else {
        lines.push(k);
        emitSeq(v, indent, lines);
      }
    } else lines.push(`${k} ${scalar(v, indent + 2)}`);
  }
}

function emitSeq(seq: readonly unknown[], indent: number, lines: string[]): void {
  const pad = ' '.repeat(indent);
  for (const item of seq) {
    if (isMap(item) && Object.keys(item).length > 0) {
      // The first key goes on the dash line; the rest align with it.
      const inner: string[] = [];
      emitMap(item, indent + 2, inner);
      lines.push(`${pad}- ${inner[0]!.slice(indent + 2)}`, ...inner.slice(1));
    } else if (Array.isArray(item) && item.length > 0) {
      const inner: string[] = [];
      emitSeq(item, indent + 2, inner);
      lines.push(`${pad}- ${inner[0]!.slice(indent + 2)}`, ...inner.slice(1));
    } else if (isMap(item)) lines.push(`${pad}- {}`);
    else if (Array.isArray(item)) lines.push(`${pad}- []`);
    else lines.push(`${pad}- ${scalar(item, indent + 2)}`);
  }
}

/** A scalar value; `indent` is the indentation of a block scalar's content. */
function scalar(v: unknown, indent: number): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v !== 'string') throw new Error(`cannot emit ${typeof v} as YAML`);
  if (v.includes('\n')) return multiline(v, indent);
  return plainOrQuoted(v);
}

// Long multi-line strings (Istio's injection templates) recur in every injector ConfigMap of a
// revision: emit each once per indentation.
const blockCache = new Map<string, string>();
let blockCacheBytes = 0;

function multiline(v: string, indent: number): string {
  if (v.length < 2048) return blockSafe(v) ? literalBlock(v, indent) : plainOrQuoted(v);
  const key = `${indent}:${v}`;
  const hit = blockCache.get(key);
  if (hit !== undefined) return hit;
  const out = blockSafe(v) ? literalBlock(v, indent) : plainOrQuoted(v);
  if (blockCacheBytes > 16 * 1024 * 1024) {
    blockCache.clear();
    blockCacheBytes = 0;
  }
  blockCache.set(key, out);
  blockCacheBytes += key.length + out.length;
  return out;
}

// Characters that make a string unsafe in a literal block (control characters other than tab, line
// separators YAML normalises) and lines that a block would change (trailing spaces, leading tab).
const BLOCK_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]|[ \t]\n|[ \t]$|\n\t/;

function blockSafe(s: string): boolean {
  return !BLOCK_UNSAFE.test(s) && !s.startsWith(' ') && !s.startsWith('\t');
}

function literalBlock(s: string, indent: number): string {
  const pad = ' '.repeat(indent);
  let chomp = '';
  let body = s;
  if (!s.endsWith('\n')) chomp = '-';
  else if (s.endsWith('\n\n')) chomp = '+';
  if (chomp !== '+') body = body.replace(/\n$/, '');
  else body = body.slice(0, -1);
  const lines = body.split('\n').map((l) => (l === '' ? '' : pad + l));
  return `|${chomp}\n${lines.join('\n')}`;
}

// Plain scalars: a conservative character set, no indicator at the start, nothing any YAML 1.1 or
// 1.2 resolver would read as another type.
const PLAIN = /^[A-Za-z0-9/_][A-Za-z0-9/_.:@+\-]*$/;
const SPECIAL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;
const NUMBER_LIKE = [
  /^[-+]?[0-9][0-9_]*$/, // integers in any reader (1.1 allows _, some read 08 as 8)
  /^[-+]?0[0-7_]+$/, // 1.1 octal
  /^0o[0-7]+$/, // 1.2 octal
  /^[-+]?0x[0-9a-fA-F_]+$/, // hex
  /^[-+]?0b[01_]+$/, // 1.1 binary
  /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/, // 1.1 sexagesimal
  /^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$/, // floats with a dot
  /^[-+]?[0-9][0-9_]*([eE][-+]?[0-9]+)$/, // floats with an exponent
  /^[-+]?([0-9][0-9_]*)?(\.[0-9_]*)?([eE][-+]?[0-9]+)?$/, // any float a lenient 1.1 reader accepts (e0)
  /^[-+]?\.(inf|Inf|INF)$/,
  /^\.(nan|NaN|NAN)$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/, // timestamps
];

export function plainOrQuoted(s: string): string {
  if (s !== '' && PLAIN.test(s) && !SPECIAL.test(s) && !s.endsWith(':') && !NUMBER_LIKE.some((r) => r.test(s))) return s;
  return JSON.stringify(s);
}
