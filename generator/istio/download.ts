/**
 * Downloads an official Istio release archive into the user's cache, verified.
 * In: a version, the digest the topology pins (if any), a base URL and the cache directory.
 * Out: the path of the cached archive, whose sha256 equals the one published beside it
 * (`<url>.sha256`, "<hex>  <file name>") and the pin. The archive reaches its cache name only
 * after it is verified (temp file + rename), so the cache never holds a partial or unverified file.
 * Every wait is bounded; nothing here retries.
 */
import { randomBytes, createHash } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { archiveName } from './archive.ts';

/** Where Istio publishes release archives: <base>/<version>/istio-<version>-linux-amd64.tar.gz. */
export const ISTIO_RELEASES_URL = 'https://github.com/istio/istio/releases/download';

export interface DownloadOptions {
  /** Base URL, as ISTIO_RELEASES_URL. */
  releasesUrl: string;
  /** Directory the verified archive is stored in. */
  cacheDir: string;
  /** Longest wait for an answer, and between two pieces of the body, in ms. */
  timeoutMs: number;
  /** Longest a whole download may take, in ms. */
  deadlineMs: number;
  /** Largest archive accepted, in bytes. */
  maxArchiveBytes: number;
}

export interface Downloaded {
  /** The archive in the cache. */
  path: string;
  sha256: string;
  url: string;
}

/**
 * Why a download did not give a usable archive. `unavailable`: it could not be fetched (no network,
 * no answer, 404, server error); `refused`: something was fetched and meshrender will not use it.
 */
export class DownloadError extends Error {
  readonly kind: 'unavailable' | 'refused';
  constructor(kind: 'unavailable' | 'refused', message: string) {
    super(message);
    this.name = 'DownloadError';
    this.kind = kind;
  }
}

/** $MESHRENDER_CACHE_DIR, else $XDG_CACHE_HOME/meshrender/istio, else ~/.cache/meshrender/istio. */
export function releaseCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.MESHRENDER_CACHE_DIR) return env.MESHRENDER_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'meshrender', 'istio');
  return join(homedir(), '.cache', 'meshrender', 'istio');
}

/** The URL of a version's archive under a base URL. */
export function archiveUrl(base: string, version: string): string {
  return `${base.replace(/\/+$/, '')}/${version}/${archiveName(version)}`;
}

/**
 * Parses a published digest file: "<64 hex>  <file name>" (the name may carry sha256sum's `*`
 * binary marker, or be absent). Returns the lowercase digest, or null when the text is not that.
 */
export function parseSha256File(text: string, expectedName: string): string | null {
  const line = text.trim().split(/\r?\n/)[0] ?? '';
  const m = /^([0-9a-fA-F]{64})(?:\s+\*?(\S+))?$/.exec(line.trim());
  if (!m) return null;
  if (m[2] !== undefined && m[2].replace(/^.*\//, '') !== expectedName) return null;
  return m[1]!.toLowerCase();
}

/** Downloads, verifies and caches the archive of `version`; `pin` is the digest the topology requires, if any. */
export async function downloadRelease(version: string, pin: string | null, opts: DownloadOptions): Promise<Downloaded> {
  const name = archiveName(version);
  const url = archiveUrl(opts.releasesUrl, version);
  const shaUrl = `${url}.sha256`;

  const shaResponse = await get(shaUrl, opts.timeoutMs);
  if (shaResponse.status === 404) {
    await shaResponse.body?.cancel();
    // Tell "no such release" from "no digest published" by asking for the archive's headers only.
    const head = await get(url, opts.timeoutMs, 'HEAD');
    await head.body?.cancel();
    if (head.status === 404) throw new DownloadError('unavailable', `${url} does not exist (404 Not Found): is ${version} an Istio release? See https://github.com/istio/istio/releases`);
    throw new DownloadError('refused', `${shaUrl} does not exist (404 Not Found), so the archive cannot be verified and meshrender does not use it`);
  }
  if (!shaResponse.ok) {
    await shaResponse.body?.cancel();
    throw new DownloadError('unavailable', `${shaUrl} answered ${shaResponse.status} ${shaResponse.statusText}`.trimEnd());
  }
  const shaText = (await readBody(shaResponse, shaUrl, 4096, opts.timeoutMs, opts.deadlineMs)).toString('utf8');
  const published = parseSha256File(shaText, name);
  if (!published) throw new DownloadError('refused', `${shaUrl} is not a sha256 file for ${name} (expected "<64 hex digits>  ${name}"), so the archive cannot be verified`);
  if (pin && pin !== published) throw new DownloadError('refused', pinMismatch(pin, published, `${url} (digest published in ${shaUrl})`));

  const response = await get(url, opts.timeoutMs);
  if (!response.ok) {
    await response.body?.cancel();
    throw new DownloadError('unavailable', `${url} answered ${response.status} ${response.statusText}`.trimEnd());
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > opts.maxArchiveBytes) {
    await response.body?.cancel();
    throw new DownloadError('refused', `${url} is ${declared} bytes, more than the ${opts.maxArchiveBytes} bytes an Istio release archive may have`);
  }

  await mkdir(opts.cacheDir, { recursive: true });
  const final = join(opts.cacheDir, name);
  const tmp = join(opts.cacheDir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const tmpSha = `${tmp}.sha256`;
  try {
    const actual = await saveBody(response, url, tmp, opts);
    if (actual !== published) throw new DownloadError('refused', `${url} has sha256 ${actual}, but ${shaUrl} publishes ${published}: the download is corrupt or was tampered with`);
    // The digest first: an archive in the cache without one is still accepted, never the reverse mismatch.
    await writeFile(tmpSha, `${published}  ${name}\n`);
    await rename(tmpSha, `${final}.sha256`);
    await rename(tmp, final);
    return { path: final, sha256: actual, url };
  } finally {
    await rm(tmp, { force: true });
    await rm(tmpSha, { force: true });
  }
}

/** The words for an archive whose digest is not the pinned one; names both digests. */
export function pinMismatch(pin: string, actual: string, what: string): string {
  return `${what} has sha256 ${actual}, but the topology pins sha256 ${pin} (spec.istio.revisions[].sha256): it is not the archive the topology trusts; use the official archive or correct the pin`;
}

async function get(url: string, timeoutMs: number, method: 'GET' | 'HEAD' = 'GET'): Promise<Response> {
  if (!/^https?:\/\//i.test(url)) throw new DownloadError('unavailable', `${url} is not an http(s) URL`);
  // Bounds the wait for the headers only: the body has its own bounds (eachChunk), and a signal
  // left running would cut a long but healthy download.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), timeoutMs);
  try {
    return await fetch(url, { method, redirect: 'follow', signal: controller.signal });
  } catch (e) {
    throw new DownloadError('unavailable', `${url}: ${networkProblem(e, url, timeoutMs)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a whole (small) body, bounded in size and time. */
async function readBody(response: Response, url: string, max: number, timeoutMs: number, deadlineMs: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  await eachChunk(response, url, timeoutMs, deadlineMs, (chunk) => {
    bytes += chunk.length;
    if (bytes > max) throw new DownloadError('refused', `${url} is larger than ${max} bytes, which no sha256 file is`);
    chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

/** Streams the body into `path`, bounded; returns its sha256. */
async function saveBody(response: Response, url: string, path: string, opts: DownloadOptions): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'wx');
  let bytes = 0;
  try {
    await eachChunk(response, url, opts.timeoutMs, opts.deadlineMs, async (chunk) => {
      bytes += chunk.length;
      if (bytes > opts.maxArchiveBytes) throw new DownloadError('refused', `${url} is more than the ${opts.maxArchiveBytes} bytes an Istio release archive may have`);
      hash.update(chunk);
      await file.write(chunk);
    });
    await file.sync();
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

/** Feeds each piece of a body to `take`; fails when a piece is slower than timeoutMs or the whole is slower than deadlineMs. */
async function eachChunk(response: Response, url: string, timeoutMs: number, deadlineMs: number, take: (chunk: Buffer) => void | Promise<void>): Promise<void> {
  const body = response.body;
  if (!body) return;
  const reader = body.getReader();
  const started = Date.now();
  try {
    for (;;) {
      const left = deadlineMs - (Date.now() - started);
      if (left <= 0) throw new DownloadError('unavailable', `${url}: the download took longer than ${Math.round(deadlineMs / 1000)} s`);
      const wait = Math.min(timeoutMs, left);
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DownloadError('unavailable', `${url}: no data for ${seconds(wait)}; the connection stalled`)), wait);
      });
      let step: Awaited<ReturnType<typeof reader.read>>;
      try {
        step = await Promise.race([reader.read(), stalled]);
      } catch (e) {
        if (e instanceof DownloadError) throw e;
        throw new DownloadError('unavailable', `${url}: ${networkProblem(e, url, timeoutMs)}`);
      } finally {
        clearTimeout(timer);
      }
      if (step.done) return;
      await take(Buffer.from(step.value));
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Says in a few words why a request failed: refused, unresolvable host, timeout, reset. */
function networkProblem(e: unknown, url: string, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${seconds(timeoutMs)}`;
  const host = safeHost(url);
  switch (err.cause?.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${host}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${host} (no network or no DNS?)`;
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return `network unreachable for ${host}`;
    case 'ECONNRESET':
      return `connection reset by ${host}`;
    default:
      return err.cause?.message ?? err.message ?? String(e);
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
