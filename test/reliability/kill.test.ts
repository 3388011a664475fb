/**
 * Crash mid-write: renders a fleet of many clusters over an older render of it in a child process and
 * kills it with SIGKILL at many moments, spread over the duration of a render measured first, and,
 * for half of the kills, over its write phase (from the moment the staging directory appears). After
 * each kill out/<mesh> must hold the complete old tree or the complete new tree (or, between the two
 * renames of the swap, the journal and the complete new tree staged beside it), and the next render
 * must succeed and leave exactly the new tree with no temporary files. MESHRENDER_KILL_RUNS raises
 * the number of kills (default 12).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from '../support/paths.ts';
import { snapshotTree } from '../support/tree-snapshot.ts';
import { observedState, temporaryEntries, type TreeState } from './tree-states.ts';

const KILLS = Number(process.env.MESHRENDER_KILL_RUNS ?? 12);
const NODE = join(ROOT, 'node_modules/.bin/node');
const MESH = 'fleet';

/** A fleet of `n` clusters in groups of a primary and three remotes, on two networks. */
function fleetTopology(n: number, trustDomain: string, skip: ReadonlySet<number> = new Set()): string {
  let s = `apiVersion: meshrender.dev/v1alpha1
kind: MeshTopology
metadata:
  name: ${MESH}
spec:
  mesh:
    id: mesh1
    trustDomain: ${trustDomain}
  istio:
    revisions:
      - { name: default, version: 1.30.3 }
  networks: { network1: {}, network2: {} }
  clusters:
`;
  for (let i = 0; i < n; i++) {
    if (skip.has(i)) continue;
    const group = Math.floor(i / 4);
    const network = `network${(group % 2) + 1}`;
    s +=
      i % 4 === 0
        ? `    - { name: c${i}, role: primary, network: ${network}, apiServer: "https://c${i}.example.com:6443", eastWest: { address: 10.1.${group}.1 } }\n`
        : `    - { name: c${i}, role: remote, network: ${network}, controlPlane: c${i - (i % 4)}, apiServer: "https://c${i}.example.com:6443" }\n`;
  }
  return s;
}

interface Run {
  /** ms from spawn to the staging directory's first sighting (null if never seen). */
  staged: number | null;
  /** ms from spawn to exit. */
  ended: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) linkTree(join(from, e.name), join(to, e.name));
    else linkSync(join(from, e.name), join(to, e.name));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAS_SHARED)('SIGKILL during render', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});

  it(`leaves the old tree or the new one after each of ${KILLS} kills, and the next render finishes cleanly`, async () => {
    const work = tempDir('meshrender-kill-');
    const out = join(work, 'out');
    const pristine = join(work, 'pristine-old');
    const oldFile = join(work, 'old.yaml');
    const newFile = join(work, 'new.yaml');
    // New adds clusters, removes two and changes the trust domain: files are added, changed and removed.
    writeFileSync(oldFile, fleetTopology(40, 'old.example'));
    writeFileSync(newFile, fleetTopology(44, 'new.example', new Set([5, 6])));
    const env = { ...process.env, MESHRENDER_OFFLINE: '1', MESHRENDER_CACHE_DIR: join(work, 'cache') };
    const argv = (topology: string) => ['generator/cli.ts', 'render', topology, '--out', out, '--istio-dist', ISTIO_DIST];
    const renderSync = (topology: string) => spawnSync(NODE, argv(topology), { cwd: ROOT, env, encoding: 'utf8' });

    const first = renderSync(oldFile);
    expect(first.status, first.stderr).toBe(0);
    // A file meshrender did not write must survive every kill and every recovery.
    writeFileSync(join(out, MESH, 'NOTES.md'), 'kept by hand\n');
    cpSync(join(out, MESH), pristine, { recursive: true });
    const oldSnap = snapshotTree(out);
    // Hard links are enough: meshrender never changes a file in place (and if it did, oldSnap, read once, would catch it).
    const reset = () => {
      rmSync(out, { recursive: true, force: true });
      linkTree(pristine, join(out, MESH));
    };

    /**
     * Starts the render of the new topology and kills it `killAt` ms after the start, or `afterStaged` ms
     * after the staging directory appears, or `afterOld` ms after the old tree was moved aside (the swap
     * is done and the old tree is being removed).
     */
    const startRender = async (plan: { killAt?: number; afterStaged?: number; afterOld?: number }): Promise<Run> => {
      const t0 = performance.now();
      const child = spawn(NODE, argv(newFile), { cwd: ROOT, env, stdio: 'ignore' });
      let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
      const exited = new Promise<void>((resolve) => child.on('exit', (code, signal) => ((exit = { code, signal }), resolve())));
      let staged: number | null = null;
      let killed = false;
      let oldSeen: number | null = null;
      const staging = join(out, `.${MESH}.meshrender-new`);
      const oldDir = join(out, `.${MESH}.meshrender-old`);
      while (exit === null) {
        const now = performance.now() - t0;
        if (staged === null && existsSync(staging)) staged = now;
        if (plan.afterOld !== undefined && oldSeen === null && existsSync(oldDir)) oldSeen = now;
        const due =
          plan.killAt !== undefined
            ? now >= plan.killAt
            : plan.afterStaged !== undefined
              ? staged !== null && now >= staged + plan.afterStaged
              : plan.afterOld !== undefined && oldSeen !== null && now >= oldSeen + plan.afterOld;
        if (due && !killed) {
          child.kill('SIGKILL');
          killed = true;
        }
        await Promise.race([exited, sleep(1)]);
      }
      await exited;
      const e = exit as { code: number | null; signal: NodeJS.Signals | null };
      return { staged, ended: performance.now() - t0, code: e.code, signal: e.signal };
    };

    // Measure an uninterrupted render of the new topology over the old tree: it also gives the new tree.
    const calibration = await startRender({});
    expect(calibration.code).toBe(0);
    const newSnap = snapshotTree(out);
    expect(newSnap.get(`${MESH}/NOTES.md`)).toBe(oldSnap.get(`${MESH}/NOTES.md`));
    expect(temporaryEntries(newSnap)).toEqual([]);
    const duration = calibration.ended;
    const writePhase = calibration.staged === null ? 50 : Math.max(5, duration - calibration.staged);

    const seen = new Map<TreeState, number>();
    for (let i = 0; i < KILLS; i++) {
      reset();
      // A third of the kills spread over the whole render (start-up, load, render, write), a third over the
      // write phase, a third just after the swap, while the old tree is being removed.
      const fraction = (Math.floor(i / 3) + 0.5) / Math.ceil(KILLS / 3);
      const plan = i % 3 === 0 ? { killAt: fraction * duration * 1.1 } : i % 3 === 1 ? { afterStaged: fraction * writePhase } : { afterOld: fraction * 10 };
      const run = await startRender(plan);
      const state = observedState(out, MESH, oldSnap, newSnap);
      const label = `kill ${i} (${JSON.stringify(plan)}, ${run.signal ?? `exit ${run.code}`}, staged at ${run.staged?.toFixed(0) ?? '-'} ms)`;
      expect(['old', 'new', 'staged-new'], label).toContain(state);
      if (run.signal === null) expect(state, `${label}: finished before the kill`).toBe('new');
      seen.set(state, (seen.get(state) ?? 0) + 1);

      const next = renderSync(newFile);
      expect(next.status, `${label}: next render: ${next.stderr}`).toBe(0);
      const after = snapshotTree(out);
      expect(temporaryEntries(after), label).toEqual([]);
      expect(observedState(out, MESH, oldSnap, newSnap, after), label).toBe('new');
    }
    // Both outcomes occurred, so the kills did land before and after the swap.
    expect(seen.get('old') ?? 0, JSON.stringify([...seen])).toBeGreaterThan(0);
    expect(KILLS < 3 || (seen.get('new') ?? 0) > 0, JSON.stringify([...seen])).toBe(true);
  }, 180_000);
});
