/**
 * The canonical emitter round-trips: whatever plain data goes in, YAML 1.2 (yaml), YAML 1.1 (yaml
 * with version 1.1, as kubectl and kustomize read) and js-yaml all read back the same data.
 */
import fc from 'fast-check';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emitYaml } from '../../generator/yaml/emit.ts';
import { RUNS } from '../support/arbitraries.ts';

const tricky = fc.constantFrom(
  'on', 'off', 'yes', 'no', 'y', 'n', 'Y', 'N', 'true', 'False', 'null', '~', '', ' ', '1.30', '1.30.3', '010', '0o17', '0x1F', '1_000', '1:30', '2024-01-01',
  '.inf', '-.inf', '.nan', '*', '&a', '!tag', '|', '>', '- x', 'a: b', 'a #b', '#c', '@x', '`x', '%x', '{a}', '[a]', '"q"', "'q'", 'x:', 'a\tb',
  'line1\nline2', 'line1\nline2\n', 'l\n\n', '\nlead', ' lead\nx', 'trail \nx', 'tab\n\tx', '34.75.71.237', '2001:db8::1', 'https://x.example.com:6443/p', '500m', '2048Mi', '-x', '+1', '=', '<<',
);
const str = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 10 }), tricky);
const scalar = fc.oneof(str, fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('seq')),
  map: fc.dictionary(str, tie('node'), { maxKeys: 5 }),
  seq: fc.array(tie('node'), { maxLength: 4 }),
})).node;

describe('emitYaml', () => {
  it('round-trips through YAML 1.2, YAML 1.1 and js-yaml readers', () => {
    fc.assert(
      fc.property(fc.dictionary(str, value, { maxKeys: 6 }), (doc) => {
        const plain = JSON.parse(JSON.stringify(doc, (_k, v) => (Object.is(v, -0) ? 0 : v)));
        const text = emitYaml(plain);
        expect(parse(text)).toEqual(plain);
        expect(parse(text, { version: '1.1' })).toEqual(plain);
        expect(load(text)).toEqual(plain);
      }),
      { numRuns: RUNS * 40 },
    );
  });

  it('writes readable YAML for the usual Kubernetes values', () => {
    expect(emitYaml({ a: 'istiod.istio-system.svc:15012', b: '1.30.3', c: '1.30', d: ['x', { e: 1, f: 'on' }], g: 'x\ny\n', h: {}, i: [] })).toBe(
      'a: istiod.istio-system.svc:15012\nb: 1.30.3\nc: "1.30"\nd:\n- x\n- e: 1\n  f: "on"\ng: |\n  x\n  y\nh: {}\ni: []\n',
    );
  });
});
