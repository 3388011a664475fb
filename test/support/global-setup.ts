/**
 * Runs once around the whole test run. Says once, visibly, when the tests that need ../shared/ are
 * skipped, and gives the run one temporary root (TMPDIR, inherited by the test workers and by every
 * CLI they spawn) that is removed at the end, so no run leaves directories behind in the system's
 * temporary directory. Render records (stages/render-record.ts) go there too, never into the
 * developer's cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAS_SHARED, sharedSkipReason } from './paths.ts';

export default function setup(): () => void {
  if (!HAS_SHARED) {
    process.stdout.write(`\nmeshrender tests: ${sharedSkipReason()}.\nTests of rendering with real Istio releases and of fidelity to the upstream charts are skipped.\n\n`);
  }
  const root = mkdtempSync(join(tmpdir(), 'meshrender-tests-'));
  const previous = { TMPDIR: process.env.TMPDIR, MESHRENDER_RENDER_CACHE_DIR: process.env.MESHRENDER_RENDER_CACHE_DIR };
  process.env.TMPDIR = root;
  process.env.MESHRENDER_RENDER_CACHE_DIR = join(root, 'render-records');
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };
}
