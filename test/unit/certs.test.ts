/**
 * `meshrender certs`: the root and per-cluster intermediates of a plug-in CA, checked with openssl as
 * Istio's tools/certs output would be (facts §7.2): the chain verifies, intermediates have pathlen:0
 * (a CA below them is refused), L=<cluster>, SAN istiod.<namespace>.svc; the layout, file modes,
 * stable re-runs, root rotation, and the refusal to write under the render output directory.
 * The openssl checks skip with a message when openssl is not installed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCerts, type CertsOptions } from '../../generator/certs/command.ts';
import { tempDir } from '../support/builders.ts';
import { ROOT } from '../support/paths.ts';
import { runCli } from '../support/run-cli.ts';

const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;
const OPENSSL_SKIP = 'openssl is not installed: the certificate checks with openssl are skipped';
if (!HAS_OPENSSL) console.warn(OPENSSL_SKIP);

function openssl(args: string[], cwd?: string): { code: number; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', cwd });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** A working directory with a copy of an example topology, an output dir and a secrets dir. */
function workspace(example = 'multi-primary') {
  const base = tempDir('meshrender-certs-');
  const topology = join(base, `${example}.yaml`);
  copyFileSync(join(ROOT, 'topologies', `${example}.yaml`), topology);
  mkdirSync(join(base, 'out'));
  return { base, topology, dir: join(base, 'secrets'), out: join(base, 'out') };
}

function options(w: ReturnType<typeof workspace>, extra: Partial<CertsOptions> = {}): CertsOptions {
  return { topologies: [w.topology], dir: w.dir, renderOut: w.out, keyType: 'ecdsa-p256', days: 365, rotateRoot: false, manifests: false, ...extra };
}

const CLUSTER_FILES = ['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem'];
const pemBlocks = (text: string) => text.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;

describe('meshrender certs: layout and re-runs', () => {
  it('writes the tools/certs layout, keys with mode 0600, and a stable re-run rewrites nothing', async () => {
    const w = workspace();
    const first = await runCerts(options(w));
    const mesh = join(w.dir, 'multi-primary');
    expect(first.written.sort()).toEqual(
      ['multi-primary/root-cert.pem', 'multi-primary/root-key.pem', ...['cluster1', 'cluster2'].flatMap((c) => CLUSTER_FILES.map((f) => `multi-primary/${c}/${f}`))].sort(),
    );
    for (const key of ['root-key.pem', 'cluster1/ca-key.pem', 'cluster2/ca-key.pem']) expect(statSync(join(mesh, key)).mode & 0o777).toBe(0o600);
    expect(statSync(join(mesh, 'cluster1/ca-cert.pem')).mode & 0o777).toBe(0o644);
    const c1 = (f: string) => readFileSync(join(mesh, 'cluster1', f), 'utf8');
    expect(c1('cert-chain.pem')).toBe(c1('ca-cert.pem') + readFileSync(join(mesh, 'root-cert.pem'), 'utf8'));
    expect(c1('root-cert.pem')).toBe(readFileSync(join(mesh, 'root-cert.pem'), 'utf8'));
    expect(c1('ca-key.pem')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    const before = new Map(first.written.map((f) => [f, [readFileSync(join(w.dir, f), 'utf8'), statSync(join(w.dir, f)).mtimeMs]]));
    const again = await runCerts(options(w));
    expect(again.written).toEqual([]);
    expect(again.lines).toContain('multi-primary: keeping the root CA in ' + join(mesh, 'root-cert.pem'));
    for (const [f, [text, mtime]] of before) expect([readFileSync(join(w.dir, f), 'utf8'), statSync(join(w.dir, f)).mtimeMs]).toEqual([text, mtime]);
  });

  it('replaces only the intermediate that is no longer valid, under the same root', async () => {
    const w = workspace();
    await runCerts(options(w));
    const mesh = join(w.dir, 'multi-primary');
    const root = readFileSync(join(mesh, 'root-cert.pem'), 'utf8');
    const c2 = readFileSync(join(mesh, 'cluster2/ca-cert.pem'), 'utf8');
    // A key that does not belong to the certificate: cluster1's intermediate must be made again.
    copyFileSync(join(mesh, 'cluster2/ca-key.pem'), join(mesh, 'cluster1/ca-key.pem'));
    const r = await runCerts(options(w));
    expect(r.written.sort()).toEqual(['multi-primary/cluster1/ca-cert.pem', 'multi-primary/cluster1/ca-key.pem', 'multi-primary/cluster1/cert-chain.pem']);
    expect(readFileSync(join(mesh, 'root-cert.pem'), 'utf8')).toBe(root);
    expect(readFileSync(join(mesh, 'cluster2/ca-cert.pem'), 'utf8')).toBe(c2);
  });

  it('makes a new intermediate when asked for another key type, and keeps the root', async () => {
    const w = workspace();
    await runCerts(options(w));
    const r = await runCerts(options(w, { keyType: 'rsa4096' }));
    expect(r.written.filter((f) => f.endsWith('ca-cert.pem')).sort()).toEqual(['multi-primary/cluster1/ca-cert.pem', 'multi-primary/cluster2/ca-cert.pem']);
    expect(r.written).not.toContain('multi-primary/root-cert.pem');
  });

  it('rotates the root on request, and keeps trusting the old one through previous-root-cert.pem', async () => {
    const w = workspace();
    await runCerts(options(w));
    const mesh = join(w.dir, 'multi-primary');
    const oldRoot = readFileSync(join(mesh, 'root-cert.pem'), 'utf8');
    const oldInter = readFileSync(join(mesh, 'cluster1/ca-cert.pem'), 'utf8');
    await runCerts(options(w, { rotateRoot: true }));
    const newRoot = readFileSync(join(mesh, 'root-cert.pem'), 'utf8');
    expect(newRoot).not.toBe(oldRoot);
    expect(readFileSync(join(mesh, 'previous-root-cert.pem'), 'utf8')).toBe(oldRoot);
    expect(readFileSync(join(mesh, 'cluster1/ca-cert.pem'), 'utf8')).not.toBe(oldInter);
    expect(readFileSync(join(mesh, 'cluster1/root-cert.pem'), 'utf8')).toBe(newRoot + oldRoot);
    // Once the old root is retired, a plain re-run drops it from the trust bundle and keeps the rest.
    unlinkSync(join(mesh, 'previous-root-cert.pem'));
    const r = await runCerts(options(w));
    expect(r.written.sort()).toEqual(['multi-primary/cluster1/root-cert.pem', 'multi-primary/cluster2/root-cert.pem']);
    expect(pemBlocks(readFileSync(join(mesh, 'cluster2/root-cert.pem'), 'utf8'))).toBe(1);
  });

  it('writes cacerts Secret manifests with --manifests, holding exactly the four files', async () => {
    const w = workspace('external-control-plane');
    await runCerts(options(w, { manifests: true }));
    const dir = join(w.dir, 'external-control-plane', 'external');
    expect(statSync(join(dir, 'cacerts.yaml')).mode & 0o777).toBe(0o600);
    const secret = parse(readFileSync(join(dir, 'cacerts.yaml'), 'utf8'));
    expect(secret.metadata).toEqual({ name: 'cacerts', namespace: 'external-istiod' });
    expect(Object.keys(secret.data).sort()).toEqual([...CLUSTER_FILES].sort());
    for (const f of CLUSTER_FILES) expect(Buffer.from(secret.data[f], 'base64').toString('utf8')).toBe(readFileSync(join(dir, f), 'utf8'));
    // Remotes run no CA: only the external cluster gets an intermediate.
    expect(existsSync(join(w.dir, 'external-control-plane', 'config'))).toBe(false);
  });
});

describe('meshrender certs: never under the render output directory', () => {
  it.each<[string, (w: ReturnType<typeof workspace>) => string]>([
    ['the output directory itself', (w) => w.out],
    ['a directory inside it', (w) => join(w.out, 'multi-primary', 'secrets')],
    [
      'a path through a symbolic link into it',
      (w) => {
        symlinkSync(w.out, join(w.base, 'looks-safe'));
        return join(w.base, 'looks-safe', 'secrets');
      },
    ],
  ])('refuses %s', async (_name, dirOf) => {
    const w = workspace();
    const dir = dirOf(w);
    await expect(runCerts(options(w, { dir }))).rejects.toThrow(/refusing to write private keys .* inside the render output directory/);
    expect(existsSync(join(w.out, 'multi-primary', 'secrets'))).toBe(false);
    expect(existsSync(join(w.out, 'multi-primary', 'root-key.pem'))).toBe(false);
  });

  it('accepts a sibling whose name starts like the output directory', async () => {
    const w = workspace();
    await expect(runCerts(options(w, { dir: `${w.out}-secrets` }))).resolves.toBeTruthy();
  });
});

describe('meshrender certs on the command line', () => {
  it('reports what it made and where the store expects it', async () => {
    const w = workspace('primary-remote');
    const r = await runCli(['certs', w.topology, '--out', w.dir, '--render-out', w.out, '--key-type', 'ecdsa-p256', '--days', '30']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`primary-remote: new root CA (ecdsa-p256, 30 days) in ${join(w.dir, 'primary-remote', 'root-cert.pem')}`);
    expect(r.stdout).toContain('primary-remote/cluster1: new intermediate CA (L=cluster1, SAN istiod.istio-system.svc)');
    expect(r.stdout).toContain(`store mesh-secrets: put the four files of ${join(w.dir, 'primary-remote', 'cluster1')} at meshrender/primary-remote/cluster1/cacerts (properties ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem)`);
    expect(r.stdout).toMatch(/6 file\(s\) written under /);
  });

  it('is a usage error to point --out into the render output', async () => {
    const w = workspace();
    const r = await runCli(['certs', w.topology, '--out', join(w.out, 'x'), '--render-out', w.out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to write private keys/);
  });
});

describe.skipIf(!HAS_OPENSSL)('meshrender certs: openssl agrees', () => {
  if (!HAS_OPENSSL) it.skip(OPENSSL_SKIP, () => {});

  it.each<['rsa4096' | 'ecdsa-p256', RegExp]>([
    ['rsa4096', /Public-Key: \(4096 bit\)/],
    ['ecdsa-p256', /ASN1 OID: prime256v1/],
  ])('%s: the chain verifies; root and intermediates follow tools/certs', async (keyType, keyLine) => {
    const w = workspace('multi-primary-multi-network');
    await runCerts(options(w, { keyType, days: 3650 }));
    const mesh = join(w.dir, 'multi-primary-multi-network');
    const root = join(mesh, 'root-cert.pem');
    const rootText = openssl(['x509', '-in', root, '-noout', '-text']).out;
    expect(rootText).toMatch(/Subject: O = Istio, CN = Root CA/);
    expect(rootText).toMatch(/Basic Constraints: critical\s+CA:TRUE\n/);
    expect(rootText).toMatch(keyLine);
    for (const cluster of ['cluster1', 'cluster2']) {
      const dir = join(mesh, cluster);
      expect(openssl(['verify', '-CAfile', root, join(dir, 'ca-cert.pem')])).toEqual({ code: 0, out: `${join(dir, 'ca-cert.pem')}: OK\n` });
      expect(openssl(['verify', '-CAfile', join(dir, 'root-cert.pem'), '-untrusted', join(dir, 'cert-chain.pem'), join(dir, 'ca-cert.pem')]).code).toBe(0);
      const text = openssl(['x509', '-in', join(dir, 'ca-cert.pem'), '-noout', '-text']).out;
      expect(text).toMatch(`Subject: O = Istio, CN = Intermediate CA, L = ${cluster}`);
      expect(text).toMatch('Issuer: O = Istio, CN = Root CA');
      expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      expect(text).toMatch(/Subject Alternative Name: \n\s+DNS:istiod\.istio-system\.svc\n/);
      expect(text).toMatch(keyType === 'rsa4096' ? /Key Usage: critical\s+Digital Signature, Non Repudiation, Key Encipherment, Certificate Sign/ : /Key Usage: critical\s+Digital Signature, Non Repudiation, Certificate Sign/);
      expect(text).toMatch(keyLine);
      // The key is the certificate's: openssl derives the same public key from both.
      expect(openssl(['pkey', '-in', join(dir, 'ca-key.pem'), '-pubout']).out).toBe(openssl(['x509', '-in', join(dir, 'ca-cert.pem'), '-noout', '-pubkey']).out);
    }
  });

  it('pathlen:0 in practice: a workload certificate below an intermediate verifies, a CA below it does not', async () => {
    const w = workspace('primary-remote');
    await runCerts(options(w));
    const dir = join(w.dir, 'primary-remote', 'cluster1');
    const work = tempDir('meshrender-pathlen-');
    writeFileSync(join(work, 'ext.cnf'), '[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,digitalSignature\n[leaf]\nbasicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\n');
    const issue = (name: string, caCert: string, caKey: string, ext: string) => {
      expect(openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`], work).code).toBe(0);
      expect(openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-days', '1', '-extfile', 'ext.cnf', '-extensions', ext, '-out', `${name}.pem`], work).code).toBe(0);
    };
    issue('workload', join(dir, 'ca-cert.pem'), join(dir, 'ca-key.pem'), 'leaf');
    expect(openssl(['verify', '-CAfile', join(dir, 'root-cert.pem'), '-untrusted', join(dir, 'cert-chain.pem'), 'workload.pem'], work).code).toBe(0);
    issue('sub-ca', join(dir, 'ca-cert.pem'), join(dir, 'ca-key.pem'), 'ca');
    issue('below-sub', 'sub-ca.pem', 'sub-ca.key', 'leaf');
    writeFileSync(join(work, 'untrusted.pem'), readFileSync(join(dir, 'ca-cert.pem'), 'utf8') + readFileSync(join(work, 'sub-ca.pem'), 'utf8'));
    const denied = openssl(['verify', '-CAfile', join(dir, 'root-cert.pem'), '-untrusted', 'untrusted.pem', 'below-sub.pem'], work);
    expect(denied.code).not.toBe(0);
    expect(denied.out).toMatch(/path length constraint exceeded/);
  });
});
