import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { canonicalYaml } from '../../generator/yaml/canonical.ts';

describe('canonicalYaml', () => {
  it('puts apiVersion, kind and metadata first, and name, namespace, labels, annotations first in metadata', () => {
    const text = canonicalYaml({ spec: { a: 1 }, metadata: { labels: { app: 'istiod' }, namespace: 'ns1', name: 'a' }, kind: 'K', apiVersion: 'v1' });
    expect(text).toBe('apiVersion: v1\nkind: K\nmetadata:\n  name: a\n  namespace: ns1\n  labels:\n    app: istiod\nspec:\n  a: 1\n');
  });

  it.each([['on'], ['yes'], ['no'], ['y'], ['1.30'], ['2024-01-01'], ['010'], ['0o17'], ['1_000'], ['~'], ['null'], ['true'], ['']])(
    'quotes %j so YAML 1.1 readers keep it a string',
    (s) => {
      const text = canonicalYaml({ v: s });
      expect(text).toMatch(/^v: "/);
      expect(parse(text, { version: '1.1' })).toEqual({ v: s });
    },
  );

  it('never folds long lines and never emits anchors for repeated objects', () => {
    const shared = { a: 'x'.repeat(300) };
    const text = canonicalYaml({ one: shared, two: shared });
    expect(text).not.toMatch(/[&*]a\d/);
    expect(text.split('\n').some((l) => l.length > 300)).toBe(true);
  });

  it('writes multi-line strings as literal blocks and ends with exactly one newline', () => {
    const text = canonicalYaml({ k: 'line1\nline2\n' });
    expect(text).toBe('k: |\n  line1\n  line2\n');
  });
});
