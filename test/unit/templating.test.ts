import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileTemplate } from '../../generator/templating/engine.ts';
import { lintTemplate } from '../../generator/templating/lint.ts';
import { TEMPLATES_DIR } from '../../generator/templating/catalog.ts';

const render = (source: string, context: unknown) => compileTemplate(source)(context);

describe('template helpers', () => {
  it.each([
    ['a newline', 'x\nevil: true'],
    ['a colon and space', 'a: b'],
    ['a YAML comment', 'x # y'],
    ['a document marker', '---\nkind: Secret'],
    ['quotes and backslashes', 'a"b\\c\'d'],
    ['a flow mapping', '{evil: true}'],
  ])('{{str}} keeps a value with %s a single scalar', (_n, value) => {
    const out = render('key: {{str v}}\nother: 1\n', { v: value });
    expect(parse(out)).toEqual({ key: value, other: 1 });
  });

  it('{{yaml}} emits a block that parses back to the same value, indented', () => {
    const value = { 'a.b/c': 'x: y', list: ['1', 2, { n: 'z\nw' }] };
    const out = render('top:\n  inner:\n{{yaml v 4}}\n', { v: value });
    expect(parse(out)).toEqual({ top: { inner: value } });
  });

  it.each([
    ['{{str}}', '{{str missing}}'],
    ['{{int}}', '{{int missing}}'],
    ['{{yaml}}', '{{yaml missing 2}}'],
    ['(eq)', '{{#if (eq missing "a")}}x{{/if}}'],
  ])('%s refuses an undefined value, so a misspelt key fails the render', (_n, source) => {
    expect(() => render(source, { present: 1 })).toThrow();
  });

  it('fails on a missing key in a block condition (strict mode)', () => {
    expect(() => render('{{#each missing}}x{{/each}}', {})).toThrow();
  });

  it.each([
    ['{{int "3"}}', /expects an integer/],
    ['{{bool "true"}}', /expects a boolean/],
    ['{{str 3}}', /expects a string/],
  ])('%s refuses a value of the wrong type', (source, message) => {
    expect(() => render(source, {})).toThrow(message);
  });
});

describe('template lint', () => {
  it.each([
    ['{{name}}', /not allowed/],
    ['{{{name}}}', /not allowed/],
    ['{{cluster.name}}', /not allowed/],
    ['{{str}}', /not allowed/],
    ['{{#unknownBlock x}}{{/unknownBlock}}', /unknown block/],
    ['{{#if (lookup x "y")}}{{/if}}', /unknown helper/],
  ])('rejects %s', (source, message) => {
    const findings = lintTemplate(source);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]!.message).toMatch(message);
  });

  it('accepts helper calls, blocks, partials and comments', () => {
    expect(lintTemplate('a: {{str x}}\n{{#each l}}{{int this}}{{/each}}{{#if (and a (not b))}}{{/if}}{{!-- c --}}{{> p}}')).toEqual([]);
  });

  const templates: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.hbs')) templates.push(p);
    }
  };
  walk(TEMPLATES_DIR);

  it.each(templates.map((t) => [relative(TEMPLATES_DIR, t), t]))('templates/%s passes the lint', (_rel, path) => {
    expect(lintTemplate(readFileSync(path, 'utf8'))).toEqual([]);
  });
});
