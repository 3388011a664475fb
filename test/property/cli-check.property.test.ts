/**
 * Through the command line, over generated valid topologies: `render` then `render --check` reports
 * nothing and exits 0; a second `render` changes no byte; after a change to the topology, `--check`
 * exits 1, names what would change and writes nothing. MESHRENDER_PROPERTY_RUNS raises the runs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNS, topologyArb } from '../support/arbitraries.ts';
import { tempDir, toYaml } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, sharedSkipReason } from '../support/paths.ts';
import { runCli } from '../support/run-cli.ts';
import { snapshotTree } from '../support/tree-snapshot.ts';

describe.skipIf(!HAS_SHARED)('render and render --check through the CLI', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});
  const saved = process.env.MESHRENDER_OFFLINE;
  beforeAll(() => {
    process.env.MESHRENDER_OFFLINE = '1';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.MESHRENDER_OFFLINE;
    else process.env.MESHRENDER_OFFLINE = saved;
  });

  it('--check after render is clean and writes nothing; a changed topology makes it exit 1, still writing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(topologyArb, fc.nat(), async (doc, pick) => {
        const dir = tempDir('meshrender-cli-prop-');
        const file = join(dir, 'topology.yaml');
        const out = join(dir, 'out');
        writeFileSync(file, toYaml(doc));
        const render = await runCli(['render', file, '--out', out, '--istio-dist', ISTIO_DIST]);
        expect(render.code, render.stderr).toBe(0);
        const written = snapshotTree(out);

        const check = await runCli(['render', file, '--out', out, '--istio-dist', ISTIO_DIST, '--check']);
        expect(check.code, check.stderr).toBe(0);
        expect(check.stdout).toMatch(/is up to date/);
        expect(snapshotTree(out)).toEqual(written);

        const again = await runCli(['render', file, '--out', out, '--istio-dist', ISTIO_DIST]);
        expect(again.code).toBe(0);
        expect(again.stdout).toMatch(/all up to date/);
        expect(snapshotTree(out)).toEqual(written);

        // Change one primary's istiod: --check must see it, name files of that cluster, and write nothing.
        const primaries = doc.spec.clusters.filter((c) => c.role === 'primary');
        const target = primaries[pick % primaries.length]!;
        target.istiod = { env: { PILOT_X: 'changed-by-the-property' } };
        writeFileSync(file, toYaml(doc));
        const stale = await runCli(['render', file, '--out', out, '--istio-dist', ISTIO_DIST, '--check']);
        expect(stale.code).toBe(1);
        expect(stale.stderr).toMatch(new RegExp(`changed +\\S*/clusters/${target.name}/`));
        expect(snapshotTree(out)).toEqual(written);
      }),
      { numRuns: Math.min(RUNS, 6) },
    );
  });
});
