/** Keeps the documentation true: every rule and every schema field is documented. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESH_RULES } from '../../generator/stages/rules/index.ts';
import { topologySchema } from '../../generator/stages/validate.ts';
import { ROOT } from '../support/paths.ts';

describe('documentation', () => {
  it('lists every mesh rule in docs/rules.md with its current explanation', () => {
    const doc = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
    for (const r of MESH_RULES) expect(doc).toContain(`| ${r.id} | ${r.name} | ${r.explain.replace(/\|/g, '\\|')} |`);
  });

  it('describes every property of the topology schema', () => {
    const missing: string[] = [];
    const defs = (topologySchema().$defs ?? {}) as Record<string, Record<string, unknown>>;
    const visit = (node: unknown, path: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      for (const [k, v] of Object.entries((n.properties as Record<string, unknown>) ?? {})) {
        const child = v as Record<string, unknown>;
        const ref = typeof child.$ref === 'string' ? defs[child.$ref.replace('#/$defs/', '')] : undefined;
        if (typeof child.description !== 'string' && typeof ref?.description !== 'string') missing.push(`${path}.${k}`);
        visit(child, `${path}.${k}`);
      }
      for (const key of ['items', 'additionalProperties']) if (n[key] && typeof n[key] === 'object') visit(n[key], `${path}[]`);
      for (const [k, v] of Object.entries((n.$defs as Record<string, unknown>) ?? {})) visit(v, `$defs.${k}`);
    };
    visit(topologySchema(), '');
    expect(missing).toEqual([]);
  });
});
