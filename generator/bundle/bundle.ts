/**
 * Air-gapped bundles: one reproducible .tar.gz holding the rendered trees of the chosen clusters
 * (laid out as in the repository, <gitops.path>/<mesh>/..., so Argo CD and Flux paths still resolve),
 * images.txt, bundle.json (versions, digests, per-file sha256), SHA256SUMS and a README.
 * Same inputs, same bytes: sorted entries, fixed mtime, owner and modes, a fixed gzip header.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, lstatSync, existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { MeshrenderError } from '../errors.ts';
import type { IstioRelease } from '../istio/release.ts';
import { imageList } from '../images/images.ts';
import type { OutputTree, Topology } from '../types.ts';

export interface BundleInput {
  topology: Topology;
  topologySource: string;
  tree: OutputTree;
  releases: ReadonlyMap<string, IstioRelease>;
  /** Clusters to include (default: all). */
  clusters?: readonly string[];
  /** Directory written by `meshrender certs`, whose files go to secrets/ in the archive. */
  includeSecrets?: string | null;
  meshrenderVersion: string;
}

/** Fixed timestamp of every entry: SOURCE_DATE_EPOCH when set, else the epoch. */
function entryTime(): Date {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? 0);
  return new Date((Number.isFinite(epoch) ? epoch : 0) * 1000);
}

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

/** The files of the bundle, path → bytes, before packing (exported for tests). */
export function bundleFiles(input: BundleInput): Map<string, Buffer> {
  const { topology, tree } = input;
  const wanted = input.clusters && input.clusters.length > 0 ? new Set(input.clusters) : null;
  for (const c of wanted ?? []) {
    if (!topology.clusters.some((x) => x.name === c)) throw new MeshrenderError(`no cluster ${c} in ${topology.file}`, [{ file: topology.file, severity: 'error', message: `--cluster ${c}: no such cluster; clusters: ${topology.clusters.map((x) => x.name).join(', ')}` }]);
  }
  const root = posix.join(topology.gitops.path, topology.name);
  const keep = (path: string): boolean => {
    const m = /^(?:clusters|flux|argocd\/clusters)\/([^/]+)\//.exec(path) ?? /^argocd\/applications\/application-(.+)\.yaml$/.exec(path);
    if (m) return !wanted || wanted.has(m[1]!);
    return true; // shared/, README, argocd/applications/kustomization.yaml
  };
  const files = new Map<string, Buffer>();
  for (const [path, content] of tree.files) if (keep(path)) files.set(`${root}/${path}`, Buffer.from(content));
  if (wanted) {
    // The applications kustomization must list only the applications in the bundle.
    const appsKey = `${root}/argocd/applications/kustomization.yaml`;
    const apps = files.get(appsKey);
    if (apps) files.set(appsKey, Buffer.from(apps.toString('utf8').split('\n').filter((l) => !/^- application-(.+)\.yaml$/.test(l) || wanted.has(/^- application-(.+)\.yaml$/.exec(l)![1]!)).join('\n')));
  }
  const clusters = topology.clusters.map((c) => c.name).filter((c) => !wanted || wanted.has(c));
  files.set('images.txt', Buffer.from(`${imageList(topology, input.releases, clusters).join('\n')}\n`));
  if (input.includeSecrets) for (const [p, b] of readSecrets(input.includeSecrets, topology.name)) files.set(`secrets/${p}`, b);
  files.set('README.md', Buffer.from(readme(topology, root, clusters, Boolean(input.includeSecrets))));
  const digests = Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, b]) => [p, sha256(b)]));
  const manifest = {
    meshrender: input.meshrenderVersion,
    mesh: topology.name,
    topology: { file: posix.basename(topology.file), sha256: sha256(input.topologySource) },
    clusters,
    istio: [...input.releases.values()]
      .sort((a, b) => (a.version < b.version ? -1 : 1))
      .map((r) => ({ version: r.version, archiveSha256: r.archiveSha256 })),
    files: digests,
  };
  files.set('bundle.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  const sums = [...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, b]) => `${sha256(b)}  ${p}`);
  files.set('SHA256SUMS', Buffer.from(`${sums.join('\n')}\n`));
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Packs files into a deterministic .tar.gz. */
export async function packBundle(files: ReadonlyMap<string, Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  const mtime = entryTime();
  for (const [name, content] of files) {
    const secret = name.startsWith('secrets/') && /key|cacerts\.yaml/.test(name);
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name, size: content.length, mtime, mode: secret ? 0o600 : 0o644, uid: 0, gid: 0, uname: '', gname: '', type: 'file' }, content, (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  await done;
  const gz = gzipSync(Buffer.concat(chunks), { level: 9 });
  gz[9] = 3; // gzip header OS byte: always "Unix", whatever platform built it
  return gz;
}

function readSecrets(dir: string, mesh: string): Map<string, Buffer> {
  const base = join(dir, mesh);
  if (!existsSync(base)) throw new MeshrenderError(`${base} does not exist`, [{ file: base, severity: 'error', message: `--include-secrets: no certificates for mesh ${mesh} here; run meshrender certs first` }]);
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(base, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      const full = join(base, p);
      if (lstatSync(full).isSymbolicLink()) continue;
      if (e.isDirectory()) walk(p);
      else out.set(`${mesh}/${p}`, readFileSync(full));
    }
  };
  walk('');
  return out;
}

function readme(topology: Topology, root: string, clusters: readonly string[], secrets: boolean): string {
  return [
    `# meshrender bundle: ${topology.name}`,
    '',
    `Rendered Kubernetes manifests of mesh \`${topology.name}\` for clusters ${clusters.map((c) => `\`${c}\``).join(', ')}, with every image they pull (\`images.txt\`).`,
    '',
    '## Check it',
    '',
    '```sh',
    'sha256sum -c SHA256SUMS          # or: meshrender bundle verify <this file>',
    '```',
    '',
    '## Mirror the images',
    '',
    'Copy every image of `images.txt` into the registry the clusters use (the topology\'s `spec.istio.hub`).',
    '',
    '## Apply',
    '',
    `- kubectl: \`kubectl apply --server-side -k ${root}/clusters/<cluster>\` (or layer by layer, in order, from \`${root}/clusters/<cluster>/\`).`,
    `- Argo CD: commit this directory tree to a repository Argo CD reads and apply \`${root}/argocd/applications\` (the Applications point at \`${root}/argocd/clusters/<cluster>\`).`,
    `- Flux: commit it to a repository a Flux source reads and point each cluster's Flux at \`${root}/flux/<cluster>\`.`,
    '',
    secrets
      ? '`secrets/` holds private keys from `meshrender certs`: move it to your secret store and delete it; never commit it.'
      : 'This bundle holds no secrets: remote secrets and certificates come from your secret stores.',
    '',
  ].join('\n');
}

export interface VerifyFinding {
  path: string;
  message: string;
}

/** Reads a bundle and checks every digest. Returns the problems found (empty when intact). */
export async function verifyBundle(archive: Buffer, limits = { maxEntries: 200_000, maxBytes: 2 * 1024 ** 3 }): Promise<VerifyFinding[]> {
  const { gunzipSync } = await import('node:zlib');
  let tarBytes: Buffer;
  try {
    tarBytes = gunzipSync(archive, { maxOutputLength: limits.maxBytes });
  } catch (e) {
    return [{ path: '(archive)', message: `not a readable .tar.gz: ${(e as Error).message}` }];
  }
  const files = new Map<string, Buffer>();
  const findings: VerifyFinding[] = [];
  const extract = tar.extract();
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        if (header.type !== 'file') findings.push({ path: header.name, message: `unexpected ${header.type} entry` });
        else if (files.size >= limits.maxEntries) findings.push({ path: header.name, message: 'too many entries' });
        else files.set(header.name, Buffer.concat(chunks));
        next();
      });
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    extract.end(tarBytes);
  }).catch((e: Error) => findings.push({ path: '(archive)', message: `not a readable tar archive: ${e.message}` }));
  const sums = files.get('SHA256SUMS');
  if (!sums) return [...findings, { path: 'SHA256SUMS', message: 'missing' }];
  const listed = new Map<string, string>();
  for (const line of sums.toString('utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (m) listed.set(m[2]!, m[1]!);
  }
  for (const [path, digest] of listed) {
    const content = files.get(path);
    if (!content) findings.push({ path, message: 'listed in SHA256SUMS but missing from the archive' });
    else if (sha256(content) !== digest) findings.push({ path, message: `sha256 ${sha256(content)} does not match ${digest} in SHA256SUMS` });
  }
  for (const path of files.keys()) if (path !== 'SHA256SUMS' && !listed.has(path)) findings.push({ path, message: 'not listed in SHA256SUMS' });
  const manifest = files.get('bundle.json');
  if (manifest) {
    try {
      const m = JSON.parse(manifest.toString('utf8')) as { files?: Record<string, string> };
      for (const [path, digest] of Object.entries(m.files ?? {})) {
        const content = files.get(path);
        if (content && sha256(content) !== digest && !findings.some((f) => f.path === path)) findings.push({ path, message: `sha256 does not match bundle.json` });
      }
    } catch {
      findings.push({ path: 'bundle.json', message: 'not valid JSON' });
    }
  }
  return findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
