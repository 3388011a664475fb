/**
 * Downloading Istio releases, against a local HTTP server on 127.0.0.1 only (never the internet):
 * verification against the published .sha256, the cache, pins, and every way a download fails.
 * The archives served are built here at test time from small synthetic files.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forgetLoadedReleases, formatReleaseSource, loadReleases, type ReleaseOptions } from '../../generator/istio/release.ts';
import { planErrorMessages as problems } from '../support/plan-error.ts';
import { tarGz } from '../support/tar-gz.ts';
import { modelFrom, tempDir, topologyDoc } from '../support/builders.ts';

const CRD = 'manifests/charts/base/files/crd-all.gen.yaml';
const FILES = 'manifests/charts/istio-control/istio-discovery/files';
const NAME = 'istio-1.30.3-linux-amd64.tar.gz';


function synthetic(version = '1.30.3') {
  const top = `istio-${version}/`;
  return [
    { name: top, type: 'directory' as const },
    { name: `${top}${CRD}`, content: `# synthetic CRDs of ${version}\n` },
    { name: `${top}${FILES}/injection-template.yaml`, content: `# synthetic template of ${version}\n` },
  ];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What the server answers per path; anything else is a 404. `hang` never answers. */
type Route = { status?: number; body: Buffer | string } | 'hang' | 'stall';
let routes = new Map<string, Route>();
let requests: string[] = [];
let server: Server;
let base: string;
const hanging = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    const route = routes.get(req.url ?? '');
    if (route === 'hang') {
      hanging.add(res);
      return;
    }
    if (route === 'stall') {
      // Promises a megabyte, sends a little, then nothing more.
      res.writeHead(200, { 'content-length': 1024 * 1024 });
      res.write(Buffer.alloc(1000));
      hanging.add(res);
      return;
    }
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const body = typeof route.body === 'string' ? Buffer.from(route.body) : route.body;
    res.writeHead(route.status ?? 200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/releases`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((res) => server.close(res));
});

beforeEach(() => {
  routes = new Map();
  requests = [];
  forgetLoadedReleases();
});

/** Serves an archive and, unless told otherwise, its .sha256 file in the published format. */
function publish(bytes: Buffer, sha: string | null = `${sha256(bytes)}  ${NAME}\n`, version = '1.30.3'): void {
  const name = `istio-${version}-linux-amd64.tar.gz`;
  routes.set(`/releases/${version}/${name}`, { body: bytes });
  if (sha !== null) routes.set(`/releases/${version}/${name}.sha256`, { body: sha });
}

function topology(sha?: string, version = '1.30.3') {
  return modelFrom(topologyDoc({ istio: { revisions: [{ name: 'default', version, ...(sha ? { sha256: sha } : {}) }] } }));
}

function online(cacheDir: string, extra: Partial<ReleaseOptions> = {}): ReleaseOptions {
  return { distDir: null, offline: false, cacheDir, releasesUrl: base, timeoutMs: 2000, ...extra };
}

const HOW_TO_GET = 'download istio-1.30.3-linux-amd64.tar.gz from https://github.com/istio/istio/releases/tag/1.30.3, put it in a directory and pass --istio-dist DIR';

describe('downloading a release', () => {
  it('downloads, verifies against the published sha256, caches, and reads the cache the second time', async () => {
    const bytes = await tarGz(synthetic());
    publish(bytes);
    const cache = join(tempDir(), 'cache', 'istio');
    const first = (await loadReleases(topology(), online(cache))).get('1.30.3')!;
    expect(requests).toEqual([`GET /releases/1.30.3/${NAME}.sha256`, `GET /releases/1.30.3/${NAME}`]);
    expect(first.crds).toBe('# synthetic CRDs of 1.30.3\n');
    expect(first.archiveSha256).toBe(sha256(bytes));
    expect(first.origin).toBe(join(cache, NAME));
    expect(formatReleaseSource(first)).toBe(`istio 1.30.3: sha256 ${sha256(bytes)} (downloaded from ${base}/1.30.3/${NAME}, cached at ${join(cache, NAME)})`);
    // The cache holds the verified archive and its digest, and no temporary file.
    expect(readdirSync(cache).sort()).toEqual([NAME, `${NAME}.sha256`]);
    expect(readFileSync(join(cache, NAME))).toEqual(bytes);
    expect(readFileSync(join(cache, `${NAME}.sha256`), 'utf8')).toBe(`${sha256(bytes)}  ${NAME}\n`);

    forgetLoadedReleases();
    requests = [];
    const second = (await loadReleases(topology(), online(cache))).get('1.30.3')!;
    expect(requests).toEqual([]);
    expect(second.archiveSha256).toBe(sha256(bytes));
    expect(formatReleaseSource(second)).toBe(`istio 1.30.3: sha256 ${sha256(bytes)} (${join(cache, NAME)})`);
  });

  it('uses the cache offline, once a release is there', async () => {
    const bytes = await tarGz(synthetic());
    publish(bytes);
    const cache = tempDir();
    await loadReleases(topology(), online(cache));
    forgetLoadedReleases();
    routes = new Map();
    const release = (await loadReleases(topology(), online(cache, { offline: true }))).get('1.30.3')!;
    expect(release.archiveSha256).toBe(sha256(bytes));
  });

  it('downloads a version missing from the distribution directory', async () => {
    const bytes = await tarGz(synthetic());
    publish(bytes);
    const release = (await loadReleases(topology(), online(tempDir(), { distDir: tempDir() }))).get('1.30.3')!;
    expect(release.archiveSha256).toBe(sha256(bytes));
  });

  it('accepts a download whose digest is the pinned one', async () => {
    const bytes = await tarGz(synthetic());
    publish(bytes);
    const release = (await loadReleases(topology(sha256(bytes)), online(tempDir()))).get('1.30.3')!;
    expect(release.archiveSha256).toBe(sha256(bytes));
  });
});

describe('downloads meshrender refuses or cannot get', () => {
  it('refuses an archive whose sha256 is not the published one, naming both, and caches nothing', async () => {
    const bytes = await tarGz(synthetic());
    const other = 'e'.repeat(64);
    publish(bytes, `${other}  ${NAME}\n`);
    const cache = tempDir();
    expect(await problems(loadReleases(topology(), online(cache)))).toEqual([
      `Istio 1.30.3: ${base}/1.30.3/${NAME} has sha256 ${sha256(bytes)}, but ${base}/1.30.3/${NAME}.sha256 publishes ${other}: the download is corrupt or was tampered with`,
    ]);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('refuses a release without a published sha256, without downloading the archive', async () => {
    publish(await tarGz(synthetic()), null);
    const cache = tempDir();
    expect(await problems(loadReleases(topology(), online(cache)))).toEqual([
      `Istio 1.30.3: ${base}/1.30.3/${NAME}.sha256 does not exist (404 Not Found), so the archive cannot be verified and meshrender does not use it`,
    ]);
    expect(requests).toEqual([`GET /releases/1.30.3/${NAME}.sha256`, `HEAD /releases/1.30.3/${NAME}`]);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('refuses a .sha256 file that is not one', async () => {
    publish(await tarGz(synthetic()), '<html>rate limited</html>');
    expect(await problems(loadReleases(topology(), online(tempDir())))).toEqual([
      `Istio 1.30.3: ${base}/1.30.3/${NAME}.sha256 is not a sha256 file for ${NAME} (expected "<64 hex digits>  ${NAME}"), so the archive cannot be verified`,
    ]);
  });

  it('says a version that does not exist (404) is not there, and how to get it', async () => {
    const cache = tempDir();
    expect(await problems(loadReleases(topology(undefined, '9.9.9'), online(cache)))).toEqual([
      `Istio 9.9.9 is not in the download cache ${cache} and no distribution directory is set (--istio-dist, MESHRENDER_ISTIO_DIST or spec.istio.distribution), and downloading it failed: ${base}/9.9.9/istio-9.9.9-linux-amd64.tar.gz does not exist (404 Not Found): is 9.9.9 an Istio release? See https://github.com/istio/istio/releases; download istio-9.9.9-linux-amd64.tar.gz from https://github.com/istio/istio/releases/tag/9.9.9, put it in a directory and pass --istio-dist DIR, or run where ${new URL(base).host} is reachable`,
    ]);
  });

  it('reports a server error', async () => {
    routes.set(`/releases/1.30.3/${NAME}.sha256`, { status: 503, body: 'busy' });
    const [msg] = await problems(loadReleases(topology(), online(tempDir())));
    expect(msg).toContain(`and downloading it failed: ${base}/1.30.3/${NAME}.sha256 answered 503 Service Unavailable; ${HOW_TO_GET}`);
  });

  it('refuses a download whose published digest is not the pinned one, before fetching the archive', async () => {
    const bytes = await tarGz(synthetic());
    publish(bytes);
    const pin = 'f'.repeat(64);
    expect(await problems(loadReleases(topology(pin), online(tempDir())))).toEqual([
      `Istio 1.30.3: ${base}/1.30.3/${NAME} (digest published in ${base}/1.30.3/${NAME}.sha256) has sha256 ${sha256(bytes)}, but the topology pins sha256 ${pin} (spec.istio.revisions[].sha256): it is not the archive the topology trusts; use the official archive or correct the pin`,
    ]);
    expect(requests).toEqual([`GET /releases/1.30.3/${NAME}.sha256`]);
  });

  it('refuses a cached archive whose digest is not the pinned one', async () => {
    const bytes = await tarGz(synthetic());
    publish(bytes);
    const cache = tempDir();
    await loadReleases(topology(), online(cache));
    const pin = '0'.repeat(64);
    expect(await problems(loadReleases(topology(pin), online(cache)))).toEqual([
      `Istio 1.30.3: ${join(cache, NAME)} has sha256 ${sha256(bytes)}, but the topology pins sha256 ${pin} (spec.istio.revisions[].sha256): it is not the archive the topology trusts; use the official archive or correct the pin`,
    ]);
  });

  it('says clearly when the server is down (connection refused), and how to work offline', async () => {
    const down = createServer();
    await new Promise<void>((res) => down.listen(0, '127.0.0.1', res));
    const port = (down.address() as AddressInfo).port;
    await new Promise((res) => down.close(res));
    const cache = tempDir();
    const url = `http://127.0.0.1:${port}/releases`;
    expect(await problems(loadReleases(topology(), online(cache, { releasesUrl: url })))).toEqual([
      `Istio 1.30.3 is not in the download cache ${cache} and no distribution directory is set (--istio-dist, MESHRENDER_ISTIO_DIST or spec.istio.distribution), and downloading it failed: ${url}/1.30.3/${NAME}.sha256: connection refused by 127.0.0.1:${port}; ${HOW_TO_GET}, or run where 127.0.0.1:${port} is reachable`,
    ]);
  });

  it('gives up on a server that does not answer, within the timeout', async () => {
    routes.set(`/releases/1.30.3/${NAME}.sha256`, 'hang');
    const started = Date.now();
    const [msg] = await problems(loadReleases(topology(), online(tempDir(), { timeoutMs: 300 })));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(msg).toContain(`and downloading it failed: ${base}/1.30.3/${NAME}.sha256: no answer within 300 ms; ${HOW_TO_GET}`);
  });

  it('gives up on a download that stalls halfway, and leaves no partial file in the cache', async () => {
    routes.set(`/releases/1.30.3/${NAME}.sha256`, { body: `${'1'.repeat(64)}  ${NAME}\n` });
    routes.set(`/releases/1.30.3/${NAME}`, 'stall');
    const cache = tempDir();
    const [msg] = await problems(loadReleases(topology(), online(cache, { timeoutMs: 300 })));
    expect(msg).toContain(`and downloading it failed: ${base}/1.30.3/${NAME}: no data for 300 ms; the connection stalled; ${HOW_TO_GET}`);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('offline: asks nothing of the network and says how to get the release', async () => {
    publish(await tarGz(synthetic()));
    const cache = tempDir();
    expect(await problems(loadReleases(topology(), online(cache, { offline: true })))).toEqual([
      `Istio 1.30.3 is not in the download cache ${cache} and no distribution directory is set (--istio-dist, MESHRENDER_ISTIO_DIST or spec.istio.distribution), and meshrender runs offline (--offline or MESHRENDER_OFFLINE), so it does not download it; ${HOW_TO_GET}`,
    ]);
    expect(requests).toEqual([]);
  });

  // Archives whose published digest matches but whose content is unusable: refused, and not left in the cache.
  it.each([
    ['truncated', async () => (await tarGz(synthetic())).subarray(0, 200), /is truncated or corrupt/],
    ['with a ../ entry', () => tarGz([...synthetic(), { name: 'istio-1.30.3/../../../home/user/.bashrc', content: 'x' }]), /holds an entry whose path leaves the archive: "istio-1\.30\.3\/\.\.\/\.\.\/\.\.\/home\/user\/\.bashrc"/],
    ['with a symbolic link pointing out', () => tarGz([...synthetic(), { name: 'istio-1.30.3/escape', type: 'symlink', linkname: '../../etc' }]), /holds a symbolic link istio-1\.30\.3\/escape -> "\.\.\/\.\.\/etc" that points out of istio-1\.30\.3\//],
  ])('refuses a downloaded archive %s and removes it from the cache', async (_name, make, message) => {
    publish(await make());
    const cache = tempDir();
    const [msg] = await problems(loadReleases(topology(), online(cache)));
    expect(msg).toMatch(/^Istio 1\.30\.3: /);
    expect(msg).toMatch(message);
    expect(msg).toContain(`; meshrender removed it from the cache; ${HOW_TO_GET}`);
    expect(existsSync(join(cache, NAME))).toBe(false);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('refuses an archive larger than the bound while downloading it', async () => {
    const bytes = Buffer.alloc(200_000, 1);
    publish(bytes);
    const cache = tempDir();
    const [msg] = await problems(loadReleases(topology(), online(cache, { limits: { maxArchiveBytes: 100_000 } })));
    expect(msg).toBe(`Istio 1.30.3: ${base}/1.30.3/${NAME} is 200000 bytes, more than the 100000 bytes an Istio release archive may have`);
    expect(readdirSync(cache)).toEqual([]);
  });
});

describe('the environment', () => {
  it('MESHRENDER_ISTIO_RELEASES_URL and MESHRENDER_CACHE_DIR say where releases come from and go', async () => {
    const bytes = await tarGz(synthetic());
    publish(bytes);
    const cache = tempDir();
    const saved = { url: process.env.MESHRENDER_ISTIO_RELEASES_URL, cache: process.env.MESHRENDER_CACHE_DIR };
    process.env.MESHRENDER_ISTIO_RELEASES_URL = base;
    process.env.MESHRENDER_CACHE_DIR = cache;
    try {
      const release = (await loadReleases(topology(), { distDir: null, offline: false })).get('1.30.3')!;
      expect(release.origin).toBe(join(cache, NAME));
      expect(release.downloadedFrom).toBe(`${base}/1.30.3/${NAME}`);
    } finally {
      for (const [k, v] of [
        ['MESHRENDER_ISTIO_RELEASES_URL', saved.url],
        ['MESHRENDER_CACHE_DIR', saved.cache],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
