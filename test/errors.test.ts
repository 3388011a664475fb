/**
 * Error cases as folders: test/errors/<case>/topology.yaml and expected.txt (first line `exit N`,
 * then exactly what meshrender prints on stderr). The wording of errors is part of the product:
 * review expected.txt by hand. MESHRENDER_UPDATE_ERRORS=1 rewrites them.
 *
 * An optional case.json beside them describes what a case needs besides a topology file (see CaseSpec):
 * other arguments (wrong usage), a generated topology (too large to commit), an output directory
 * prepared by an earlier render or made into a link or a file, a file-system error injected into the
 * write stage, or an Istio distribution holding a hostile release archive built at test time.
 * Every case runs offline with an empty download cache, and must leave its whole work directory
 * (output, distribution, cache) byte-for-byte as it was, print no stack trace, and exit 1 (2 for usage).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MESH_RULES } from '../generator/stages/rules/index.ts';
import { buildArchive } from './reliability/archives.ts';
import { tempDir } from './support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from './support/paths.ts';
import { runCli } from './support/run-cli.ts';
import { snapshotTree } from './support/tree-snapshot.ts';

/** What case.json may say. Paths are relative to the case's work directory ($WORK) unless noted. */
interface CaseSpec {
  /** Why the case exists (for readers; not used). */
  description?: string;
  /**
   * The command line. Placeholders: $TOPOLOGY (the case's topology file, or the generated one),
   * $OUT ($WORK/out), $DIST (the distribution directory), $WORK.
   * @default ["render", "$TOPOLOGY", "--out", "$OUT", "--istio-dist", "$DIST"]
   */
  argv?: string[];
  /**
   * Which Istio distribution $DIST is: none (a directory that does not exist), shared (../shared/istio-dist,
   * the case is skipped without it), or archive (a directory holding the archive described by `archive`).
   * @default none
   */
  dist?: 'none' | 'shared' | 'archive';
  /** A hostile or broken release archive put into $DIST (see test/reliability/archives.ts). */
  archive?: { version: string; kind: string; sha256File?: 'matching' | 'wrong' };
  /**
   * Generate the topology from topology.yaml at test time instead of committing it: padded with comment
   * lines to `bytes`, or with `count` entries under spec.networks.
   */
  generate?: { kind: 'padded'; bytes: number } | { kind: 'many-networks'; count: number };
  /** Render this file of the case folder into $OUT first (with ../shared/istio-dist), so there is an old tree. */
  previous?: string;
  /** Then change the work directory: make directories, files or symbolic links, or remove paths. */
  setup?: ({ mkdir: string } | { file: string; content: string } | { symlink: string; target: string } | { remove: string })[];
  /** Make the write stage's nth call of a node:fs function fail with an errno code. */
  inject?: { call: string; code: string; nth?: number };
}

const fault = vi.hoisted(() => ({ plan: null as null | { call: string; code: string; nth: number }, calls: 0 }));

// The write stage takes its file system from generator/fs/index.ts: wrap it so a case can inject an error.
vi.mock('../generator/fs/index.ts', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../generator/fs/index.ts')>();
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(mod.nodeFs)) {
    if (typeof fn !== 'function') continue;
    wrapped[name] = (...args: unknown[]) => {
      if (fault.plan && fault.plan.call === name && ++fault.calls === fault.plan.nth) {
        const e = new Error(`${fault.plan.code}: injected by the error case, ${name} '${String(args[0])}'`) as NodeJS.ErrnoException;
        e.code = fault.plan.code;
        e.path = String(args[0]);
        throw e;
      }
      return (fn as (...a: unknown[]) => unknown)(...args);
    };
  }
  return { ...mod, nodeFs: wrapped };
});

const CASES_DIR = join(ROOT, 'test/errors');
const cases = readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(CASES_DIR, e.name, 'expected.txt')))
  .map((e) => e.name)
  .sort();

function specOf(name: string): CaseSpec {
  const file = join(CASES_DIR, name, 'case.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CaseSpec) : {};
}

const needsShared = (s: CaseSpec) => s.dist === 'shared' || s.previous !== undefined;

const savedEnv = { offline: process.env.MESHRENDER_OFFLINE, cache: process.env.MESHRENDER_CACHE_DIR, dist: process.env.MESHRENDER_ISTIO_DIST };
beforeAll(() => {
  process.env.MESHRENDER_OFFLINE = '1';
  delete process.env.MESHRENDER_ISTIO_DIST;
});
afterAll(() => {
  for (const [k, v] of [
    ['MESHRENDER_OFFLINE', savedEnv.offline],
    ['MESHRENDER_CACHE_DIR', savedEnv.cache],
    ['MESHRENDER_ISTIO_DIST', savedEnv.dist],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

async function inRoot<T>(f: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    return await f();
  } finally {
    process.chdir(cwd);
  }
}

describe('error cases', () => {
  if (!HAS_SHARED && cases.some((c) => needsShared(specOf(c)))) it.skip(`cases that render first are ${sharedSkipReason()}`, () => {});

  it.each(cases)('%s', async (name) => {
    const spec = specOf(name);
    if (needsShared(spec) && !HAS_SHARED) return;
    const work = tempDir('meshrender-errors-');
    const generated = tempDir('meshrender-errors-gen-');
    const out = join(work, 'out');
    mkdirSync(join(out, 'keep'), { recursive: true });
    writeFileSync(join(out, 'keep', 'file.yaml'), 'kept: true\n');
    process.env.MESHRENDER_CACHE_DIR = join(work, 'cache');

    let topology = `test/errors/${name}/topology.yaml`;
    if (spec.generate) {
      topology = join(generated, 'topology.yaml');
      const text = readFileSync(join(CASES_DIR, name, 'topology.yaml'), 'utf8');
      const g = spec.generate;
      writeFileSync(topology, g.kind === 'padded' ? padded(text, g.bytes) : manyNetworks(text, g.count));
    }
    let dist = join(work, 'no-such-dist');
    if (spec.dist === 'shared') dist = ISTIO_DIST;
    if (spec.dist === 'archive') {
      dist = join(work, 'dist');
      mkdirSync(dist);
      const a = spec.archive!;
      const bytes = await buildArchive(a.version, a.kind);
      const file = join(dist, `istio-${a.version}-linux-amd64.tar.gz`);
      writeFileSync(file, bytes);
      if (a.sha256File) {
        const digest = a.sha256File === 'matching' ? createHash('sha256').update(bytes).digest('hex') : 'f'.repeat(64);
        writeFileSync(`${file}.sha256`, `${digest}  istio-${a.version}-linux-amd64.tar.gz\n`);
      }
    }
    if (spec.previous) {
      const prev = await inRoot(() => runCli(['render', `test/errors/${name}/${spec.previous}`, '--out', out, '--istio-dist', ISTIO_DIST]));
      expect(prev.stderr, 'the previous render').not.toMatch(/error:/);
      expect(prev.code, 'the previous render').toBe(0);
    }
    for (const step of spec.setup ?? []) {
      if ('mkdir' in step) mkdirSync(join(work, step.mkdir), { recursive: true });
      else if ('file' in step) writeFileSync(join(work, step.file), step.content);
      else if ('symlink' in step) symlinkSync(step.target, join(work, step.symlink));
      else rmSync(join(work, step.remove), { recursive: true, force: true });
    }

    const before = snapshotTree(work);
    const fill = (a: string) => a.replaceAll('$TOPOLOGY', topology).replaceAll('$OUT', out).replaceAll('$DIST', dist).replaceAll('$WORK', work);
    const argv = (spec.argv ?? ['render', '$TOPOLOGY', '--out', '$OUT', '--istio-dist', '$DIST']).map(fill);
    fault.plan = spec.inject ? { call: spec.inject.call, code: spec.inject.code, nth: spec.inject.nth ?? 1 } : null;
    fault.calls = 0;
    let run;
    try {
      run = await inRoot(() => runCli(argv));
    } finally {
      fault.plan = null;
    }
    if (spec.inject) expect(fault.calls, 'the injected call was reached').toBeGreaterThanOrEqual(spec.inject.nth ?? 1);

    const actual = normalise(`exit ${run.code}\n${run.stderr}`, [
      [work, '$WORK'],
      [generated, '$GENERATED'],
      [ISTIO_DIST, '$SHARED_DIST'],
    ]);
    const expectedFile = join(CASES_DIR, name, 'expected.txt');
    if (process.env.MESHRENDER_UPDATE_ERRORS) writeFileSync(expectedFile, actual);
    expect(actual).toBe(readFileSync(expectedFile, 'utf8'));
    expect(run.code === 1 || run.code === 2, 'exit code').toBe(true);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(snapshotTree(work)).toEqual(before);
  });

  it('has a case for every mesh rule', () => {
    const expectedTexts = cases.map((c) => readFileSync(join(CASES_DIR, c, 'expected.txt'), 'utf8')).join('\n');
    const missing = MESH_RULES.filter((r) => !expectedTexts.includes(`[${r.id}]`)).map((r) => `${r.id} ${r.name}`);
    expect(missing, 'add a folder under test/errors/ with a topology that breaks each of these rules').toEqual([]);
  });

  it('has at least forty cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });
});

/** Replaces every spelling of each directory (absolute, real path, relative to the repository) with a placeholder. */
function normalise(text: string, dirs: [string, string][]): string {
  const forms: [string, string][] = [];
  for (const [dir, name] of dirs) {
    const spellings = new Set([dir.replace(/\/$/, ''), safeRealpath(dir), relative(ROOT, dir)]);
    for (const s of spellings) if (s) forms.push([s, name]);
  }
  // Longest first, so "../../tmp/x" is replaced before "/tmp/x" inside it.
  forms.sort((a, b) => b[0].length - a[0].length);
  let t = text;
  for (const [s, name] of forms) t = t.replaceAll(s, name);
  return t;
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** The topology with `count` networks (network1 and padding networks). */
function manyNetworks(text: string, count: number): string {
  const lines = Array.from({ length: count - 1 }, (_, i) => `    pad${i}: {}\n`).join('');
  return text.replace('    network1: {}\n', `    network1: {}\n${lines}`);
}

/** The topology text followed by comment lines up to `bytes` bytes. */
function padded(text: string, bytes: number): string {
  const line = `# ${'padding '.repeat(12)}\n`;
  const count = Math.max(0, Math.ceil((bytes - text.length) / line.length));
  return text + line.repeat(count);
}
