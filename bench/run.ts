/**
 * npm run bench: renders generated fleets of 10, 100 and 1,000 clusters and compares each render
 * with the floor (a plain script writing the same bytes), measured in the same run. Reports; never
 * fails. Writes docs/performance.json and the table in docs/performance.md.
 *
 * Options: --sizes 10,100,1000  --repeat 3  --istio-dist DIR (default $MESHRENDER_ISTIO_DIST or ../shared/istio-dist)
 *          --work DIR (where trees are written; default the system's temporary directory, i.e. its disk;
 *          /dev/shm measures without the disk)  --no-docs (print only)
 * Trees are deleted only at the end. Before every timed command the benchmark flushes the disk (sync), so no command
 * pays for the writeback of the one before; render and floor alternate.
 */
import { spawnSync } from 'node:child_process';
import { cpus, freemem, totalmem, release as osRelease, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fleetTopology } from './fleet.ts';
import { stringify } from 'yaml';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const NODE = process.execPath;
// meshrender runs with the Node options of `npm run render` (package.json), so the figures are those users get.
const RENDER_SCRIPT = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.render!;
const NODE_OPTIONS = /^node((?: --[^ ]+)*) generator\/cli\.ts render$/.exec(RENDER_SCRIPT)?.[1]?.trim().split(' ').filter(Boolean) ?? [];

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,100,1000' },
    repeat: { type: 'string', default: '3' },
    'istio-dist': { type: 'string' },
    'no-docs': { type: 'boolean', default: false },
    work: { type: 'string' },
  },
});
const sizes = values.sizes!.split(',').map(Number);
const WORK_ROOT = resolve(values.work ?? tmpdir());
const repeat = Math.max(1, Number(values.repeat));
const dist = resolve(values['istio-dist'] ?? process.env.MESHRENDER_ISTIO_DIST ?? join(ROOT, '../shared/istio-dist'));
if (!existsSync(dist)) {
  console.error(`bench: no Istio distribution at ${dist}; pass --istio-dist DIR`);
  process.exit(2);
}

interface Run {
  code: number;
  wallMs: number;
  cpuMs: number;
  maxRssMiB: number;
  output: string;
}

const leftovers: string[] = [];

/** Flushes dirty pages so that the next timed command starts from a quiet disk. */
function settle(): void {
  spawnSync('sync');
}

/** Runs meshrender with render records (stages/render-record.ts) kept in `records`, as on one machine. */
function meshrender(args: string[], records: string): Run {
  settle();
  const env = { ...process.env, MESHRENDER_RENDER_CACHE_DIR: records };
  const r = spawnSync(NODE, [...NODE_OPTIONS, join(ROOT, 'bench/child.ts'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env });
  const last = r.stderr.trim().split('\n').at(-1) ?? '{}';
  const run = JSON.parse(last) as Run;
  if (run.code !== 0 && !args.includes('--check')) throw new Error(`meshrender ${args.join(' ')} failed:\n${run.output}`);
  return run;
}

function floor(source: string): { wallMs: number; files: number; bytes: number } {
  const target = mkdtempSync(join(WORK_ROOT, 'meshrender-floor-'));
  settle();
  const r = spawnSync(NODE, [join(ROOT, 'bench/floor.ts'), source, join(target, 'tree')], { encoding: 'utf8' });
  // Removed at the very end: on a file system mounted with discard, deleting 100,000 files slows the
  // disk for a while, and the command timed next would pay for it.
  leftovers.push(target);
  return JSON.parse(r.stdout.trim()) as { wallMs: number; files: number; bytes: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function mtimes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.set(p, statSync(join(dir, p)).mtimeMs);
    }
  };
  walk('');
  return out;
}

const results: Record<string, unknown>[] = [];
const work = mkdtempSync(join(WORK_ROOT, 'meshrender-bench-'));
// Trees are deleted at the end, and also when a command fails half way.
process.on('exit', () => {
  for (const dir of [...leftovers, work]) rmSync(dir, { recursive: true, force: true });
});
// The machine that renders keeps its render records here; a fresh clone (a CI job) has none.
const records = join(work, 'render-records');
const freshClone = () => mkdtempSync(join(work, 'no-records-'));
for (const n of sizes) {
  const topo = fleetTopology({ clusters: n });
  const file = join(work, `fleet-${n}.yaml`);
  writeFileSync(file, stringify(topo, { lineWidth: 0 }));
  const mesh = `fleet-${n}`;
  const common = ['--istio-dist', dist];
  const fulls: Run[] = [];
  const floors: number[] = [];
  let out = '';
  for (let i = 0; i < repeat; i++) {
    out = join(work, `out-${n}-${i}`);
    fulls.push(meshrender(['render', file, '--out', out, ...common], records));
    floors.push(floor(join(out, mesh)).wallMs);
  }
  const tree = floor(join(out, mesh));
  const before = mtimes(join(out, mesh));
  const reruns = Array.from({ length: repeat }, () => meshrender(['render', file, '--out', out, ...common], records));
  const after = mtimes(join(out, mesh));
  const rewritten = [...after].filter(([p, t]) => before.get(p) !== t).length;
  const checks = Array.from({ length: repeat }, () => meshrender(['render', '--check', file, '--out', out, ...common], records));
  const freshChecks = Array.from({ length: repeat }, () => meshrender(['render', '--check', file, '--out', out, ...common], freshClone()));
  // One cluster changed: a primary's istiod settings.
  const changed = structuredClone(topo) as { spec: { clusters: Record<string, unknown>[] } };
  const oneChanged: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    changed.spec.clusters[0]!.istiod = { env: { BENCH_ITERATION: String(i) } };
    writeFileSync(file, stringify(changed, { lineWidth: 0 }));
    oneChanged.push(meshrender(['render', file, '--out', out, ...common], records));
  }
  const fullWall = median(fulls.map((r) => r.wallMs));
  const floorWall = median(floors);
  const row = {
    clusters: n,
    files: tree.files,
    bytes: tree.bytes,
    full: { wallMs: fullWall, cpuMs: median(fulls.map((r) => r.cpuMs)), maxRssMiB: Math.max(...fulls.map((r) => r.maxRssMiB)), runs: fulls.map((r) => Math.round(r.wallMs)) },
    floor: { wallMs: floorWall, runs: floors.map(Math.round) },
    ratioToFloor: fullWall / floorWall,
    unchanged: { wallMs: median(reruns.map((r) => r.wallMs)), filesRewritten: rewritten, ofFull: median(reruns.map((r) => r.wallMs)) / fullWall },
    check: { wallMs: median(checks.map((r) => r.wallMs)), exitCodes: checks.map((r) => r.code), ofFull: median(checks.map((r) => r.wallMs)) / fullWall },
    checkFreshClone: { wallMs: median(freshChecks.map((r) => r.wallMs)), exitCodes: freshChecks.map((r) => r.code), ofFull: median(freshChecks.map((r) => r.wallMs)) / fullWall },
    oneClusterChanged: { wallMs: median(oneChanged.map((r) => r.wallMs)), output: oneChanged.at(-1)!.output.trim() },
  };
  results.push(row);
  console.log(
    `${n} clusters: ${tree.files} files, ${(tree.bytes / 1048576).toFixed(1)} MiB; full ${fullWall.toFixed(0)} ms (cpu ${row.full.cpuMs.toFixed(0)} ms, rss ${row.full.maxRssMiB.toFixed(0)} MiB); floor ${floorWall.toFixed(0)} ms; ratio ${row.ratioToFloor.toFixed(2)}; unchanged ${row.unchanged.wallMs.toFixed(0)} ms (${rewritten} rewritten); check ${row.check.wallMs.toFixed(0)} ms (fresh clone ${row.checkFreshClone.wallMs.toFixed(0)} ms); one changed ${row.oneClusterChanged.wallMs.toFixed(0)} ms`,
  );
}

const byN = new Map(results.map((r) => [r.clusters as number, r]));
const growth = byN.has(100) && byN.has(1000) ? ((byN.get(1000)!.full as { wallMs: number }).wallMs / (byN.get(100)!.full as { wallMs: number }).wallMs) : null;
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
  freeMemoryGiB: +(freemem() / 2 ** 30).toFixed(1),
  kernel: osRelease(),
  node: process.version,
  date: new Date().toISOString().slice(0, 10),
  repeat,
  workDir: WORK_ROOT,
  nodeOptions: NODE_OPTIONS.join(' '),
};
const report = { machine, growth100to1000: growth, results };
if (!values['no-docs']) writeFileSync(join(ROOT, 'docs/performance.json'), `${JSON.stringify(report, null, 2)}\n`);
if (growth !== null) console.log(`time from 100 to 1000 clusters grows ${growth.toFixed(2)}x`);

if (!values['no-docs']) {
  const docPath = join(ROOT, 'docs/performance.md');
  const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
  const table = [
    `Measured ${machine.date} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node} (${machine.nodeOptions || 'no options'}, as \`npm run render\`); trees written under ${machine.workDir}; medians of ${repeat} runs, the disk flushed before each.`,
    '',
    '| clusters | files | MiB | full render | CPU | peak RSS | floor | render/floor | unchanged (of full; files rewritten) | --check (of full) | --check, fresh clone | one cluster changed |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const x = r as typeof results[number] & Record<string, any>;
      return `| ${x.clusters} | ${x.files} | ${(x.bytes / 1048576).toFixed(1)} | ${ms(x.full.wallMs)} | ${ms(x.full.cpuMs)} | ${x.full.maxRssMiB.toFixed(0)} MiB | ${ms(x.floor.wallMs)} | ${x.ratioToFloor.toFixed(2)}× | ${ms(x.unchanged.wallMs)} (${pct(x.unchanged.ofFull)}; ${x.unchanged.filesRewritten}) | ${ms(x.check.wallMs)} (${pct(x.check.ofFull)}) | ${ms(x.checkFreshClone.wallMs)} | ${ms(x.oneClusterChanged.wallMs)} |`;
    }),
    '',
    growth !== null ? `Growth of full-render time from 100 to 1,000 clusters: ${growth.toFixed(2)}×.` : '',
  ].join('\n');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const next = doc.includes(start) ? doc.replace(new RegExp(`${start}[\\s\\S]*${end}`), `${start}\n${table}\n${end}`) : `${doc}\n${start}\n${table}\n${end}\n`;
  writeFileSync(docPath, next);
  console.log('wrote docs/performance.json and the table in docs/performance.md');
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function ms(x: number): string {
  return x >= 10000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`;
}
