/**
 * The plug-in CA component (facts §7): where each mesh istiod reads cacerts, the cert-manager
 * Certificate and the ExternalSecret that write it, and the warning of provider istiod. Expected values
 * written by hand from tools/certs' conventions (O=Istio, CN=Intermediate CA, L=<cluster>, SAN
 * istiod.<namespace>.svc, keyUsage digitalSignature, nonRepudiation, keyEncipherment, keyCertSign).
 */
import { describe, expect, it } from 'vitest';
import { caSites, planCaCerts } from '../../generator/components/ca-certs.ts';
import { secretNotices } from '../../generator/components/secret-notices.ts';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { resolveModel } from '../../generator/stages/resolve.ts';
import { toYaml, writtenFrom } from '../support/builders.ts';
import { ES_REMOTE, external, meshDoc, primary, remote, renderPlanner } from './remote-secrets.support.ts';

const model = (doc: unknown) => resolveModel(writtenFrom(toYaml(doc), 't.yaml'));
const CERT_MANAGER = { certificates: { provider: 'cert-manager', issuer: { name: 'mesh-root' } } };
const EXTERNAL_SECRETS = { certificates: { provider: 'external-secrets', store: { name: 'vault', kind: 'SecretStore' } } };

describe('where a mesh istiod reads cacerts', () => {
  it.each<[string, unknown, string[]]>([
    ['primaries in their Istio namespace; remotes run no CA', meshDoc([primary('a'), primary('b'), remote('r', 'a')]), ['a istio-system istiod.istio-system.svc', 'b istio-system istiod.istio-system.svc']],
    ['an external control plane in its namespace', meshDoc([external('x', 'cfg'), remote('cfg', 'x')]), ['x external-istiod istiod.external-istiod.svc']],
    ['a custom Istio namespace', { ...meshDoc([primary('a')]), spec: { ...meshDoc([primary('a')]).spec, istio: { namespace: 'mesh-system', revisions: [{ name: 'default', version: '1.30.3' }] } } }, ['a mesh-system istiod.mesh-system.svc']],
  ])('%s', (_name, doc, expected) => {
    expect(caSites(model(doc)).map((s) => `${s.cluster} ${s.namespace} ${s.dnsName}`)).toEqual(expected);
  });
});

describe('the cacerts unit', () => {
  it('renders nothing with provider istiod', () => {
    expect([...renderPlanner(planCaCerts, model(meshDoc([primary('a'), primary('b')])), 'a').keys()]).toEqual([]);
  });

  it('cert-manager: an intermediate CA Certificate named and shaped as tools/certs makes it, into the base layer', () => {
    const units = renderPlanner(planCaCerts, model(meshDoc([primary('cluster1'), remote('cluster2', 'cluster1')], CERT_MANAGER)), 'cluster1');
    expect([...units.keys()]).toEqual(['base/cacerts']);
    expect(units.get('base/cacerts')).toEqual([
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'cacerts', namespace: 'istio-system' },
        spec: {
          secretName: 'cacerts',
          duration: '8760h',
          isCA: true,
          commonName: 'Intermediate CA',
          subject: { organizations: ['Istio'], localities: ['cluster1'] },
          dnsNames: ['istiod.istio-system.svc'],
          privateKey: { algorithm: 'RSA', size: 4096, rotationPolicy: 'Always' },
          usages: ['digital signature', 'content commitment', 'key encipherment', 'cert sign'],
          issuerRef: { name: 'mesh-root', kind: 'ClusterIssuer', group: 'cert-manager.io' },
        },
      },
    ]);
    expect([...renderPlanner(planCaCerts, model(meshDoc([primary('cluster1'), remote('cluster2', 'cluster1')], CERT_MANAGER)), 'cluster2').keys()]).toEqual([]);
  });

  it('cert-manager: the topology picks issuer kind, duration, renewal and an ECDSA key (size 256 by default)', () => {
    const certificates = { provider: 'cert-manager', issuer: { name: 'vault', kind: 'Issuer', group: 'cert-manager.io' }, duration: '720h', renewBefore: '240h', privateKey: { algorithm: 'ECDSA' } };
    const [cert] = renderPlanner(planCaCerts, model(meshDoc([external('x', 'cfg'), remote('cfg', 'x')], { certificates })), 'x').get('base/cacerts')!;
    expect(cert!.metadata.namespace).toBe('external-istiod');
    expect(cert!.spec.dnsNames).toEqual(['istiod.external-istiod.svc']);
    expect(cert!.spec.subject.localities).toEqual(['x']);
    expect([cert!.spec.duration, cert!.spec.renewBefore]).toEqual(['720h', '240h']);
    expect(cert!.spec.privateKey).toEqual({ algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' });
    expect(cert!.spec.issuerRef).toEqual({ name: 'vault', kind: 'Issuer', group: 'cert-manager.io' });
  });

  it.each<[string, string | undefined, { secretKey: string; remoteRef: Record<string, string> }[]]>([
    [
      'the four files as properties of one remote value (default key)',
      undefined,
      ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'].map((f) => ({ secretKey: f, remoteRef: { key: 'meshrender/demo/cluster1/cacerts', property: f } })),
    ],
    [
      'one remote key per file with {file}',
      'pki/{mesh}/{cluster}/{file}',
      ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'].map((f) => ({ secretKey: f, remoteRef: { key: `pki/demo/cluster1/${f}` } })),
    ],
  ])('external-secrets: %s', (_name, key, data) => {
    const certificates = { ...EXTERNAL_SECRETS.certificates, ...(key ? { key } : {}), refreshInterval: '30m' };
    const [es] = renderPlanner(planCaCerts, model(meshDoc([primary('cluster1')], { certificates })), 'cluster1').get('base/cacerts')!;
    expect(es).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'cacerts', namespace: 'istio-system' },
      spec: {
        refreshInterval: '30m',
        secretStoreRef: { name: 'vault', kind: 'SecretStore' },
        target: { name: 'cacerts', creationPolicy: 'Owner' },
        data,
      },
    });
  });
});

describe('provider istiod warns when several istiod sign certificates', () => {
  const warnings = (doc: unknown) => {
    const written = writtenFrom(toYaml(doc), 't.yaml');
    return secretNotices(resolveModel(written), written)
      .filter((d) => d.message.startsWith('certificates.'))
      .map(formatDiagnostic);
  };
  it('warns for multi-primary, at spec.certificates.provider when written', () => {
    const doc = meshDoc([primary('a'), primary('b')], { ...ES_REMOTE, certificates: { provider: 'istiod' } });
    expect(toYaml(doc).split('\n')[31]!.slice(14)).toBe('istiod');
    expect(warnings(meshDoc([primary('a'), primary('b')], { ...ES_REMOTE, certificates: { provider: 'istiod' } }))).toEqual([
      't.yaml:32:15: warning: certificates.provider is istiod, so the istiod of a, b each create their own root CA and workloads of different clusters will not trust each other; give every cluster a cacerts chained to one root: set spec.certificates.provider to cert-manager or external-secrets (meshrender certs generates a root and the intermediates offline)',
    ]);
  });
  it.each<[string, unknown]>([
    ['one primary with a remote: one CA signs everything', meshDoc([primary('a'), remote('r', 'a')])],
    ['a plug-in CA', meshDoc([primary('a'), primary('b')], CERT_MANAGER)],
  ])('says nothing for %s', (_name, doc) => {
    expect(warnings(doc)).toEqual([]);
  });
});
