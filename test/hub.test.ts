/**
 * Issue 6's acceptance: with a private hub, every image in the rendered tree and in the injector
 * values points at it, and `images` lists pilot and proxyv2 of both versions of the canary.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadReleases } from '../generator/istio/release.ts';
import { imageList } from '../generator/images/images.ts';
import { buildTree, checkTopology } from '../generator/pipeline.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from './support/paths.ts';
import { topologyFile, toYaml } from './support/builders.ts';

const HUB = 'mirror.example.com/istio';

describe.skipIf(!HAS_SHARED)('a private hub', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});

  it('moves every image of the canary tree and of its injector values', async () => {
    const doc = parse(readFileSync(join(ROOT, 'topologies/canary-upgrade.yaml'), 'utf8')) as Record<string, any>;
    doc.spec.istio.hub = HUB;
    const { topology } = checkTopology(topologyFile(toYaml(doc)));
    const releases = await loadReleases(topology, { distDir: ISTIO_DIST });
    const tree = buildTree(topology, releases);
    let images = 0;
    let injectors = 0;
    for (const [path, text] of tree.files) {
      if (path.startsWith('shared/')) continue;
      // The injector ConfigMap embeds the release's injection templates verbatim: their images come
      // from the values checked below, except busybox in grpc-simple, which `images` flags as literal.
      const injector = /configmap-istio-sidecar-injector/.test(path);
      for (const m of injector ? [] : text.matchAll(/^\s*(?:- )?image: (.+)$/gm)) {
        images++;
        const image = m[1]!.replace(/^"|"$/g, '');
        expect(image === 'auto' || image.startsWith(`${HUB}/`), `${path}: ${image}`).toBe(true);
      }
      if (/configmap-istio-sidecar-injector/.test(path)) {
        injectors++;
        const values = JSON.parse((parse(text) as { data: { values: string } }).data.values) as { global: { hub: string; proxy: { image: string } } };
        expect(values.global.hub).toBe(HUB);
      }
    }
    expect(images).toBeGreaterThan(0);
    expect(injectors).toBe(2);
    expect(imageList(topology, releases).filter((i) => i.includes('/pilot:') || i.includes('/proxyv2:'))).toEqual([
      `${HUB}/pilot:1.29.6`,
      `${HUB}/pilot:1.30.3`,
      `${HUB}/proxyv2:1.29.6`,
      `${HUB}/proxyv2:1.30.3`,
    ]);
  });
});
