import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    // Tests never download an Istio release nor read the developer's cache.
    env: { MESHRENDER_OFFLINE: '1', MESHRENDER_CACHE_DIR: join(tmpdir(), 'meshrender-test-no-cache') },
  },
});
