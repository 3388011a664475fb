/**
 * meshrender never talks to the network or a cluster while it renders: with every Istio release it
 * needs in the distribution directory (and without --offline, so nothing hides a download), render,
 * render --check, validate, images and diff of every example open no socket, resolve no name and start
 * no process. Sockets, DNS, fetch and child processes are replaced by tripwires for this file only.
 */
import childProcess, { spawnSync as namedSpawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from '../support/paths.ts';
import { runCli } from '../support/run-cli.ts';

const attempts: string[] = [];
const restore: (() => void)[] = [];

function trip<T extends object, K extends keyof T>(owner: T, key: K, label: string): void {
  const original = owner[key];
  (owner as Record<PropertyKey, unknown>)[key as PropertyKey] = (...args: unknown[]) => {
    attempts.push(`${label}(${args.map((a) => (typeof a === 'function' ? 'fn' : JSON.stringify(a)?.slice(0, 80))).join(', ')})`);
    throw new Error(`tripwire: ${label} called while rendering`);
  };
  restore.push(() => {
    (owner as Record<PropertyKey, unknown>)[key as PropertyKey] = original;
  });
}

describe.skipIf(!HAS_SHARED)('no network, no cluster, no processes while rendering', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});
  const saved = { offline: process.env.MESHRENDER_OFFLINE, cache: process.env.MESHRENDER_CACHE_DIR };

  beforeAll(() => {
    delete process.env.MESHRENDER_OFFLINE;
    process.env.MESHRENDER_CACHE_DIR = join(tempDir(), 'empty-cache');
    trip(net.Socket.prototype, 'connect', 'net.Socket.connect');
    trip(dgram.Socket.prototype, 'send', 'dgram.Socket.send');
    trip(dns, 'lookup', 'dns.lookup');
    trip(dns, 'resolve', 'dns.resolve');
    trip(dns.promises, 'lookup', 'dns.promises.lookup');
    trip(globalThis, 'fetch', 'fetch');
    for (const f of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) trip(childProcess, f, `child_process.${f}`);
    // Named imports of node:child_process (import { spawnSync } ...) see the tripwires too.
    syncBuiltinESMExports();
  });

  afterAll(() => {
    for (const r of restore.reverse()) r();
    syncBuiltinESMExports();
    for (const [k, v] of [
      ['MESHRENDER_OFFLINE', saved.offline],
      ['MESHRENDER_CACHE_DIR', saved.cache],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('the tripwires work', () => {
    expect(() => net.connect(1, '127.0.0.1')).toThrow(/tripwire/);
    expect(() => childProcess.spawnSync('true')).toThrow(/tripwire/);
    expect(() => namedSpawnSync('true')).toThrow(/tripwire/);
    expect(() => fetch('https://example.com')).toThrow(/tripwire/);
    attempts.length = 0;
  });

  it('render, render --check, validate, images and diff of every example', async () => {
    const out = tempDir();
    const examples = join(ROOT, 'topologies/*.yaml');
    const commands = [
      ['render', examples, '--out', out, '--istio-dist', ISTIO_DIST],
      ['render', examples, '--out', out, '--istio-dist', ISTIO_DIST, '--check'],
      ['render', examples, '--out', out, '--istio-dist', ISTIO_DIST, '--validate'],
      ['validate', examples],
      ['validate', '--rendered', out],
      ['images', examples, '--istio-dist', ISTIO_DIST],
      ['diff', examples, '--base-dir', out, '--istio-dist', ISTIO_DIST],
    ];
    for (const argv of commands) {
      const r = await runCli(argv);
      expect(r.stderr, argv.join(' ')).not.toMatch(/internal error|tripwire/);
      expect(r.code, `${argv.join(' ')}\n${r.stderr}`).toBe(0);
    }
    expect(attempts).toEqual([]);
  });
});
