/**
 * The certificates of a plug-in CA as Istio's tools/certs makes them (facts §7.2), built with
 * @peculiar/x509 on Node's WebCrypto: a self-signed root (O=Istio, CN=Root CA) and per cluster an
 * intermediate (O=Istio, CN=Intermediate CA, L=<cluster>, pathlen:0, SAN istiod.<namespace>.svc).
 * Keys are RSA 4096 (tools/certs' choice) or ECDSA P-256, written as PKCS#8 PEM, which istiod reads.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;

x509.cryptoProvider.set(webcrypto as never);

import type { KeyType } from './options.ts';

export type { KeyType };

const ALGORITHMS: Record<KeyType, webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams> = {
  rsa4096: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 4096 },
  'ecdsa-p256': { name: 'ECDSA', namedCurve: 'P-256' },
};
const SIGNING: Record<KeyType, Algorithm | EcdsaParams> = {
  rsa4096: { name: 'RSASSA-PKCS1-v1_5' },
  'ecdsa-p256': { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
};

/** A certificate with its private key, both PEM. */
export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

export interface CertOptions {
  keyType: KeyType;
  days: number;
  /** Start of validity; default now. */
  now?: Date;
}

const DAY = 86_400_000;

/** tools/certs' keyUsage (digitalSignature, nonRepudiation, keyEncipherment, keyCertSign); EC keys cannot encipher. */
function caKeyUsage(keyType: KeyType): x509.KeyUsagesExtension {
  const F = x509.KeyUsageFlags;
  const usage = F.digitalSignature | F.nonRepudiation | F.keyCertSign | (keyType === 'rsa4096' ? F.keyEncipherment : 0);
  return new x509.KeyUsagesExtension(usage, true);
}

export async function createRoot(subject: { organization: string; commonName: string }, opts: CertOptions): Promise<CertAndKey> {
  const keys = await generateKeys(opts.keyType);
  const notBefore = startOf(opts.now);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ O: [subject.organization] }, { CN: [subject.commonName] }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + opts.days * DAY),
    keys,
    signingAlgorithm: SIGNING[opts.keyType],
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), caKeyUsage(opts.keyType), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)],
  });
  return { certPem: pem(cert), keyPem: await keyPem(keys.privateKey) };
}

export interface IntermediateSubject {
  organization: string;
  commonName: string;
  /** L=: the cluster, as tools/certs names the per-cluster directory. */
  locality: string;
  /** SAN DNS: istiod.<namespace>.svc. */
  dnsName: string;
}

/** An intermediate signed by `root`, never outliving it. */
export async function createIntermediate(root: CertAndKey, subject: IntermediateSubject, opts: CertOptions): Promise<CertAndKey> {
  const rootCert = new x509.X509Certificate(root.certPem);
  const rootKeyType = keyTypeOf(rootCert);
  const issuerKey = await importKey(root.keyPem, rootKeyType);
  const keys = await generateKeys(opts.keyType);
  const notBefore = startOf(opts.now);
  const wanted = notBefore.getTime() + opts.days * DAY;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ O: [subject.organization] }, { CN: [subject.commonName] }, { L: [subject.locality] }],
    issuer: rootCert.subject,
    notBefore,
    notAfter: new Date(Math.min(wanted, rootCert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: issuerKey,
    signingAlgorithm: SIGNING[rootKeyType],
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      caKeyUsage(opts.keyType),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: subject.dnsName }]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootCert),
    ],
  });
  return { certPem: pem(cert), keyPem: await keyPem(keys.privateKey) };
}

/** What a stored certificate is, for deciding whether to keep it. */
export interface CertFacts {
  subject: string;
  notAfter: Date;
  keyType: KeyType | null;
  dnsNames: string[];
  pathLength: number | null;
  isCA: boolean;
}

export function describeCert(certPem: string): CertFacts {
  const cert = new x509.X509Certificate(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  return {
    subject: cert.subject,
    notAfter: cert.notAfter,
    keyType: keyTypeOrNull(cert),
    dnsNames: san ? san.names.items.filter((n) => n.type === 'dns').map((n) => n.value) : [],
    pathLength: bc?.pathLength ?? null,
    isCA: bc?.ca ?? false,
  };
}

/** Whether `certPem` was signed by the key of `issuerPem`. */
export async function signedBy(certPem: string, issuerPem: string): Promise<boolean> {
  try {
    const cert = new x509.X509Certificate(certPem);
    const issuer = new x509.X509Certificate(issuerPem);
    if (cert.issuer !== issuer.subject) return false;
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

/** Whether a PKCS#8 key is the private half of a certificate's public key. */
export async function keyMatches(certPem: string, keyPemText: string): Promise<boolean> {
  try {
    const cert = new x509.X509Certificate(certPem);
    const keyType = keyTypeOf(cert);
    const key = await importKey(keyPemText, keyType);
    const data = new TextEncoder().encode('meshrender key check');
    const sig = await webcrypto.subtle.sign(SIGNING[keyType], key, data);
    const pub = (await cert.publicKey.export(ALGORITHMS[keyType] as never, ['verify'], webcrypto as never)) as unknown as CryptoKey;
    return await webcrypto.subtle.verify(SIGNING[keyType], pub, sig, data);
  } catch {
    return false;
  }
}

function keyTypeOrNull(cert: x509.X509Certificate): KeyType | null {
  const alg = cert.publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  if (alg.name === 'ECDSA' && alg.namedCurve === 'P-256') return 'ecdsa-p256';
  if (alg.name.startsWith('RSA') && alg.modulusLength === 4096) return 'rsa4096';
  return null;
}

function keyTypeOf(cert: x509.X509Certificate): KeyType {
  const t = keyTypeOrNull(cert);
  if (!t) throw new Error(`unsupported key in certificate ${cert.subject}: only RSA 4096 and ECDSA P-256 are supported`);
  return t;
}

async function generateKeys(keyType: KeyType): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHMS[keyType], true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function importKey(pemText: string, keyType: KeyType): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pemText);
  const alg = keyType === 'rsa4096' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256' };
  return (await webcrypto.subtle.importKey('pkcs8', der, alg, false, ['sign'])) as CryptoKey;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

function pem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

/** A positive random 128-bit serial number (RFC 5280: at most 20 octets, positive). */
function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function startOf(now: Date | undefined): Date {
  const t = now ?? new Date();
  return new Date(Math.floor(t.getTime() / 1000) * 1000);
}
