import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inClusterScope } from '../../generator/stages/subset.ts';
import { tempDir, topologyDoc, topologyFile, toYaml } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST } from '../support/paths.ts';
import { runCli } from '../support/run-cli.ts';
import { snapshotTree } from '../support/tree-snapshot.ts';

describe('inClusterScope', () => {
  it.each([
    ['clusters/c1/00-namespaces/kustomization.yaml', true],
    ['flux/c1/kustomization.yaml', true],
    ['argocd/clusters/c1/kustomization.yaml', true],
    ['argocd/applications/application-c1.yaml', true],
    ['argocd/applications/kustomization.yaml', false],
    ['clusters/c10/x.yaml', false],
    ['shared/istio-1.30.3/crds/kustomization.yaml', false],
  ])('%s → %s', (path, expected) => {
    expect(inClusterScope(path, new Set(['c1']))).toBe(expected);
  });
});

describe.skipIf(!HAS_SHARED)('render --cluster', () => {
  it('renders a shard into the existing tree, leaving every other cluster byte for byte', async () => {
    const out = tempDir();
    const doc = topologyDoc();
    const file = topologyFile(doc);
    const args = ['--out', out, '--istio-dist', ISTIO_DIST];
    expect((await runCli(['render', file, ...args])).code).toBe(0);
    const full = snapshotTree(join(out, 'demo'));
    // Change both clusters, render only cluster2: cluster1 keeps its old files.
    (doc.spec.clusters[0] as Record<string, unknown>).istiod = { env: { PILOT_X: 'changed' } };
    (doc.spec.clusters[1] as Record<string, unknown>).network = 'network2';
    doc.spec.networks = { network1: {}, network2: {} } as never;
    writeFileSync(file, toYaml(doc));
    const shard = await runCli(['render', file, '--cluster', 'cluster2', ...args]);
    expect(shard.stderr).not.toMatch(/error/);
    expect(shard.code).toBe(0);
    const after = snapshotTree(join(out, 'demo'));
    for (const [p, v] of full) if (p.startsWith('clusters/cluster1/')) expect(after.get(p), p).toBe(v);
    expect(readFileSync(join(out, 'demo/clusters/cluster2/00-namespaces/namespaces/namespace-istio-system.yaml'), 'utf8')).toMatch(/network2/);
    // The shard is now current; cluster1 is not.
    expect((await runCli(['render', '--check', file, '--cluster', 'cluster2', ...args])).code).toBe(0);
    expect((await runCli(['render', '--check', file, '--cluster', 'cluster1', ...args])).code).toBe(1);
  });

  it('refuses an unknown cluster and a tree that was never rendered whole', async () => {
    const file = topologyFile(topologyDoc());
    const bad = await runCli(['render', file, '--cluster', 'nope', '--out', tempDir(), '--istio-dist', ISTIO_DIST]);
    expect(bad.code).toBe(2);
    const fresh = await runCli(['render', file, '--cluster', 'cluster1', '--out', tempDir(), '--istio-dist', ISTIO_DIST]);
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toMatch(/render the whole mesh once first/);
  });
});
