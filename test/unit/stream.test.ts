/**
 * The stream of a mesh's files (stages/stream.ts): the same files in the same order whether a
 * worker thread renders most clusters or this thread renders them all, and the same as the
 * in-memory tree that the other commands build.
 */
import { describe, expect, it } from 'vitest';
import { fleetTopology } from '../../bench/fleet.ts';
import { buildTree, checkTopology } from '../../generator/pipeline.ts';
import { loadReleases } from '../../generator/istio/release.ts';
import { meshTreeFiles } from '../../generator/stages/stream.ts';
import { loadCatalog } from '../../generator/templating/catalog.ts';
import { topologyFile } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST } from '../support/paths.ts';

describe.skipIf(!HAS_SHARED)('the stream of a fleet', () => {
  it('is identical, file for file and in order, with and without the worker thread', async () => {
    // 150 clusters: past the point where the worker takes over from this thread.
    const { topology } = checkTopology(topologyFile(fleetTopology({ clusters: 150 })));
    const releases = await loadReleases(topology, { distDir: ISTIO_DIST });
    const catalog = loadCatalog();
    const serial = [...meshTreeFiles(topology, releases, catalog, null, { parallel: false })];
    const parallel = [...meshTreeFiles(topology, releases, catalog, null, { parallel: true })];
    expect(parallel.length).toBe(serial.length);
    expect(parallel.map(([p]) => p)).toEqual(serial.map(([p]) => p));
    expect(parallel).toEqual(serial);
    // Every cluster rendered on the worker: the same again.
    expect([...meshTreeFiles(topology, releases, catalog, null, { parallel: true, workerHooks: { workerOnly: true } })]).toEqual(serial);
    // And the in-memory tree is the same files, sorted.
    expect([...buildTree(topology, releases, catalog).files]).toEqual([...serial].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('gives up a worker that never answers and renders every cluster on this thread, the same files', async () => {
    const { topology } = checkTopology(topologyFile(fleetTopology({ clusters: 70 })));
    const releases = await loadReleases(topology, { distDir: ISTIO_DIST });
    const catalog = loadCatalog();
    const serial = [...meshTreeFiles(topology, releases, catalog, null, { parallel: false })];
    // Every cluster left to the worker, which takes the first and never answers.
    const silent = { script: new URL('../fixtures/workers/silent.mjs', import.meta.url), giveUpMs: 300, workerOnly: true };
    expect([...meshTreeFiles(topology, releases, catalog, null, { parallel: true, workerHooks: silent })]).toEqual(serial);
  });

  it('reports an unexpected failure on the worker instead of writing a partial tree', async () => {
    const { topology } = checkTopology(topologyFile(fleetTopology({ clusters: 70 })));
    const releases = await loadReleases(topology, { distDir: ISTIO_DIST });
    const failing = { script: new URL('../fixtures/workers/failing.mjs', import.meta.url), workerOnly: true };
    expect(() => [...meshTreeFiles(topology, releases, loadCatalog(), null, { parallel: true, workerHooks: failing })]).toThrow(/rendering cluster c0001 on the worker thread failed: Error: boom in the worker/);
  });
});
