/**
 * The Istio release is an input: meshrender reads the CRDs and the injection templates of each
 * version from the official release, never from this repository.
 * In: a topology and where releases live. Out: one IstioRelease per version the topology uses.
 * Each version is looked up, in order, in the distribution directory (istio-<version>-linux-amd64.tar.gz,
 * then an istio-<version>/ tree), in the download cache, and last downloaded from Istio's releases
 * (unless offline). A digest the topology pins is checked against every archive. Every problem of
 * every version is reported at once as a PlanError; nothing here writes outside the cache.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
import { PlanError } from '../errors.ts';
import type { Topology } from '../types.ts';
import { ArchiveError, archiveName, CRD_FILE, DEFAULT_ARCHIVE_LIMITS, DISCOVERY_FILES_DIR, readReleaseArchive, type ArchiveContents, type ArchiveLimits } from './archive.ts';
import { archiveUrl, DownloadError, downloadRelease, ISTIO_RELEASES_URL, parseSha256File, pinMismatch, releaseCacheDir } from './download.ts';

export { archiveName, CRD_FILE, DISCOVERY_FILES_DIR } from './archive.ts';

/** The parts of one Istio release that meshrender embeds verbatim. */
export interface IstioRelease {
  version: string;
  /** Directory or archive it was read from. */
  origin: string;
  /** sha256 of the release archive, when read from one. */
  archiveSha256: string | null;
  /** Text of manifests/charts/base/files/crd-all.gen.yaml. */
  crds: string;
  /** Files of manifests/charts/istio-control/istio-discovery/files/, by file name (injection templates, profiles). */
  discoveryFiles: ReadonlyMap<string, string>;
  /** The URL the archive was downloaded from during this load, when it was. @default null */
  downloadedFrom?: string | null;
}

export interface ReleaseOptions {
  /** --istio-dist, else $MESHRENDER_ISTIO_DIST; when unset, spec.istio.distribution of each topology. */
  distDir: string | null;
  /** Never download; a version found nowhere locally is an error. @default true when $MESHRENDER_OFFLINE is 1 or true */
  offline?: boolean;
  /** Where downloaded archives are kept. @default releaseCacheDir(process.env) */
  cacheDir?: string;
  /** Base URL of the release archives. @default $MESHRENDER_ISTIO_RELEASES_URL, else ISTIO_RELEASES_URL */
  releasesUrl?: string;
  /** Longest wait for a server's answer or the next piece of a download, in ms. @default 30000 */
  timeoutMs?: number;
  /** Longest a whole download may take, in ms. @default 900000 */
  deadlineMs?: number;
  /** Size bounds for archives. @default DEFAULT_ARCHIVE_LIMITS */
  limits?: Partial<ArchiveLimits>;
}

/** ReleaseOptions with every default applied. */
interface Settings {
  distDir: string | null;
  offline: boolean;
  cacheDir: string;
  releasesUrl: string;
  timeoutMs: number;
  deadlineMs: number;
  limits: ArchiveLimits;
}

/** Fills the options a caller left out from the environment and the defaults. */
export function releaseSettings(opts: ReleaseOptions, env: Readonly<Record<string, string | undefined>> = process.env): Settings {
  return {
    distDir: opts.distDir,
    offline: opts.offline ?? /^(1|true|yes)$/i.test(env.MESHRENDER_OFFLINE ?? ''),
    cacheDir: resolve(opts.cacheDir ?? releaseCacheDir(env)),
    releasesUrl: opts.releasesUrl ?? (env.MESHRENDER_ISTIO_RELEASES_URL || ISTIO_RELEASES_URL),
    timeoutMs: opts.timeoutMs ?? 30_000,
    deadlineMs: opts.deadlineMs ?? 15 * 60_000,
    limits: { ...DEFAULT_ARCHIVE_LIMITS, ...opts.limits },
  };
}

/** The distribution directory for a topology, by precedence. */
export function distributionDir(topology: Topology, opts: ReleaseOptions): string | null {
  if (opts.distDir) return opts.distDir;
  if (topology.istio.distribution) return resolve(dirname(topology.file), topology.istio.distribution);
  return null;
}

/** Every Istio version a topology uses, sorted. */
export function versionsOf(topology: Topology): string[] {
  return [...new Set(topology.istio.revisions.map((r) => r.version))].sort(compareVersions);
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * The digest each version is pinned to (null when none), or the messages of versions whose
 * revisions pin different digests: one archive has one digest.
 */
export function pinnedDigests(topology: Topology): { pins: Map<string, string | null>; conflicts: string[] } {
  const pins = new Map<string, string | null>();
  const conflicts: string[] = [];
  for (const version of versionsOf(topology)) {
    const pinning = topology.istio.revisions.filter((r) => r.version === version && r.sha256);
    const digests = [...new Set(pinning.map((r) => r.sha256!.toLowerCase()))];
    pins.set(version, digests[0] ?? null);
    if (digests.length > 1) {
      const who = pinning.map((r) => `revision ${r.name} pins ${r.sha256}`).join(', ');
      conflicts.push(`Istio ${version} is pinned to ${digests.length} different sha256 digests (${who}); one release archive has one digest, so give the same sha256 to every revision of ${version}`);
    }
  }
  return { pins, conflicts };
}

/** Archive contents already read in this process, by path, size and modification time. */
const archiveMemo = new Map<string, ArchiveContents>();
/** Directory trees already read in this process, by resolved path. */
const treeMemo = new Map<string, IstioRelease>();

/** Forgets the releases read so far in this process (tests of the download cache use it). */
export function forgetLoadedReleases(): void {
  archiveMemo.clear();
  treeMemo.clear();
}

/** Loads every release a topology needs; reports every problem of every version at once. */
export async function loadReleases(topology: Topology, opts: ReleaseOptions): Promise<Map<string, IstioRelease>> {
  const settings = releaseSettings({ ...opts, distDir: distributionDir(topology, opts) });
  const problem = (message: string): Diagnostic => ({ file: topology.file, severity: 'error', message });
  const { pins, conflicts } = pinnedDigests(topology);
  if (conflicts.length > 0) throw new PlanError('Istio release pins disagree', conflicts.map(problem));
  if (settings.distDir && !(await isDirectory(settings.distDir))) {
    const from = opts.distDir ? '--istio-dist or MESHRENDER_ISTIO_DIST' : 'spec.istio.distribution';
    throw new PlanError('no Istio distribution directory', [problem(`the Istio distribution directory ${settings.distDir} (${from}) does not exist or is not a directory`)]);
  }
  const out = new Map<string, IstioRelease>();
  const problems: Diagnostic[] = [];
  for (const version of versionsOf(topology)) {
    try {
      out.set(version, await loadRelease(version, pins.get(version) ?? null, settings));
    } catch (e) {
      if (e instanceof ReleaseProblem) problems.push(problem(e.message));
      else throw e;
    }
  }
  if (problems.length > 0) throw new PlanError('Istio releases are missing', problems);
  return out;
}

/** One version's problem, worded for the user; loadReleases collects them into a PlanError. */
class ReleaseProblem extends Error {}

/** How to get a release by hand, for every message about a release meshrender could not use. */
function howToGet(version: string): string {
  return `download ${archiveName(version)} from https://github.com/istio/istio/releases/tag/${version}, put it in a directory and pass --istio-dist DIR`;
}

async function loadRelease(version: string, pin: string | null, s: Settings): Promise<IstioRelease> {
  const name = archiveName(version);
  if (s.distDir) {
    const archive = join(s.distDir, name);
    if (await isFile(archive)) return await fromArchive(version, pin, archive, s, `replace it with the official ${name} from https://github.com/istio/istio/releases/tag/${version}`);
    const tree = join(s.distDir, `istio-${version}`);
    if (await isDirectory(tree)) {
      if (pin)
        throw new ReleaseProblem(
          `Istio ${version} is pinned to sha256 ${pin}, but ${s.distDir} holds only the directory tree ${tree}/, which has no archive digest to check; put ${name} beside it, or remove the pin`,
        );
      return await fromTree(version, tree);
    }
  }
  const cached = join(s.cacheDir, name);
  if (await isFile(cached)) return await fromArchive(version, pin, cached, s, `delete it and meshrender downloads it again, or ${howToGet(version)}`);

  const places = s.distDir
    ? `Istio ${version} is not in ${s.distDir} (neither ${name} nor istio-${version}/) nor in the download cache ${s.cacheDir}`
    : `Istio ${version} is not in the download cache ${s.cacheDir} and no distribution directory is set (--istio-dist, MESHRENDER_ISTIO_DIST or spec.istio.distribution)`;
  if (s.offline) throw new ReleaseProblem(`${places}, and meshrender runs offline (--offline or MESHRENDER_OFFLINE), so it does not download it; ${howToGet(version)}`);

  let downloaded;
  try {
    downloaded = await downloadRelease(version, pin, { releasesUrl: s.releasesUrl, cacheDir: s.cacheDir, timeoutMs: s.timeoutMs, deadlineMs: s.deadlineMs, maxArchiveBytes: s.limits.maxArchiveBytes });
  } catch (e) {
    if (!(e instanceof DownloadError)) throw new ReleaseProblem(`Istio ${version}: downloading ${archiveUrl(s.releasesUrl, version)} into ${s.cacheDir} failed: ${e instanceof Error ? e.message : String(e)}`);
    if (e.kind === 'unavailable') throw new ReleaseProblem(`${places}, and downloading it failed: ${e.message}; ${howToGet(version)}, or run where ${hostOf(s.releasesUrl)} is reachable`);
    throw new ReleaseProblem(`Istio ${version}: ${e.message}`);
  }
  try {
    const release = await fromArchive(version, pin, downloaded.path, s, `meshrender removed it from the cache; ${howToGet(version)}`);
    return { ...release, downloadedFrom: downloaded.url };
  } catch (e) {
    // Verified against its published digest but unusable: keep the cache to archives that work.
    await rm(downloaded.path, { force: true });
    await rm(`${downloaded.path}.sha256`, { force: true });
    throw e;
  }
}

/**
 * Reads an archive (once per process) and checks its digest against the topology's pin and against
 * a `<archive>.sha256` file beside it, when there is one.
 */
async function fromArchive(version: string, pin: string | null, path: string, s: Settings, remedy: string): Promise<IstioRelease> {
  const st = await stat(path);
  const key = `${resolve(path)}\0${st.size}\0${st.mtimeMs}`;
  let contents = archiveMemo.get(key);
  if (!contents) {
    try {
      contents = await readReleaseArchive(path, version, s.limits);
    } catch (e) {
      if (e instanceof ArchiveError) throw new ReleaseProblem(`Istio ${version}: ${e.message}; ${remedy}`);
      if ((e as NodeJS.ErrnoException).code) throw new ReleaseProblem(`Istio ${version}: cannot read ${path}: ${(e as Error).message}`);
      throw e;
    }
    archiveMemo.set(key, contents);
  }
  const beside = await readOptional(`${path}.sha256`);
  if (beside !== null) {
    const published = parseSha256File(beside, archiveName(version));
    if (published === null) throw new ReleaseProblem(`Istio ${version}: ${path}.sha256 is not a sha256 file for ${archiveName(version)} (expected "<64 hex digits>  ${archiveName(version)}")`);
    if (published !== contents.sha256)
      throw new ReleaseProblem(`Istio ${version}: ${path} has sha256 ${contents.sha256}, but ${path}.sha256 beside it says ${published}: the archive is corrupt or was replaced; ${remedy}`);
  }
  if (pin && pin !== contents.sha256) throw new ReleaseProblem(`Istio ${version}: ${pinMismatch(pin, contents.sha256, path)}`);
  return { version, origin: path, archiveSha256: contents.sha256, crds: contents.crds, discoveryFiles: contents.discoveryFiles, downloadedFrom: null };
}

async function fromTree(version: string, root: string): Promise<IstioRelease> {
  const key = resolve(root);
  const hit = treeMemo.get(key);
  if (hit) return hit;
  const incomplete = (path: string) => new ReleaseProblem(`${path} is missing: ${root} is not a complete Istio ${version} release; ${howToGet(version)}`);
  const crdPath = join(root, CRD_FILE);
  const filesDir = join(root, DISCOVERY_FILES_DIR);
  if (!(await isFile(crdPath))) throw incomplete(crdPath);
  if (!(await isDirectory(filesDir))) throw incomplete(filesDir);
  const discoveryFiles = new Map<string, string>();
  for (const f of (await readdir(filesDir)).sort()) {
    if (await isFile(join(filesDir, f))) discoveryFiles.set(f, await readFile(join(filesDir, f), 'utf8'));
  }
  const release: IstioRelease = { version, origin: root, archiveSha256: null, crds: await readFile(crdPath, 'utf8'), discoveryFiles, downloadedFrom: null };
  treeMemo.set(key, release);
  return release;
}

/**
 * One line saying which release a render used and its digest, for the user to check or pin:
 * `istio 1.30.3: sha256 <hex> (<archive>)`; a directory tree has no archive digest and says so.
 */
export function formatReleaseSource(release: IstioRelease): string {
  if (release.archiveSha256 === null) return `istio ${release.version}: no archive digest (directory tree ${release.origin})`;
  const where = release.downloadedFrom ? `downloaded from ${release.downloadedFrom}, cached at ${release.origin}` : release.origin;
  return `istio ${release.version}: sha256 ${release.archiveSha256} (${where})`;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function readOptional(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
