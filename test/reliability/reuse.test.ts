/**
 * Re-rendering reuses the clusters whose inputs did not change since the last render on this machine
 * (stages/inputs.ts, stages/render-record.ts): their files are checked on disk instead of rendered.
 * What must hold: the tree is always byte for byte what a fresh render writes, whatever was edited,
 * deleted or replaced by hand; nothing in the committed tree (its index) can make a tampered file
 * pass as rendered; nothing is read through a link; and the worker thread of a large fleet reuses
 * exactly as this thread does.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetTopology } from '../../bench/fleet.ts';
import { WriteError } from '../../generator/errors.ts';
import { loadReleases } from '../../generator/istio/release.ts';
import { checkTopology, renderTopologies, reusingTree } from '../../generator/pipeline.ts';
import type { UpdateEntry } from '../../generator/stages/inputs.ts';
import { MESH_LEVEL } from '../../generator/stages/inputs.ts';
import { readRenderRecord } from '../../generator/stages/render-record.ts';
import type { StreamOptions } from '../../generator/stages/stream.ts';
import { INDEX_FILE, writeTree } from '../../generator/stages/write.ts';
import { loadCatalog } from '../../generator/templating/catalog.ts';
import { tempDir, topologyFile } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST } from '../support/paths.ts';
import { snapshotTree } from '../support/tree-snapshot.ts';

/** A machine: its output directory and its cache of render records. */
const machine = () => ({ out: tempDir(), records: tempDir() });
type Machine = ReturnType<typeof machine>;

const render = (file: string, m: Machine, check = false) => renderTopologies({ topologies: [file], outDir: m.out, check, istioDist: ISTIO_DIST, renderRecords: m.records });

/** Renders like `render`, and returns how each path came: rendered, or kept (and whether found intact). */
async function renderObserved(file: string, m: Machine, stream: Omit<StreamOptions, 'reuse'> = {}): Promise<Map<string, 'rendered' | 'intact' | 'kept, not intact'>> {
  const { topology } = checkTopology(file);
  const releases = await loadReleases(topology, { distDir: ISTIO_DIST });
  const how = new Map<string, 'rendered' | 'intact' | 'kept, not intact'>();
  const tree = reusingTree(topology, releases, loadCatalog(), { outDir: m.out, recordDir: m.records, record: true, stream });
  const files = tree.files as (current: string | null) => Iterable<UpdateEntry>;
  writeTree(m.out, {
    ...tree,
    files: function* (current): Generator<UpdateEntry> {
      for (const entry of files(current)) {
        const [path, content] = entry;
        how.set(path, typeof content === 'string' ? 'rendered' : content.intact ? 'intact' : 'kept, not intact');
        yield entry;
      }
    },
  });
  return how;
}

/** A machine that has rendered a 4-cluster fleet (mesh fleet-4). */
async function renderedFleet(): Promise<{ m: Machine; file: string }> {
  const m = machine();
  const file = topologyFile(fleetTopology({ clusters: 4 }));
  await render(file, m);
  return { m, file };
}

const clusterFiles = (how: Map<string, string>, cluster: string) => [...how].filter(([p]) => p.startsWith(`clusters/${cluster}/`));

describe.skipIf(!HAS_SHARED)('re-rendering reuses unchanged clusters', () => {
  it('records the input digest of every cluster outside the tree, and nothing of it in the tree', async () => {
    const { m, file } = await renderedFleet();
    // One render record (and the checked topology: stages/check-cache.ts).
    const [record, ...others] = readdirSync(m.records).filter((f) => f.endsWith('.record'));
    expect(others).toEqual([]);
    const { records } = readRenderRecord(m.records, join(m.out, 'fleet-4'));
    expect([...records.keys()]).toEqual(['c0001', 'c0002', 'c0003', 'c0004', MESH_LEVEL]);
    for (const r of records.values()) expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(records.get('c0001')!.files.map(([p]) => p)).toContain('clusters/c0001/kustomization.yaml');
    expect(readdirSync(m.records).filter((f) => !f.startsWith('check-'))).toEqual([record]);
    expect(readFileSync(join(m.out, 'fleet-4', INDEX_FILE), 'utf8')).not.toMatch(/input/);
  });

  it('renders nothing again when nothing changed, and finds every file intact', async () => {
    const m = machine();
    const file = topologyFile(fleetTopology({ clusters: 4 }));
    const first = await renderObserved(file, m);
    expect(new Set(first.values())).toEqual(new Set(['rendered']));
    const second = await renderObserved(file, m);
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [path, how] of second) expect(how, path).toBe('intact');
  });

  it('writes again a file edited by hand and one deleted by hand, which --check reports first', async () => {
    const { m, file } = await renderedFleet();
    const fresh = snapshotTree(join(m.out, 'fleet-4'));
    const edited = 'clusters/c0003/00-namespaces/kustomization.yaml';
    const deleted = 'clusters/c0002/kustomization.yaml';
    writeFileSync(join(m.out, 'fleet-4', edited), 'resources: []\n');
    unlinkSync(join(m.out, 'fleet-4', deleted));
    const [check] = await render(file, m, true);
    expect(check!.drift).toMatchObject({ added: [deleted], changed: [edited], removed: [] });
    const how = await renderObserved(file, m);
    expect(how.get(edited)).toBe('kept, not intact');
    expect(how.get(deleted)).toBe('kept, not intact');
    expect(snapshotTree(join(m.out, 'fleet-4'))).toEqual(fresh);
  });

  it('finds a file edited by hand that kept its size and its modification time, once stats are recorded', async () => {
    const { m, file } = await renderedFleet();
    const fresh = snapshotTree(join(m.out, 'fleet-4'));
    // Stats are recorded for files that have not changed for a second: let the tree settle, render again.
    await new Promise((r) => setTimeout(r, 1100));
    await render(file, m);
    const recorded = readRenderRecord(m.records, join(m.out, 'fleet-4')).records.get('c0001')!.files.find(([p]) => p === 'clusters/c0001/kustomization.yaml')!;
    expect(recorded[2]).toMatch(/^\d+:\d+:\d+:\d+$/);
    const edited = join(m.out, 'fleet-4', 'clusters/c0001/kustomization.yaml');
    const before = statSync(edited, { bigint: true });
    const text = readFileSync(edited, 'utf8');
    writeFileSync(edited, text.replace(/[a-z]/, (c) => (c === 'a' ? 'b' : 'a')));
    // Set the modification time back to the nanosecond (touch does; utimes would round it).
    const ns = before.mtimeNs;
    execFileSync('touch', ['-m', '-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, edited]);
    const after = statSync(edited, { bigint: true });
    expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
    expect(after.ctimeNs).not.toBe(before.ctimeNs);
    // And let the edit settle too, so that only the change time tells.
    await new Promise((r) => setTimeout(r, 1100));
    const how = await renderObserved(file, m);
    expect(how.get('clusters/c0001/kustomization.yaml')).toBe('kept, not intact');
    expect(snapshotTree(join(m.out, 'fleet-4'))).toEqual(fresh);
  });

  it('finds a tampered file whose digest was forged in the index too, on the machine that rendered and on a fresh one', async () => {
    const { m, file } = await renderedFleet();
    const tampered = 'clusters/c0001/30-control-plane/kustomization.yaml';
    const bytes = `${readFileSync(join(m.out, 'fleet-4', tampered), 'utf8')}# tampered\n`;
    writeFileSync(join(m.out, 'fleet-4', tampered), bytes);
    const index = join(m.out, 'fleet-4', INDEX_FILE);
    const forged = readFileSync(index, 'utf8').replace(/^[0-9a-f]{64}(?= {2}clusters\/c0001\/30-control-plane\/kustomization\.yaml$)/m, createHash('sha256').update(bytes).digest('hex'));
    expect(forged).not.toBe(readFileSync(index, 'utf8'));
    writeFileSync(index, forged);
    for (const where of [m, { out: m.out, records: tempDir() }]) {
      const [check] = await render(file, where, true);
      expect(check!.drift).toMatchObject({ added: [], changed: [tampered], removed: [] });
    }
  });

  it('renders a cluster whose inputs changed, reuses the others, and writes what a fresh render writes', async () => {
    const m = machine();
    const doc = fleetTopology({ clusters: 6 });
    await render(topologyFile(doc), m);
    // c0002 (a primary) gets other istiod resources: its istiod Deployment changes, nothing else.
    const clusters = (doc.spec as { clusters: Record<string, unknown>[] }).clusters;
    clusters[1] = { ...clusters[1], istiod: { resources: { requests: { cpu: '750m' } } } };
    const changed = topologyFile(doc);
    const how = await renderObserved(changed, m);
    const fresh = machine();
    await render(changed, fresh);
    expect(snapshotTree(join(m.out, 'fleet-6'))).toEqual(snapshotTree(join(fresh.out, 'fleet-6')));
    for (const c of ['c0001', 'c0003', 'c0004', 'c0005', 'c0006']) expect(new Set(clusterFiles(how, c).map(([, h]) => h)), c).toEqual(new Set(['intact']));
    expect(new Set(clusterFiles(how, 'c0002').map(([, h]) => h))).toEqual(new Set(['rendered']));
  });

  it('renders the mesh-level files (shared/, GitOps, README) when only they change, and reuses every cluster', async () => {
    const m = machine();
    const doc = fleetTopology({ clusters: 4 });
    await render(topologyFile(doc), m);
    (doc.spec as { gitops: { repoURL: string } }).gitops.repoURL = 'https://git.example.com/platform/moved.git';
    const changed = topologyFile(doc);
    const how = await renderObserved(changed, m);
    for (const [path, h] of how) expect(h, path).toBe(path.startsWith('clusters/') ? 'intact' : 'rendered');
    const fresh = machine();
    await render(changed, fresh);
    expect(snapshotTree(join(m.out, 'fleet-4'))).toEqual(snapshotTree(join(fresh.out, 'fleet-4')));
    expect(readFileSync(join(m.out, 'fleet-4/argocd/applications/application-c0001.yaml'), 'utf8')).toContain('https://git.example.com/platform/moved.git');
  });

  it('writes again a mesh-level file edited by hand', async () => {
    const { m, file } = await renderedFleet();
    const fresh = snapshotTree(join(m.out, 'fleet-4'));
    writeFileSync(join(m.out, 'fleet-4', 'README.md'), '# mine now\n');
    const how = await renderObserved(file, m);
    expect(how.get('README.md')).toBe('kept, not intact');
    expect(snapshotTree(join(m.out, 'fleet-4'))).toEqual(fresh);
  });

  it('reports a directory of an unchanged cluster replaced by a symbolic link, and reads nothing through it', async () => {
    const { m, file } = await renderedFleet();
    const dir = join(m.out, 'fleet-4', 'clusters/c0004/00-namespaces');
    const elsewhere = join(tempDir(), 'namespaces');
    renameSync(dir, elsewhere);
    symlinkSync(elsewhere, dir);
    const before = snapshotTree(m.out);
    await expect(render(file, m)).rejects.toThrow(WriteError);
    expect(snapshotTree(m.out)).toEqual(before);
  });

  it('replaces the index alone when it was edited by hand and every file is as rendered', async () => {
    const { m, file } = await renderedFleet();
    const index = join(m.out, 'fleet-4', INDEX_FILE);
    const full = readFileSync(index, 'utf8');
    writeFileSync(index, full.split('\n').filter((l) => !l.endsWith('clusters/c0002/kustomization.yaml')).join('\n'));
    const meshDir = statSync(join(m.out, 'fleet-4')).ino;
    const file1 = statSync(join(m.out, 'fleet-4', 'clusters/c0001/kustomization.yaml')).ino;
    const [result] = await render(file, m);
    expect(readFileSync(index, 'utf8')).toBe(full);
    // No swap: the same directory and the same files, and nothing left beside the tree.
    expect(statSync(join(m.out, 'fleet-4')).ino).toBe(meshDir);
    expect(statSync(join(m.out, 'fleet-4', 'clusters/c0001/kustomization.yaml')).ino).toBe(file1);
    expect(result!.drift).toMatchObject({ added: [], changed: [], removed: [], swapped: false });
    expect(readdirSync(m.out)).toEqual(['fleet-4']);
  });

  it('reuses on the worker thread of a large fleet exactly as on this thread', async () => {
    // 130 clusters: enough for the worker thread, which here checks every cluster.
    const file = topologyFile(fleetTopology({ clusters: 130 }));
    const m = machine();
    await render(file, m);
    const fresh = snapshotTree(join(m.out, 'fleet-130'));
    const edited = 'clusters/c0100/kustomization.yaml';
    writeFileSync(join(m.out, 'fleet-130', edited), '# edited\n');
    const how = await renderObserved(file, m, { parallel: true, workerHooks: { workerOnly: true } });
    for (const [path, h] of how) expect(h, path).toBe(path === edited ? 'kept, not intact' : 'intact');
    expect(snapshotTree(join(m.out, 'fleet-130'))).toEqual(fresh);
  });
});
