import { describe, expect, it } from 'vitest';
import { loadReleases } from '../../generator/istio/release.ts';
import { clusterImages, imageList } from '../../generator/images/images.ts';
import { modelFrom, topologyDoc } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST } from '../support/paths.ts';

const canary = () =>
  modelFrom(
    topologyDoc({
      istio: { revisions: [{ name: '1-29-6', version: '1.29.6' }, { name: '1-30-3', version: '1.30.3' }], tags: { default: '1-29-6' } },
    }),
  );

describe('images', () => {
  it('lists pilot only where istiod runs and proxyv2 for every revision a cluster runs', () => {
    const t = canary();
    const primary = clusterImages(t, t.clusters[0]!, new Map()).map((u) => u.image);
    const remote = clusterImages(t, t.clusters[1]!, new Map()).map((u) => u.image);
    expect(primary).toEqual(expect.arrayContaining([
      'registry.istio.io/release/pilot:1.29.6',
      'registry.istio.io/release/pilot:1.30.3',
      'registry.istio.io/release/proxyv2:1.29.6',
      'registry.istio.io/release/proxyv2:1.30.3',
    ]));
    expect(remote.some((i) => i.includes('/pilot:'))).toBe(false);
    expect(remote).toEqual(expect.arrayContaining(['registry.istio.io/release/proxyv2:1.29.6', 'registry.istio.io/release/proxyv2:1.30.3']));
  });

  it('moves every Istio image to a private hub', () => {
    const doc = topologyDoc({ istio: { hub: 'mirror.example.com/istio', revisions: [{ name: 'default', version: '1.30.3' }] } });
    const t = modelFrom(doc);
    for (const u of clusterImages(t, t.clusters[0]!, new Map())) if (u.followsHub) expect(u.image.startsWith('mirror.example.com/istio/')).toBe(true);
  });

  it('adds the verification images only when spec.verify is enabled', () => {
    const doc = topologyDoc();
    (doc.spec as Record<string, unknown>).verify = { enabled: true, clientImage: 'mirror.example.com/curl:1' };
    expect(imageList(modelFrom(doc), new Map())).toContain('mirror.example.com/curl:1');
    expect(imageList(modelFrom(topologyDoc()), new Map()).some((i) => i.includes('curl'))).toBe(false);
  });

  it.skipIf(!HAS_SHARED)('finds the images written literally in the release injection templates, marked as not following the hub', async () => {
    const t = canary();
    const releases = await loadReleases(t, { distDir: ISTIO_DIST });
    const literal = clusterImages(t, t.clusters[0]!, releases).filter((u) => !u.followsHub && u.revision !== null);
    expect(literal.map((u) => u.image)).toContain('busybox:1.28');
    expect(literal.every((u) => /grpc-simple/.test(u.usedBy))).toBe(true);
  });
});
