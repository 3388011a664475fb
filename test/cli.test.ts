import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from './support/paths.ts';
import { runCli } from './support/run-cli.ts';
import { snapshotTree } from './support/tree-snapshot.ts';
import { tempDir, topologyDoc, topologyFile, toYaml } from './support/builders.ts';

describe('meshrender CLI: usage', () => {
  it('shows commands and examples in --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/render \[topology\.\.\]/);
    expect(r.stdout).toMatch(/validate \[topology\.\.\]/);
    const h = await runCli(['render', '--help']);
    expect(h.stdout).toMatch(/Examples:/);
    expect(h.stdout).toMatch(/--check/);
  });

  it.each([
    [['frobnicate']],
    [['render', '--no-such-flag']],
    [[]],
    [['render', 'no/such/*.yaml']],
    [['validate', '--explain', 'MR999']],
  ])('exits 2 on wrong usage: %j', async (args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('prints the JSON Schema', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('explains a rule by ID', async () => {
    const r = await runCli(['validate', '--explain', 'MR006']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^MR006 control-plane-reachable\n\n/);
  });

  it('validates the example topologies', async () => {
    const r = await runCli(['validate', join(ROOT, 'topologies/*.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(6);
  });

  it('reports two topologies that would write to one directory', async () => {
    const a = topologyFile(topologyDoc({ name: 'same' }), 'a.yaml');
    const b = topologyFile(topologyDoc({ name: 'same' }), 'b.yaml');
    const r = await runCli(['validate', a, b]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/metadata\.name "same" is also the name of/);
  });
});

describe.skipIf(!HAS_SHARED)('meshrender CLI: render and --check', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});

  it('renders, is up to date right after, and reports drift after a topology change without writing', async () => {
    const out = tempDir();
    const file = topologyFile(topologyDoc());
    const args = ['--out', out, '--istio-dist', ISTIO_DIST];
    const first = await runCli(['render', file, ...args]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^demo: 2 cluster\(s\), \d+ files in .*: \d+ added, 0 changed, 0 removed\n$/);

    const again = await runCli(['render', file, ...args]);
    expect(again.stdout).toMatch(/all up to date/);
    expect((await runCli(['render', '--check', file, ...args])).code).toBe(0);

    const doc = topologyDoc();
    (doc.spec.clusters[1] as { network: string }).network = 'network2';
    doc.spec.networks = { network1: {}, network2: {} } as never;
    writeFileSync(file, toYaml(doc));
    const before = snapshotTree(out);
    const check = await runCli(['render', '--check', file, ...args]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/is stale; run `meshrender render`/);
    expect(check.stderr).toMatch(/changed .*clusters\/cluster2\/00-namespaces\/namespaces\/namespace-istio-system\.yaml/);
    expect(snapshotTree(out)).toEqual(before);
  });

  it('renders byte-identical trees twice from scratch', async () => {
    const file = topologyFile(topologyDoc());
    const a = tempDir();
    const b = tempDir();
    await runCli(['render', file, '--out', a, '--istio-dist', ISTIO_DIST]);
    await runCli(['render', file, '--out', b, '--istio-dist', ISTIO_DIST]);
    expect(snapshotTree(a)).toEqual(snapshotTree(b));
    expect(readFileSync(join(a, 'demo/.meshrender-index'), 'utf8')).toBe(readFileSync(join(b, 'demo/.meshrender-index'), 'utf8'));
  });

  it('leaves the output untouched when a topology has mistakes', async () => {
    const out = tempDir();
    const good = topologyFile(topologyDoc());
    await runCli(['render', good, '--out', out, '--istio-dist', ISTIO_DIST]);
    const before = snapshotTree(out);
    const bad = topologyDoc();
    (bad.spec.clusters[0] as Record<string, unknown>).role = 'primry';
    (bad.spec.clusters[1] as Record<string, unknown>).netwrok = 'x';
    writeFileSync(good, toYaml(bad));
    const r = await runCli(['render', good, '--out', out, '--istio-dist', ISTIO_DIST]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/:\d+:\d+: error: /);
    expect(snapshotTree(out)).toEqual(before);
  });
});
