/**
 * Fidelity report: renders each example topology in memory and compares every cluster with the
 * upstream Helm renders in ../shared/istio-reference/<version>/<scenario>/<cluster>/ (fidelity.ts does
 * the comparing). Run it: `node_modules/.bin/node test/support/fidelity-report.ts [--summary] [scenario...]`
 * or `npm run fidelity -- [scenario...]`. Exits 1 when a scenario differs beyond docs/fidelity.md.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTree, checkTopology } from '../../generator/pipeline.ts';
import { loadReleases } from '../../generator/istio/release.ts';
import type { OutputTree } from '../../generator/types.ts';
import {
  type ClusterComparison,
  type Deviation,
  type K8sObject,
  type ObjectDiff,
  clusterObjects,
  clustersOf,
  compareCluster,
  danglingRoleRefs,
  describeId,
  idKey,
  isCrd,
  isFaithful,
  isReferenceFile,
  objectId,
  parseDeviations,
  parseObjects,
} from './fidelity.ts';
import { HAS_SHARED, ISTIO_DIST, ISTIO_REFERENCE, ROOT, sharedSkipReason } from './paths.ts';

export const REFERENCE_VERSION = '1.30.3';
export const REFERENCE_DIR = join(ISTIO_REFERENCE, REFERENCE_VERSION);
export const DEVIATIONS_FILE = join(ROOT, 'docs/fidelity.md');

const dirsIn = (dir: string) =>
  readdirSync(dir)
    .filter((n) => !n.startsWith('_') && !n.startsWith('.') && statSync(join(dir, n)).isDirectory())
    .sort();

/** The reference scenarios (folders of the reference tree; _scenarios/ excluded). */
export function referenceScenarios(): string[] {
  return dirsIn(REFERENCE_DIR);
}

export function referenceClusters(scenario: string): string[] {
  return dirsIn(join(REFERENCE_DIR, scenario));
}

/** Every object of a reference cluster: each *.yaml of its folder except the *.values.yaml beside the renders. */
export function loadReferenceCluster(scenario: string, cluster: string): K8sObject[] {
  const dir = join(REFERENCE_DIR, scenario, cluster);
  return readdirSync(dir)
    .filter(isReferenceFile)
    .sort()
    .flatMap((n) => parseObjects(readFileSync(join(dir, n), 'utf8'), join(dir, n)));
}

/** The CRDs as the base chart of the reference version renders them. */
export function loadReferenceCrds(): K8sObject[] {
  const file = join(REFERENCE_DIR, 'crds.yaml');
  return parseObjects(readFileSync(file, 'utf8'), file);
}

export function loadDeviations(file = DEVIATIONS_FILE): Deviation[] {
  return parseDeviations(readFileSync(file, 'utf8'));
}

/** topologies/<scenario>.yaml through the pipeline, in memory, with the releases of ../shared/istio-dist. */
export async function renderScenario(scenario: string): Promise<OutputTree> {
  const { topology } = checkTopology(join(ROOT, 'topologies', `${scenario}.yaml`));
  const releases = await loadReleases(topology, { distDir: ISTIO_DIST });
  return buildTree(topology, releases);
}

export interface Ratio {
  matched: number;
  total: number;
}

export interface ScenarioFidelity {
  scenario: string;
  /** Set when the scenario could not be rendered or resolved; nothing else is then meaningful. */
  error: string | null;
  clusters: ClusterComparison[];
  /** Per cluster, our CRDs against crds.yaml. */
  crds: ClusterComparison[];
  /** Per cluster, bindings whose roleRef names no rendered role. */
  rbac: { cluster: string; problems: string[] }[];
  /** Per cluster, objects we render that the reference does not have (Namespaces, ...): information only. */
  extra: { cluster: string; objects: string[] }[];
  objects: Ratio;
  leaves: Ratio;
  crdObjects: Ratio;
  crdLeaves: Ratio;
  /** Every difference is a documented deviation, and every binding names a rendered role. */
  faithful: boolean;
  used: Set<Deviation>;
}

/** Renders one scenario and compares each of its reference clusters. */
export async function measureScenario(scenario: string, deviations: readonly Deviation[]): Promise<ScenarioFidelity> {
  const out: ScenarioFidelity = {
    scenario,
    error: null,
    clusters: [],
    crds: [],
    rbac: [],
    extra: [],
    objects: { matched: 0, total: 0 },
    leaves: { matched: 0, total: 0 },
    crdObjects: { matched: 0, total: 0 },
    crdLeaves: { matched: 0, total: 0 },
    faithful: false,
    used: new Set(),
  };
  try {
    const tree = await renderScenario(scenario);
    const ours = new Set(clustersOf(tree.files));
    const refCrds = loadReferenceCrds();
    for (const cluster of referenceClusters(scenario)) {
      const mine = ours.has(cluster) ? clusterObjects(tree.files, cluster).map((o) => o.object) : [];
      const refs = loadReferenceCluster(scenario, cluster);
      const c = compareCluster(scenario, cluster, refs.filter((o) => !isCrd(o)), mine.filter((o) => !isCrd(o)), deviations);
      const k = compareCluster(scenario, cluster, refCrds, mine.filter(isCrd), deviations);
      out.clusters.push(c);
      out.crds.push(k);
      out.rbac.push({ cluster, problems: ours.has(cluster) ? danglingRoleRefs(mine) : [`cluster ${cluster} is not rendered`] });
      const known = new Set(refs.map((o) => idKey(objectId(o))));
      out.extra.push({ cluster, objects: mine.filter((o) => !isCrd(o) && !known.has(idKey(objectId(o)))).map((o) => describeId(objectId(o))) });
      for (const d of [...c.used, ...k.used]) out.used.add(d);
    }
  } catch (e) {
    out.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return out;
  }
  const add = (r: Ratio, s: Ratio) => ((r.matched += s.matched), (r.total += s.total));
  for (const c of out.clusters) add(out.objects, c.objects), add(out.leaves, c.leaves);
  for (const c of out.crds) add(out.crdObjects, c.objects), add(out.crdLeaves, c.leaves);
  out.faithful = [...out.clusters, ...out.crds].every(isFaithful) && out.rbac.every((r) => r.problems.length === 0);
  return out;
}

const ratio = (r: Ratio) => `${r.matched}/${r.total}`;
const percent = (r: Ratio) => (r.total === 0 ? '100%' : `${Math.floor((1000 * r.matched) / r.total) / 10}%`);

/** `<scenario>: objects a/b leaves c/d (p%) · crds a/b leaves c/d · faithful|DIFFERS`. */
export function summaryLine(s: ScenarioFidelity): string {
  if (s.error) return `${s.scenario}: ERROR ${s.error.split('\n')[0]}`;
  return `${s.scenario}: objects ${ratio(s.objects)} leaves ${ratio(s.leaves)} (${percent(s.leaves)}) · crds ${ratio(s.crdObjects)} leaves ${ratio(s.crdLeaves)} · ${s.faithful ? 'faithful' : 'DIFFERS'}`;
}

/** The full report of one scenario: the summary, then per cluster what is missing and what differs. */
export function formatScenario(s: ScenarioFidelity): string {
  const lines = [summaryLine(s)];
  if (s.error) {
    lines.push(...s.error.split('\n').slice(1).map((l) => `  ${l}`));
    return lines.join('\n');
  }
  s.clusters.forEach((c, i) => {
    const k = s.crds[i]!;
    lines.push(`  ${c.cluster}: objects ${ratio(c.objects)} leaves ${ratio(c.leaves)} · crds ${ratio(k.objects)} leaves ${ratio(k.leaves)}`);
    for (const cmp of [c, k]) {
      for (const m of cmp.missing) {
        lines.push(`    missing ${describeId(m.id)} (${m.leaves} leaves)${m.deviation ? `  [allowed: ${m.deviation.reason}]` : ''}`);
      }
      lines.push(...formatDiffs(cmp.diffs));
    }
    for (const p of s.rbac[i]!.problems) lines.push(`    rbac ${p}`);
    const extra = s.extra[i]!.objects;
    if (extra.length > 0) lines.push(`    (not in the reference, not compared: ${extra.join(', ')})`);
  });
  return lines.join('\n');
}

/** Differing leaves grouped by object; a subtree we lack is one line with its leaf count. */
export function formatDiffs(diffs: readonly ObjectDiff[]): string[] {
  const lines: string[] = [];
  let current = '';
  let allowed = 0;
  for (let i = 0; i < diffs.length; i++) {
    const d = diffs[i]!;
    if (d.deviation) {
      allowed++;
      continue;
    }
    const object = describeId(d.id);
    if (object !== current) {
      lines.push(`    differs ${object}`);
      current = object;
    }
    if (d.missingAt !== null) {
      let n = 1;
      while (i + n < diffs.length && diffs[i + n]!.missingAt === d.missingAt && !diffs[i + n]!.deviation && idKey(diffs[i + n]!.id) === idKey(d.id)) n++;
      const where = d.missingAt || '(root)';
      lines.push(n === 1 && d.missingAt === d.path ? `      - ${where}: absent, expected ${show(d.expected)}` : `      - ${where}: absent (${n} leaves${n === 1 ? `, ${d.path} = ${show(d.expected)}` : ''})`);
      i += n - 1;
    } else {
      lines.push(`      ~ ${d.path}: ${showDifference(d.expected, d.actual)}`);
    }
  }
  if (allowed > 0) lines.push(`    (${allowed} differing leaves allowed by docs/fidelity.md)`);
  return lines;
}

function show(v: unknown, max = 120): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

/** Long strings (injection templates) show where they first differ, with a little context. */
export function showDifference(expected: unknown, actual: unknown): string {
  if (typeof expected === 'string' && typeof actual === 'string' && Math.max(expected.length, actual.length) > 120) {
    let at = 0;
    while (at < expected.length && expected[at] === actual[at]) at++;
    const line = expected.slice(0, at).split('\n').length;
    const from = Math.max(0, at - 30);
    return `strings differ from char ${at} (line ${line}; lengths ${expected.length} vs ${actual.length}): expected …${JSON.stringify(expected.slice(from, at + 50))}… got …${JSON.stringify(actual.slice(from, at + 50))}…`;
  }
  return `expected ${show(expected)}, got ${show(actual)}`;
}

/** Deviations that allowed nothing in the measured scenarios: candidates for removal. */
export function unusedDeviations(deviations: readonly Deviation[], results: readonly ScenarioFidelity[]): Deviation[] {
  const used = new Set(results.flatMap((r) => [...r.used]));
  const measured = new Set(results.map((r) => r.scenario));
  return deviations.filter((d) => !used.has(d) && (d.scenario === '*' || measured.has(d.scenario)));
}

async function main(argv: readonly string[]): Promise<number> {
  if (!HAS_SHARED) {
    process.stderr.write(`fidelity: ${sharedSkipReason()}\n`);
    return 2;
  }
  const summaryOnly = argv.includes('--summary');
  const asked = argv.filter((a) => !a.startsWith('--'));
  const known = referenceScenarios();
  const unknown = asked.filter((a) => !known.includes(a));
  if (unknown.length > 0) {
    process.stderr.write(`fidelity: unknown scenario ${unknown.join(', ')}; the reference has ${known.join(', ')}\n`);
    return 2;
  }
  const deviations = loadDeviations();
  const results: ScenarioFidelity[] = [];
  for (const scenario of asked.length > 0 ? asked : known) {
    if (!existsSync(join(ROOT, 'topologies', `${scenario}.yaml`))) {
      process.stderr.write(`fidelity: no topologies/${scenario}.yaml for reference scenario ${scenario}\n`);
    }
    const r = await measureScenario(scenario, deviations);
    results.push(r);
    process.stdout.write(`${summaryOnly ? summaryLine(r) : formatScenario(r)}\n${summaryOnly ? '' : '\n'}`);
  }
  for (const d of unusedDeviations(deviations, results)) {
    process.stdout.write(`note: deviation ${d.scenario} ${d.cluster} ${d.kind} ${d.name} ${d.path ?? '(whole object)'} allowed nothing\n`);
  }
  return results.every((r) => r.faithful) ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
