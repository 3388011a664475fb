import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../generator/errors.ts';
import { parseRendered, splitVerbatim } from '../../generator/stages/render.ts';

describe('parseRendered', () => {
  it('turns each document into one canonical file with its source line', () => {
    const files = parseRendered('---\nkind: A\napiVersion: v1\nmetadata: {name: a}\n---\n\n---\napiVersion: v1\nkind: B\nmetadata:\n  name: b\n  namespace: n\n', 'templates/t/x.yaml.hbs', 'd');
    expect(files.map((f) => [f.kind, f.name, f.namespace])).toEqual([['A', 'a', null], ['B', 'b', 'n']]);
    expect(files[0]!.content).toBe('# Source: templates/t/x.yaml.hbs\napiVersion: v1\nkind: A\nmetadata:\n  name: a\n');
  });

  it.each([
    ['a document without metadata.name', 'apiVersion: v1\nkind: A\nmetadata: {}\n', /the object has no metadata\.name/],
    ['a document that is not a mapping', '- a\n- b\n', /not a mapping/],
    ['text that does not parse', 'a: b: c\n', /rendered YAML does not parse/],
  ])('fails on %s, naming the template', (_n, text, message) => {
    let error: unknown;
    try {
      parseRendered(text, 'templates/t/x.yaml.hbs', 'd');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).diagnostics[0]!.file).toBe('templates/t/x.yaml.hbs');
    expect((error as TemplateError).diagnostics[0]!.message).toMatch(message);
  });
});

describe('splitVerbatim', () => {
  it('keeps the bytes of each document and names it from its header', () => {
    const text = '# generated\napiVersion: v1\nkind: X\nmetadata:\n  "quoted/key": v\n  name: one\nspec:\n  a: \'single\'\n---\napiVersion: v1\nkind: X\nmetadata:\n  name: two\nspec: {}\n';
    const files = splitVerbatim(text, 'istio-1.30.3/crd.yaml', 'shared');
    expect(files.map((f) => f.name)).toEqual(['one', 'two']);
    expect(files[0]!.content).toBe("# Source: istio-1.30.3/crd.yaml\napiVersion: v1\nkind: X\nmetadata:\n  \"quoted/key\": v\n  name: one\nspec:\n  a: 'single'\n");
  });
});
