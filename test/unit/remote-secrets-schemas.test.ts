/**
 * The ExternalSecrets, Certificates and Secrets that the remote-secret, remote-secret-token and cacerts
 * components render, against their real schemas:
 * - the upstream CRDs' openAPIV3Schema of external-secrets.io/v1 ExternalSecret and cert-manager.io/v1
 *   Certificate, reduced to the fields meshrender renders and made strict (secret-crd-schemas.json,
 *   whose $comment names the upstream files and commits): an unknown or misspelt field fails;
 * - the @kubernetes-models packages' validators (generated from the same CRDs and from Kubernetes'
 *   OpenAPI), which check every field's type and enum.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { Secret } from 'kubernetes-models/v1/Secret';
import { describe, expect, it } from 'vitest';
import { planCaCerts } from '../../generator/components/ca-certs.ts';
import { resolveModel } from '../../generator/stages/resolve.ts';
import { toYaml, writtenFrom } from '../support/builders.ts';
import { external, meshDoc, primary, remote, renderPlanner, renderRemoteSecrets, type K8sObject } from './remote-secrets.support.ts';

const fixture = JSON.parse(readFileSync(new URL('./secret-crd-schemas.json', import.meta.url), 'utf8')) as { kinds: { apiVersion: string; kind: string; spec: object }[] };
const ajv = new Ajv({ allErrors: true, strict: true });
const strict = new Map(
  fixture.kinds.map((k) => [
    `${k.apiVersion} ${k.kind}`,
    ajv.compile({
      type: 'object',
      required: ['apiVersion', 'kind', 'metadata', 'spec'],
      additionalProperties: false,
      properties: {
        apiVersion: { const: k.apiVersion },
        kind: { const: k.kind },
        metadata: { type: 'object', required: ['name', 'namespace'], additionalProperties: false, properties: { name: { type: 'string' }, namespace: { type: 'string' } } },
        spec: k.spec,
      },
    }),
  ]),
);

function modelOf(o: K8sObject): { validate(): void } {
  if (o.kind === 'ExternalSecret') return new ExternalSecret(o as never);
  if (o.kind === 'Certificate') return new Certificate(o as never);
  if (o.kind === 'Secret') return new Secret(o as never);
  throw new Error(`no model for ${o.kind}`);
}

function problems(o: K8sObject): string[] {
  const out: string[] = [];
  const v = strict.get(`${o.apiVersion} ${o.kind}`);
  if (v && !v(o)) out.push(...v.errors!.map((e) => `crd: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
  try {
    modelOf(o).validate();
  } catch (e) {
    out.push(`model: ${String(e)}`);
  }
  return out;
}

/** Every object the secret components render in a mesh that uses all of their options. */
function rendered(spec: Record<string, unknown>): K8sObject[] {
  const pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
  const doc = meshDoc(
    [
      primary('p1', { apiServerCA: { pem } }),
      primary('p2', { network: 'n2', apiServerCA: { key: 'ca/{cluster}', property: 'ca.crt' } }),
      external('x', 'cfg'),
      remote('cfg', 'x'),
      remote('r2', 'x', { network: 'n2' }),
    ],
    spec,
    ['n1', 'n2'],
  );
  const t = resolveModel(writtenFrom(toYaml(doc), 't.yaml'));
  return t.clusters.flatMap((c) => [...renderPlanner(planCaCerts, t, c.name).values(), ...renderRemoteSecrets(t, c.name).values()].flat());
}

const STORE = { name: 'vault', kind: 'ClusterSecretStore' };
const VARIANTS: [string, Record<string, unknown>][] = [
  ['external-secrets for both', { remoteSecrets: { provider: 'external-secrets', store: STORE, property: 'token', refreshInterval: '10m' }, certificates: { provider: 'external-secrets', store: { name: 'pki', kind: 'SecretStore' }, key: 'pki/{cluster}/{file}' } }],
  ['cert-manager for cacerts', { remoteSecrets: { provider: 'external-secrets', store: STORE }, certificates: { provider: 'cert-manager', issuer: { name: 'root', kind: 'Issuer' }, duration: '2160h', renewBefore: '720h', privateKey: { algorithm: 'ECDSA', size: 384 } } }],
];

describe('the secret objects against their schemas', () => {
  it.each(VARIANTS)('%s: every object is valid', (_name, spec) => {
    const objects = rendered(spec);
    expect(new Set(objects.map((o) => `${o.apiVersion} ${o.kind}`))).toEqual(
      new Set(['v1 Secret', 'external-secrets.io/v1 ExternalSecret', ...(JSON.stringify(spec).includes('cert-manager') ? ['cert-manager.io/v1 Certificate'] : [])]),
    );
    for (const o of objects) expect(problems(o), `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).toEqual([]);
  });

  it.each<[string, (o: K8sObject) => void, RegExp]>([
    ['a misspelt ExternalSecret field', (o) => (o.spec.target.creationPolicy = undefined, (o.spec.target.creationPolcy = 'Owner')), /creationPolcy/],
    ['a template engine ESO v1 does not have', (o) => (o.spec.target.template = { engineVersion: 'v1' }), /engineVersion/],
    ['a store kind that does not exist', (o) => (o.spec.secretStoreRef.kind = 'Vault'), /kind/],
  ])('the ExternalSecret schema rejects %s', (_name, mutate, message) => {
    const es = rendered(VARIANTS[0]![1]).find((o) => o.kind === 'ExternalSecret' && o.metadata.name.startsWith('istio-remote-secret'))!;
    const copy = JSON.parse(JSON.stringify(es));
    mutate(copy);
    expect(problems(JSON.parse(JSON.stringify(copy))).join('\n')).toMatch(message);
  });

  it.each<[string, (o: K8sObject) => void, RegExp]>([
    ['a key usage cert-manager does not know', (o) => o.spec.usages.push('nonRepudiation'), /usages/],
    ['an unknown subject field', (o) => (o.spec.subject.locality = ['x']), /locality/],
    ['a missing issuerRef', (o) => delete o.spec.issuerRef, /issuerRef/],
  ])('the Certificate schema rejects %s', (_name, mutate, message) => {
    const cert = rendered(VARIANTS[1]![1]).find((o) => o.kind === 'Certificate')!;
    const copy = JSON.parse(JSON.stringify(cert));
    mutate(copy);
    expect(problems(copy).join('\n')).toMatch(message);
  });

  it('the Secret model rejects a token Secret whose type is not a string', () => {
    const token = rendered(VARIANTS[0]![1]).find((o) => o.kind === 'Secret')!;
    expect(problems({ ...token, type: 1 } as never).join('\n')).toMatch(/type/);
  });
});
