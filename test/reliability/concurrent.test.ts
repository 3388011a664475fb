/**
 * Several renders of one mesh into one output directory at the same time (two CI steps, a watch loop
 * and a hand-run render): each either writes its complete tree or stops with "another meshrender is
 * writing this tree"; the directory ends with one complete tree and no temporary files. Before the lock,
 * a render could delete another's staging directory and fail with ENOENT or ENOTEMPTY.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, toYaml, topologyDoc } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from '../support/paths.ts';
import { snapshotTree } from '../support/tree-snapshot.ts';
import { observedState, temporaryEntries } from './tree-states.ts';

const NODE = join(ROOT, 'node_modules/.bin/node');

describe.skipIf(!HAS_SHARED)('concurrent renders of one mesh', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});

  it('each writes its whole tree or stops cleanly; one complete tree remains', async () => {
    const dir = tempDir('meshrender-concurrent-');
    const out = join(dir, 'out');
    const files = ['a', 'b'].map((v) => {
      const f = join(dir, `${v}.yaml`);
      writeFileSync(f, toYaml(topologyDoc({ mesh: { id: `mesh-${v}` } })));
      return f;
    });
    const env = { ...process.env, MESHRENDER_OFFLINE: '1', MESHRENDER_CACHE_DIR: join(dir, 'cache') };
    const argv = (f: string, o = out) => ['generator/cli.ts', 'render', f, '--out', o, '--istio-dist', ISTIO_DIST];
    const snaps = files.map((f, i) => {
      const ref = join(dir, `ref-${i}`);
      expect(spawnSync(NODE, argv(f, ref), { cwd: ROOT, env }).status).toBe(0);
      return snapshotTree(ref);
    });
    expect(spawnSync(NODE, argv(files[0]!), { cwd: ROOT, env }).status).toBe(0);

    for (let round = 0; round < 2; round++) {
      const runs = await Promise.all(
        [0, 1, 0, 1].map(
          (i) =>
            new Promise<{ code: number | null; stderr: string }>((resolve) => {
              const child = spawn(NODE, argv(files[i]!), { cwd: ROOT, env });
              let stderr = '';
              child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
              child.on('exit', (code) => resolve({ code, stderr }));
            }),
        ),
      );
      for (const r of runs) {
        const errors = r.stderr.split('\n').filter((l) => / error: /.test(l));
        if (r.code === 0) expect(errors).toEqual([]);
        else {
          expect(r.code).toBe(1);
          expect(errors.length, r.stderr).toBeGreaterThan(0);
          for (const e of errors) expect(e).toMatch(/: error: another meshrender \(pid \d+\) is writing this tree; wait for it to finish and render again/);
        }
      }
      const snap = snapshotTree(out);
      expect(temporaryEntries(snap), `round ${round}`).toEqual([]);
      expect(['old', 'new'], `round ${round}`).toContain(observedState(out, 'demo', snaps[0]!, snaps[1]!, snap));
    }
  }, 120_000);
});
