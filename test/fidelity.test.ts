/**
 * Fidelity to the upstream charts (issue 3, "Fidelity, measured"; docs/fidelity.md): each example topology,
 * rendered in memory, against ../shared/istio-reference/<version>/<scenario>/. 100% of reference objects and
 * leaves, CRDs equal to crds.yaml, every binding naming a rendered role; only docs/fidelity.md may excuse a
 * difference. `npm run fidelity -- <scenario>` prints the full list of what differs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ScenarioFidelity, formatScenario, loadDeviations, measureScenario, referenceScenarios, summaryLine, unusedDeviations } from './support/fidelity-report.ts';
import { HAS_SHARED, ROOT, sharedSkipReason } from './support/paths.ts';

const MAX_REPORT_LINES = 80;

if (!HAS_SHARED) it.skip(`fidelity to the upstream charts: ${sharedSkipReason()}`, () => {});

describe.skipIf(!HAS_SHARED)('fidelity to the upstream Istio charts', () => {
  const scenarios = HAS_SHARED ? referenceScenarios() : [];
  const deviations = HAS_SHARED ? loadDeviations() : [];
  const results = new Map<string, ScenarioFidelity>();

  it('has an example topology for every reference scenario', () => {
    expect(scenarios.filter((s) => !existsSync(join(ROOT, 'topologies', `${s}.yaml`)))).toEqual([]);
  });

  it.each(scenarios)('%s: every reference object and leaf, deviations aside', async (scenario) => {
    const r = await measureScenario(scenario, deviations);
    results.set(scenario, r);
    process.stdout.write(`fidelity ${summaryLine(r)}\n`);
    const report = formatScenario(r).split('\n');
    const shown = report.length > MAX_REPORT_LINES ? [...report.slice(0, MAX_REPORT_LINES), `… ${report.length - MAX_REPORT_LINES} more lines: npm run fidelity -- ${scenario}`] : report;
    expect(r.error, r.error ?? '').toBeNull();
    expect(r.faithful, shown.join('\n')).toBe(true);
  });

  it('every deviation in docs/fidelity.md still allows something', () => {
    if (results.size < scenarios.length) return; // a filtered run measured only some scenarios
    const unused = unusedDeviations(deviations, [...results.values()]);
    expect(unused.map((d) => `${d.scenario} ${d.cluster} ${d.kind} ${d.name} ${d.path ?? 'whole object'}`)).toEqual([]);
  });
});
