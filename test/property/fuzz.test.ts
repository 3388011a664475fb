/**
 * A fuzzer over mutated example topologies: bit flips, deleted and duplicated keys and lines, values
 * swapped for values of other types (and hostile strings), truncation and inserted bytes. Every mutant
 * must either render (and every rendered file parse) or fail with a MeshrenderError that carries
 * diagnostics (the CLI's exit 1); any other exception is a crash. The default run (60 mutants) uses
 * a fixed seed so CI is repeatable; MESHRENDER_FUZZ_RUNS raises the number of mutants and then draws a
 * new seed each run unless MESHRENDER_FUZZ_SEED fixes one. A failure prints the seed and the shrunk
 * mutation to replay. MESHRENDER_FUZZ_KNOWN (a regular expression) lets a campaign step over a finding
 * already reported, to look for others.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument, visit, type Document } from 'yaml';
import { MeshrenderError } from '../../generator/errors.ts';
import { renderInMemory } from '../../generator/pipeline.ts';
import { tempDir } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from '../support/paths.ts';

const RUNS = Number(process.env.MESHRENDER_FUZZ_RUNS ?? 60);
const KNOWN = process.env.MESHRENDER_FUZZ_KNOWN ? new RegExp(process.env.MESHRENDER_FUZZ_KNOWN) : null;
const SEED = process.env.MESHRENDER_FUZZ_SEED ? Number(process.env.MESHRENDER_FUZZ_SEED) : process.env.MESHRENDER_FUZZ_RUNS ? undefined : 20261122;
const EXAMPLES = readdirSync(join(ROOT, 'topologies'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => readFileSync(join(ROOT, 'topologies', f), 'utf8'));

/**
 * Values a mutation may put anywhere: other types, empty and huge values, strings built to cause trouble,
 * and plausible values (roles, names, versions, addresses) that make valid topologies of other shapes.
 */
const REPLACEMENTS: unknown[] = [
  'primary', 'remote', 'external', 'cluster1', 'cluster2', 'network1', 'network2', 'default', 'canary', '1.29.6',
  '2001:db8::1', 'istiod.example.com', 'https://x.example.com:6443', 2, 5, 1000, { enabled: false }, ['default'],
  null, true, false, 0, -1, 1.5, 1e300, '', ' ', 'x', '0', 'yes', 'null', '1.30.3', '999.0.0',
  '../../etc', '/etc/passwd', '.', 'a/b', '__proto__', 'constructor', '{{x}}', '${HOME}', '\u202e', '\u001b[2J', 'line\nbreak',
  'x'.repeat(300), [], {}, [1, 'a'], { a: 1 }, { __proto__: 1 }, [[[[[]]]]],
];

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'delete-key'; pick: number }
  | { op: 'duplicate-key'; pick: number }
  | { op: 'swap'; pick: number; value: number }
  | { op: 'delete-line'; pick: number }
  | { op: 'duplicate-line'; pick: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: number[] };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('delete-key' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('duplicate-key' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), pick: fc.nat(), value: fc.nat({ max: REPLACEMENTS.length - 1 }) }),
  fc.record({ op: fc.constant('delete-line' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('duplicate-line' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }) }),
);

/** Every pair of the document (keys and their values), in document order. */
function pairsOf(doc: Document): { parent: unknown; key: unknown }[] {
  const out: { parent: unknown; key: unknown }[] = [];
  visit(doc, {
    Pair(_key, pair, path) {
      out.push({ parent: path[path.length - 1], key: isScalar(pair.key) ? pair.key.value : pair.key });
    },
  });
  return out;
}

/** Every node that holds a value (map values and sequence items), as [container, key or index]. */
function slotsOf(doc: Document): [unknown, unknown][] {
  const out: [unknown, unknown][] = [];
  visit(doc, {
    Pair(_k, pair, path) {
      if (isMap(path[path.length - 1])) out.push([path[path.length - 1], isScalar(pair.key) ? pair.key.value : pair.key]);
    },
    Seq(_k, seq) {
      seq.items.forEach((_item, i) => out.push([seq, i]));
    },
  });
  return out;
}

const BYTE_OPS = new Set<Mutation['op']>(['flip', 'truncate', 'insert']);

/** Applies one mutation; byte operations keep invalid UTF-8, the others work on the decoded text. */
function mutate(bytes: Buffer, m: Mutation): Buffer {
  const text = bytes.toString('utf8');
  const lines = text.split('\n');
  switch (m.op) {
    case 'flip': {
      const b = Buffer.from(bytes);
      if (b.length > 0) b[m.at % b.length]! ^= 1 << m.bit;
      return b;
    }
    case 'truncate':
      return bytes.subarray(0, m.at % (bytes.length + 1));
    case 'insert': {
      const at = m.at % (bytes.length + 1);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
    }
    case 'delete-line':
      lines.splice(m.pick % lines.length, 1);
      return Buffer.from(lines.join('\n'));
    case 'duplicate-line': {
      const i = m.pick % lines.length;
      lines.splice(i, 0, lines[i]!);
      return Buffer.from(lines.join('\n'));
    }
    case 'duplicate-key': {
      // A line that starts a key (block mapping entry), repeated with the same indentation.
      const keyLines = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*(- )?[A-Za-z_][\w.-]*:/.test(l));
      if (keyLines.length === 0) return bytes;
      const [line, i] = keyLines[m.pick % keyLines.length]!;
      const dup = line.replace(/^(\s*)- /, '$1  ');
      lines.splice(i + 1, 0, dup);
      return Buffer.from(lines.join('\n'));
    }
    case 'delete-key':
    case 'swap': {
      const doc = parseDocument(text);
      if (doc.errors.length > 0) return bytes;
      if (m.op === 'delete-key') {
        const pairs = pairsOf(doc);
        if (pairs.length === 0) return bytes;
        const { parent, key } = pairs[m.pick % pairs.length]!;
        if (isMap(parent)) parent.delete(key);
      } else {
        const slots = slotsOf(doc);
        if (slots.length === 0) return bytes;
        const [container, key] = slots[m.pick % slots.length]!;
        const value = doc.createNode(structuredClone(REPLACEMENTS[m.value]));
        if (isMap(container) || isSeq(container)) container.set(key, value);
      }
      return Buffer.from(doc.toString({ lineWidth: 0 }));
    }
  }
}

describe.skipIf(!HAS_SHARED)('fuzzing mutated example topologies', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});
  const saved = { offline: process.env.MESHRENDER_OFFLINE, cache: process.env.MESHRENDER_CACHE_DIR };
  const dir = tempDir('meshrender-fuzz-');
  beforeAll(() => {
    // Mutated versions must never send meshrender to the network.
    process.env.MESHRENDER_OFFLINE = '1';
    process.env.MESHRENDER_CACHE_DIR = join(dir, 'cache');
  });
  afterAll(() => {
    if (saved.offline === undefined) delete process.env.MESHRENDER_OFFLINE;
    else process.env.MESHRENDER_OFFLINE = saved.offline;
    if (saved.cache === undefined) delete process.env.MESHRENDER_CACHE_DIR;
    else process.env.MESHRENDER_CACHE_DIR = saved.cache;
  });

  it('the examples themselves render (so mutants start from valid input)', async () => {
    for (const [i, text] of EXAMPLES.entries()) {
      const file = join(dir, `example-${i}.yaml`);
      writeFileSync(file, text);
      const rendered = await renderInMemory([file], ISTIO_DIST);
      expect(rendered[0]!.tree.files.size).toBeGreaterThan(0);
    }
  });

  it(`every mutant renders or fails with diagnostics, never crashes (${RUNS} mutants)`, async () => {
    const outcomes = { rendered: 0, refused: 0, known: 0 };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: EXAMPLES.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (example, mutations) => {
        let bytes: Buffer = Buffer.from(EXAMPLES[example]!);
        // Text operations first, so a later bit flip's invalid UTF-8 is not decoded away.
        const ordered = [...mutations.filter((m) => !BYTE_OPS.has(m.op)), ...mutations.filter((m) => BYTE_OPS.has(m.op))];
        for (const m of ordered) bytes = mutate(bytes, m);
        const file = join(dir, `mutant-${n++}.yaml`);
        writeFileSync(file, bytes);
        let rendered;
        try {
          rendered = await renderInMemory([file], ISTIO_DIST);
        } catch (e) {
          if (KNOWN && KNOWN.test(String((e as Error)?.message))) {
            outcomes.known++;
            return;
          }
          if (!(e instanceof MeshrenderError)) throw new Error(`crash on a mutant of example ${example} (${JSON.stringify(mutations)}): ${(e as Error)?.stack ?? String(e)}`);
          expect(e.diagnostics.length, `${e.message} has no diagnostics`).toBeGreaterThan(0);
          for (const d of e.diagnostics) expect(d.message.length).toBeGreaterThan(0);
          outcomes.refused++;
          return;
        }
        outcomes.rendered++;
        for (const [path, text] of rendered[0]!.tree.files) {
          if (path.endsWith('.yaml')) expect(parseDocument(text).errors, path).toEqual([]);
        }
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    if (process.env.MESHRENDER_FUZZ_RUNS) process.stdout.write(`fuzz outcomes: ${JSON.stringify(outcomes)}\n`);
    // Both kinds of outcome occur, so the mutations are neither all harmless nor all fatal.
    expect(outcomes.refused, JSON.stringify(outcomes)).toBeGreaterThan(0);
    expect(RUNS < 30 || outcomes.rendered > 0, JSON.stringify(outcomes)).toBe(true);
  }, 300_000);
});

// Keeps the mutation function honest: each operation changes the text it is given (or says why not).
describe('mutations', () => {
  const text = 'a: 1\nb:\n  c: [x, y]\n';
  it.each<[Mutation, string]>([
    [{ op: 'flip', at: 0, bit: 0 }, '`: 1\nb:\n  c: [x, y]\n'],
    [{ op: 'delete-key', pick: 0 }, 'b:\n  c: [ x, y ]\n'],
    [{ op: 'duplicate-key', pick: 2 }, 'a: 1\nb:\n  c: [x, y]\n  c: [x, y]\n'],
    [{ op: 'swap', pick: 0, value: REPLACEMENTS.indexOf(null) }, 'a: null\nb:\n  c: [ x, y ]\n'],
    [{ op: 'delete-line', pick: 1 }, 'a: 1\n  c: [x, y]\n'],
    [{ op: 'duplicate-line', pick: 0 }, 'a: 1\na: 1\nb:\n  c: [x, y]\n'],
    [{ op: 'truncate', at: 3 }, 'a: '],
    [{ op: 'insert', at: 1, bytes: [0x41] }, 'aA: 1\nb:\n  c: [x, y]\n'],
  ])('%j', (m, expected) => {
    expect(mutate(Buffer.from(text), m).toString('utf8')).toBe(expected);
  });

  it('finds no pairs of an unparsable document instead of throwing', () => {
    expect(() => mutate(Buffer.from('a: [\n'), { op: 'delete-key', pick: 3 })).not.toThrow();
  });
});
