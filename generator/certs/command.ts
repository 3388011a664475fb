/**
 * `meshrender certs`: generates offline, for each topology, the plug-in CA files Istio's tools/certs
 * makes (facts §7.2), laid out as tools/certs lays them out:
 *   DIR/<mesh>/root-cert.pem, DIR/<mesh>/root-key.pem
 *   DIR/<mesh>/<cluster>/{ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem}
 * for every cluster that runs a mesh istiod (caSites). DIR (default secrets/) must not be inside the
 * render output directory: private keys never go where `render` writes. Re-running is stable: the
 * root is kept unless --rotate-root, valid intermediates are kept, and files whose content would not
 * change are not rewritten. Keys are written with mode 0600.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import { CACERTS_FILES, caSites, INTERMEDIATE_SUBJECT, ROOT_SUBJECT, type CaSite } from '../components/ca-certs.ts';
import { expandKey } from '../components/remote-secrets.ts';
import { UsageError } from '../errors.ts';
import { CACERTS_SECRET } from '../k8s/names.ts';
import { checkTopologies } from '../pipeline.ts';
import type { Topology } from '../types.ts';
import { createIntermediate, createRoot, describeCert, keyMatches, signedBy, type CertAndKey } from './x509.ts';
import type { KeyType } from './options.ts';

export interface CertsOptions {
  topologies: readonly string[];
  /** Where the files go (default secrets). */
  dir: string;
  /** The render output directory DIR must stay out of (default out). */
  renderOut: string;
  keyType: KeyType;
  /** Validity of new certificates, in days. */
  days: number;
  rotateRoot: boolean;
  /** Also write DIR/<mesh>/<cluster>/cacerts.yaml, a Secret manifest for air-gapped hand-over. */
  manifests: boolean;
  now?: Date;
}

export interface CertsResult {
  /** Human-readable report, one line each. */
  lines: string[];
  /** Paths written (relative to DIR), for tests. */
  written: string[];
}

/** Intermediates closer to expiry than this are renewed on a re-run. */
const RENEW_WITHIN_DAYS = 30;
const DAY = 86_400_000;

export async function runCerts(opts: CertsOptions): Promise<CertsResult> {
  if (!Number.isInteger(opts.days) || opts.days < 1) throw new UsageError(`--days must be a positive whole number of days, not ${opts.days}`);
  refuseInsideRenderOutput(opts.dir, opts.renderOut);
  const checked = checkTopologies(opts.topologies);
  const out: CertsResult = { lines: [], written: [] };
  for (const { topology } of checked) await meshCerts(topology, opts, out);
  const ignored = gitIgnored(opts.dir);
  if (ignored === false) out.lines.push(`warning: ${opts.dir} is not ignored by git; add it to .gitignore so that no private key is ever committed`);
  return out;
}

async function meshCerts(topology: Topology, opts: CertsOptions, out: CertsResult): Promise<void> {
  const sites = caSites(topology);
  const meshDir = join(opts.dir, topology.name);
  if (sites.length === 0) {
    out.lines.push(`${topology.name}: no cluster runs a mesh istiod; nothing to do`);
    return;
  }
  const now = opts.now ?? new Date();
  const certOpts = { keyType: opts.keyType, days: opts.days, now };
  const rootCertFile = join(meshDir, 'root-cert.pem');
  const rootKeyFile = join(meshDir, 'root-key.pem');
  let root = readPair(rootCertFile, rootKeyFile);
  let rootIsNew = false;
  if (root && !opts.rotateRoot && !(await usableRoot(root, now))) {
    throw new UsageError(`${rootCertFile}: the existing root is expired, not a CA, or does not match ${rootKeyFile}; replace it with --rotate-root`);
  }
  if (root && opts.rotateRoot) {
    // Keep the old root's certificate (never its key) as a second trust anchor for the transition.
    write(join(meshDir, 'previous-root-cert.pem'), root.certPem, false, out, opts.dir);
    out.lines.push(`${topology.name}: rotating the root; the old root stays trusted through previous-root-cert.pem until you delete it`);
    root = null;
  }
  if (!root) {
    root = await createRoot(ROOT_SUBJECT, certOpts);
    rootIsNew = true;
    write(rootKeyFile, root.keyPem, true, out, opts.dir);
    write(rootCertFile, root.certPem, false, out, opts.dir);
    out.lines.push(`${topology.name}: new root CA (${opts.keyType}, ${opts.days} days) in ${rootCertFile}`);
  } else {
    out.lines.push(`${topology.name}: keeping the root CA in ${rootCertFile}`);
  }
  const previous = join(meshDir, 'previous-root-cert.pem');
  const trustBundle = root.certPem + (existsSync(previous) ? readFileSync(previous, 'utf8') : '');
  for (const site of sites) {
    const dir = join(meshDir, site.cluster);
    const existing = readPair(join(dir, 'ca-cert.pem'), join(dir, 'ca-key.pem'));
    let inter = existing && !rootIsNew && (await usableIntermediate(existing, root, site, opts.keyType, now)) ? existing : null;
    if (inter) out.lines.push(`${topology.name}/${site.cluster}: keeping the intermediate CA`);
    else {
      inter = await createIntermediate(root, { ...INTERMEDIATE_SUBJECT, locality: site.cluster, dnsName: site.dnsName }, certOpts);
      out.lines.push(`${topology.name}/${site.cluster}: new intermediate CA (L=${site.cluster}, SAN ${site.dnsName})`);
    }
    const files: Record<(typeof CACERTS_FILES)[number], string> = {
      'ca-cert.pem': inter.certPem,
      'ca-key.pem': inter.keyPem,
      'root-cert.pem': trustBundle,
      'cert-chain.pem': inter.certPem + root.certPem,
    };
    for (const f of CACERTS_FILES) write(join(dir, f), files[f], f === 'ca-key.pem', out, opts.dir);
    if (opts.manifests) write(join(dir, 'cacerts.yaml'), cacertsManifest(site, files), true, out, opts.dir);
    if (topology.certificates.provider === 'external-secrets') {
      const key = topology.certificates.key;
      const where = key.includes('{file}')
        ? CACERTS_FILES.map((f) => expandKey(key, { mesh: topology.name, cluster: site.cluster, file: f })).join(', ')
        : `${expandKey(key, { mesh: topology.name, cluster: site.cluster })} (properties ${CACERTS_FILES.join(', ')})`;
      out.lines.push(`  store ${topology.certificates.store?.name ?? ''}: put the four files of ${dir} at ${where}`);
    }
  }
}

/** The Secret istiod reads, as `kubectl create secret generic cacerts --from-file=...` makes it. */
export function cacertsManifest(site: CaSite, files: Record<string, string>): string {
  const data = Object.fromEntries(CACERTS_FILES.map((f) => [f, Buffer.from(files[f]!, 'utf8').toString('base64')]));
  const doc = { apiVersion: 'v1', kind: 'Secret', metadata: { name: CACERTS_SECRET, namespace: site.namespace }, type: 'Opaque', data };
  return `# Plug-in CA of cluster ${site.cluster}: apply by hand (kubectl apply -f), never commit.\n${stringify(doc, { lineWidth: 0 })}`;
}

async function usableRoot(root: CertAndKey, now: Date): Promise<boolean> {
  const facts = describeCert(root.certPem);
  return facts.isCA && facts.notAfter.getTime() > now.getTime() && (await keyMatches(root.certPem, root.keyPem));
}

/** Keep an intermediate only while it is what a new one would be, apart from its key and dates. */
async function usableIntermediate(inter: CertAndKey, root: CertAndKey, site: CaSite, keyType: KeyType, now: Date): Promise<boolean> {
  let facts;
  try {
    facts = describeCert(inter.certPem);
  } catch {
    return false;
  }
  return (
    facts.isCA &&
    facts.pathLength === 0 &&
    facts.keyType === keyType &&
    facts.subject.includes(`L=${site.cluster}`) &&
    facts.dnsNames.length === 1 &&
    facts.dnsNames[0] === site.dnsName &&
    facts.notAfter.getTime() - now.getTime() > RENEW_WITHIN_DAYS * DAY &&
    (await signedBy(inter.certPem, root.certPem)) &&
    (await keyMatches(inter.certPem, inter.keyPem))
  );
}

function readPair(certFile: string, keyFile: string): CertAndKey | null {
  if (!existsSync(certFile) || !existsSync(keyFile)) return null;
  return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
}

/** Writes a file only when its content changes (atomically); private files get mode 0600. */
function write(file: string, content: string, secret: boolean, out: CertsResult, base: string): void {
  const mode = secret ? 0o600 : 0o644;
  if (existsSync(file) && readFileSync(file, 'utf8') === content) {
    if (secret) chmodSync(file, mode);
    return;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(file), `.${basename(file)}.tmp`);
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
  out.written.push(relative(base, file).split(sep).join('/'));
}

/** Refuses a DIR equal to or inside the render output directory, comparing real paths (symlinks resolved). */
export function refuseInsideRenderOutput(dir: string, renderOut: string): void {
  const d = realPathAllowingMissing(dir);
  const o = realPathAllowingMissing(renderOut);
  const rel = relative(o, d);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new UsageError(`refusing to write private keys to ${dir}: it is inside the render output directory ${renderOut} (${o}), which is committed; use a directory outside it, such as secrets/`);
  }
}

/** The real path of `p`: symlinks of its longest existing prefix resolved, the rest appended. */
function realPathAllowingMissing(p: string): string {
  const abs = resolve(p);
  let existing = abs;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(basename(existing));
    existing = parent;
  }
  return join(realpathSync(existing), ...rest);
}

/** true or false when git can tell whether `dir` is ignored, null when there is no git or no repository. */
function gitIgnored(dir: string): boolean | null {
  const probe = join(dir, 'root-key.pem');
  const r = spawnSync('git', ['check-ignore', '-q', probe], { cwd: process.cwd(), encoding: 'utf8' });
  if (r.error || (r.status !== 0 && r.status !== 1)) return null;
  return r.status === 0;
}

/** Runs `meshrender certs` from parsed arguments; `files` expands topology globs as the other commands do. */
export async function runCertsCommand(
  args: { topology?: string; out: string; renderOut: string; keyType: KeyType; days: number; rotateRoot: boolean; manifests: boolean },
  files: (patterns: string[] | undefined) => string[],
): Promise<string[]> {
  const r = await runCerts({
    topologies: files(args.topology ? [args.topology] : undefined),
    dir: args.out,
    renderOut: args.renderOut,
    keyType: args.keyType,
    days: args.days,
    rotateRoot: args.rotateRoot,
    manifests: args.manifests,
  });
  return [...r.lines, `${r.written.length} file(s) written under ${args.out}`];
}
