import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { MeshrenderError } from '../../generator/errors.ts';
import { parseTopology } from '../../generator/stages/load.ts';

function errorsOf(text: string | Uint8Array): string[] {
  try {
    parseTopology('t.yaml', typeof text === 'string' ? Buffer.from(text) : text);
  } catch (e) {
    if (e instanceof MeshrenderError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  return [];
}

describe('loadTopology / parseTopology', () => {
  it('parses a YAML mapping and keeps positions', () => {
    const loaded = parseTopology('t.yaml', Buffer.from('a: 1\nb:\n  c: x\n'));
    expect(loaded.data).toEqual({ a: 1, b: { c: 'x' } });
    expect(loaded.lineCounter.linePos(loaded.source.indexOf('c:'))).toEqual({ line: 3, col: 3 });
  });

  it.each([
    ['a duplicate key', 'a: 1\nb: 2\na: 3\n', /^t\.yaml:3:1: error: Map keys must be unique; each key may appear once in a mapping$/],
    ['an unclosed flow mapping', 'a: { b: 1\n', /^t\.yaml:\d+:\d+: error: .*\(invalid YAML\)$/],
    ['a tab-indented block', 'a:\n\tb: 1\n', /^t\.yaml:2:1: error: .*\(invalid YAML\)$/],
    ['an empty file', '', /^t\.yaml: error: the file is empty; start from one of the examples in topologies\/$/],
    ['a comment-only file', '# nothing\n', /^t\.yaml: error: the file is empty/],
  ])('reports %s with file:line:col', (_name, text, expected) => {
    const errors = errorsOf(text);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(expected);
  });

  it('reports every control character with its position', () => {
    const errors = errorsOf('a: "x\u0007y"\nb: z\u0085\n');
    expect(errors).toEqual([
      't.yaml:1:6: error: control character U+0007 is not allowed; remove it [MR011]',
      't.yaml:2:5: error: control character U+0085 is not allowed; remove it [MR011]',
    ]);
  });

  it('refuses bytes that are not UTF-8 and says where', () => {
    const bytes = Buffer.concat([Buffer.from('a: 1\nb: x'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
    expect(errorsOf(bytes)).toEqual(['t.yaml:2:5: error: byte 9 is not valid UTF-8; save the file as UTF-8']);
  });

  it('stops alias bombs with a clear message instead of expanding them', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    const errors = errorsOf(lines.join('\n'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^t\.yaml: error: aliases expand to too many nodes .*write the values out instead of using anchors$/);
  });

  it('keeps __proto__ as an ordinary key and does not touch Object.prototype', () => {
    const loaded = parseTopology('t.yaml', Buffer.from('__proto__: { polluted: true }\n'));
    expect(Object.hasOwn(loaded.data as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
