/**
 * The load stage against hostile YAML: nesting that would overflow the stack, alias cycles and bombs,
 * tags, collection keys, huge collections, and `__proto__` keys. Each must be a clean error with a
 * position (regressions: a self-referencing alias crashed render with "Maximum call stack size
 * exceeded", and `__proto__` in meshConfig silently changed the prototype of the merged mesh config).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { MeshrenderError } from '../../generator/errors.ts';
import { loadTopology, parseTopology } from '../../generator/stages/load.ts';
import { MAX_DEPTH, MAX_ENTRIES } from '../../generator/yaml/structure.ts';
import { tempDir } from '../support/builders.ts';

function errorsOf(text: string, load = false): string[] {
  try {
    if (load) {
      const file = join(tempDir(), 't.yaml');
      writeFileSync(file, text);
      loadTopology(file);
    } else parseTopology('t.yaml', Buffer.from(text));
  } catch (e) {
    if (e instanceof MeshrenderError) return e.diagnostics.map(formatDiagnostic).map((l) => l.replace(/^.*\/t\.yaml/, 't.yaml'));
    throw e;
  }
  return [];
}

const flow = (depth: number) => `a: ${'['.repeat(depth - 1)}1${']'.repeat(depth - 1)}\n`;
const block = (depth: number) => Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' x\n';

describe('nesting depth', () => {
  it.each([
    ['flow', flow],
    ['block', block],
  ])('reads %s nesting of exactly the limit and refuses one level more, at the same place on every machine', (_kind, make) => {
    expect(errorsOf(make(MAX_DEPTH))).toEqual([]);
    const errors = errorsOf(make(MAX_DEPTH + 1));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^t\.yaml:\d+:\d+: error: mappings and lists nest more than 64 levels deep here; meshrender reads at most 64 levels$/);
  });

  it('refuses 200,000 levels quickly instead of overflowing the stack', () => {
    const t0 = Date.now();
    expect(errorsOf(flow(200_000))).toEqual(['t.yaml:1:67: error: mappings and lists nest more than 64 levels deep here; meshrender reads at most 64 levels']);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('aliases', () => {
  it.each([
    ['a mapping that contains its own alias', 'a: &m { b: *m }\n', 't.yaml:1:12: error: alias *m refers to a mapping or list that contains it, which never ends; write the value out'],
    ['a list that contains its own alias', 'a: &l [1, [*l]]\n', 't.yaml:1:12: error: alias *l refers to a mapping or list that contains it, which never ends; write the value out'],
    ['an alias without an anchor', 'a: *nope\n', 't.yaml:1:4: error: alias *nope has no anchor &nope before it; define the anchor first or write the value out'],
    ['an alias used as a key', 'a: &k x\n*k : 1\n', 't.yaml:2:1: error: a key must be written out as a plain name, not as an alias'],
  ])('refuses %s', (_name, text, expected) => {
    expect(errorsOf(text)).toEqual([expected]);
  });

  it('refuses aliases that stack anchors deeper than the limit, pointing at the alias', () => {
    const lines = ['a0: &a0 [1]'];
    for (let i = 1; i < 20; i++) lines.push(`a${i}: &a${i} ${'['.repeat(5)}*a${i - 1}${']'.repeat(5)}`);
    const errors = errorsOf(`${lines.join('\n')}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^t\.yaml:\d+:\d+: error: alias \*a\d+ makes mappings and lists nest more than 64 levels deep; write the values out instead of using anchors$/);
  });

  it('counts an alias bomb by what it expands to, in time linear in its text', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 30; i++) lines.push(`b${i}: &b${i} [${Array(10).fill(i === 1 ? '*a' : `*b${i - 1}`).join(', ')}]`);
    const t0 = Date.now();
    expect(errorsOf(`${lines.join('\n')}\n`)).toEqual(['t.yaml: error: aliases expand to too many nodes (more than 100000 values once expanded); write the values out instead of using anchors']);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('what YAML can say beyond plain data', () => {
  it.each([
    ['a custom tag', 'a: !secret x\n', 't.yaml:1:4: error: tag !secret is not supported; a topology holds only plain strings, numbers, booleans, lists and mappings: remove the tag'],
    ['!!binary', 'a: !!binary aGk=\n', 't.yaml:1:4: error: tag !!binary is not supported; a topology holds only plain strings, numbers, booleans, lists and mappings: remove the tag'],
    ['!!set', 'a: !!set { x }\n', 't.yaml:1:4: error: tag !!set is not supported; a topology holds only plain strings, numbers, booleans, lists and mappings: remove the tag'],
    ['a %YAML 1.1 directive', '%YAML 1.1\n---\na: yes\n', 't.yaml:1:1: error: meshrender reads YAML 1.2; remove the %YAML 1.1 directive (YAML 1.1 reads yes, no and dates differently)'],
    ['a list as a key', '? [a, b]\n: c\n', 't.yaml:1:3: error: a key must be written out as a plain name, not as a list or mapping'],
    ['a second document', 'a: 1\n---\nb: 2\n', 't.yaml:2:1: error: a second YAML document starts here; a topology file holds exactly one document, so remove the --- line and what follows or move it to its own file'],
  ])('refuses %s', (_name, text, expected) => {
    expect(errorsOf(text)).toEqual([expected]);
  });

  it('accepts the plain YAML 1.2 tags', () => {
    expect(errorsOf('a: !!str 1\nb: !!int "2"\nc: !!map { d: !!seq [ !!null ~, !!bool true, !!float 1.5 ] }\n')).toEqual([]);
  });
});

describe('size', () => {
  it('refuses a mapping with more entries than the limit before the quadratic duplicate-key check runs', () => {
    const keys = Array.from({ length: 150_000 }, (_, i) => `  k${i}: 1`).join('\n');
    const t0 = Date.now();
    expect(errorsOf(`m:\n${keys}\n`)).toEqual([`t.yaml:2:3: error: this mapping has 150000 entries, more than the limit of ${MAX_ENTRIES}; split the topology into one per mesh`]);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('__proto__ keys', () => {
  it.each([
    ['at the top', '__proto__: { polluted: true }\n', 't.yaml:1:1'],
    ['in a free-form mapping', 'spec:\n  clusters:\n    - istiod:\n        meshConfig: { defaultConfig: { "__proto__": { x: 1 } } }\n', 't.yaml:4:40'],
    ['in env', 'env: { A: "1", __proto__: "2" }\n', 't.yaml:1:16'],
  ])('refuses one %s when loading a file, with its position, and Object.prototype stays clean', (_name, text, where) => {
    expect(errorsOf(text, true)).toEqual([`${where}: error: unknown key "__proto__"; no mapping of a topology takes it, not even free-form ones such as meshConfig, env or annotations`]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('keeps constructor and prototype as ordinary keys where any key is allowed', () => {
    expect(errorsOf('meshConfig: { constructor: { prototype: { a: 1 } } }\n', true)).toEqual([]);
  });
});
