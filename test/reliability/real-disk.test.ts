/**
 * Real errors from a real file system, where the machine allows it (root with unshare): a full tmpfs
 * (ENOSPC) and a read-only one (EROFS). The injected-error tests cover every call; these prove the
 * same messages and the untouched old tree come from the kernel's own errors. Each case runs in a
 * private mount namespace, so no mount outlives it. Skipped, visibly, elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, toYaml, topologyDoc } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT } from '../support/paths.ts';

const NODE = join(ROOT, 'node_modules/.bin/node');
const canMount =
  process.platform === 'linux' &&
  spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=4k tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=4k tmpfs /tmp'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!canMount || !HAS_SHARED)('a real full or read-only disk', () => {
  it.each([
    ['full', /^\S+\/out\/demo: error: the disk is full; free some space and render again \(the previous tree is unchanged\)$/m],
    ['read-only', /^\S+\/out: error: the file system is read-only; pass --out with a writable directory$|^\S+\/out\/demo: error: the file system is read-only; pass --out with a writable directory$/m],
  ])('%s: exit 1, a clear message, and the old tree unchanged', (mode, message) => {
    const dir = tempDir('meshrender-real-disk-');
    const oldFile = join(dir, 'old.yaml');
    const newFile = join(dir, 'new.yaml');
    writeFileSync(oldFile, toYaml(topologyDoc()));
    writeFileSync(newFile, toYaml(topologyDoc({ mesh: { id: 'mesh2', trustDomain: 'changed.example' } })));
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', NODE, join(ROOT, 'test/reliability/real-disk.child.ts'), mode, join(dir, 'mnt'), oldFile, newFile, ISTIO_DIST], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, MESHRENDER_OFFLINE: '1', MESHRENDER_CACHE_DIR: join(dir, 'cache') },
    });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { first: { code: number; stderr: string }; second: { code: number; stderr: string }; unchanged: boolean; files: number };
    expect(result.first.code, result.first.stderr).toBe(0);
    expect(result.files).toBeGreaterThan(20);
    expect(result.second.code, result.second.stderr).toBe(1);
    expect(result.second.stderr).toMatch(message);
    expect(result.second.stderr).not.toMatch(/^\s+at |internal error/m);
    expect(result.unchanged).toBe(true);
  });
});

describe.skipIf(canMount && HAS_SHARED)('a real full or read-only disk', () => {
  it.skip('skipped: needs Linux, root and unshare --mount (the injected-error tests still run)', () => {});
});
