/**
 * Issue 5's acceptance: two renders of an example that differ by one moved tag, one added revision
 * and one added cluster; meshrender diff prints exactly those events, in Markdown under the bound.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './support/run-cli.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from './support/paths.ts';
import { tempDir, topologyFile, toYaml } from './support/builders.ts';

describe.skipIf(!HAS_SHARED)('meshrender diff on real renders', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});

  it('names exactly a moved tag, an added revision and an added cluster', async () => {
    const base = parse(readFileSync(join(ROOT, 'topologies/canary-upgrade.yaml'), 'utf8')) as Record<string, any>;
    // Base: only 1-29-6, holding default and prod-stable.
    base.spec.istio.revisions = [{ name: '1-29-6', version: '1.29.6' }];
    base.spec.istio.tags = { default: '1-29-6', 'prod-stable': '1-29-6' };
    base.spec.remoteSecrets = { provider: 'external-secrets', store: { name: 'mesh-secrets', kind: 'ClusterSecretStore' } };
    const head = structuredClone(base);
    head.spec.istio.revisions.push({ name: '1-30-3', version: '1.30.3' });
    head.spec.istio.tags['prod-stable'] = '1-30-3';
    head.spec.clusters[0].eastWest = { address: '34.75.71.237' };
    head.spec.clusters.push({ name: 'cluster2', role: 'remote', network: 'network1', controlPlane: 'cluster1', apiServer: 'https://cluster2.example.com:6443', revisions: ['1-29-6'] });
    const out = tempDir();
    const baseFile = topologyFile(toYaml(base), 'canary-upgrade.yaml');
    expect((await runCli(['render', baseFile, '--out', out, '--istio-dist', ISTIO_DIST])).code).toBe(0);
    const headFile = topologyFile(toYaml(head), 'canary-upgrade.yaml');
    const md = await runCli(['diff', headFile, '--base-dir', out, '--format', 'markdown', '--istio-dist', ISTIO_DIST]);
    expect(md.code).toBe(1);
    expect(md.stdout.length).toBeLessThanOrEqual(60_000);
    const events = md.stdout.split('**Mesh events**')[1]!.split('\n\n')[1]!.split('\n');
    expect(events).toEqual([
      '- cluster cluster2 added (remote secret on cluster1)',
      '- cluster1: revision 1-30-3 added (Istio 1.30.3)',
      '- tag prod-stable: 1-29-6 → 1-30-3 (cluster1)',
    ]);
    const same = await runCli(['diff', baseFile, '--base-dir', out, '--istio-dist', ISTIO_DIST]);
    expect(same.stdout).toBe('canary-upgrade: no changes\n');
    expect(same.code).toBe(0);
  });
});
