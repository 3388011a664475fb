/**
 * Remote secrets (facts §5): the token Secrets on the clusters that are read, the ExternalSecrets that
 * write istio-remote-secret-<cluster> / istio-kubeconfig on the readers, the notices of provider none
 * and mesh rule MR020. Expected names, labels, annotations and kubeconfig shape are written by hand
 * from istioctl/pkg/multicluster/remote_secret.go as the facts sheet records it.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { goTemplateLiteral, kubeconfigTemplate, planSharedRemoteSecrets, remoteSecretSpecs } from '../../generator/components/remote-secrets.ts';
import { secretNotices } from '../../generator/components/secret-notices.ts';
import { formatDiagnostic, type Diagnostic } from '../../generator/diagnostics.ts';
import { resolveModel } from '../../generator/stages/resolve.ts';
import { checkMeshRules } from '../../generator/stages/rules/index.ts';
import { toYaml, writtenFrom } from '../support/builders.ts';
import { ES_REMOTE, external, meshDoc, primary, remote, renderRemoteSecrets, type K8sObject } from './remote-secrets.support.ts';

const model = (doc: unknown) => resolveModel(writtenFrom(toYaml(doc), 't.yaml'));

/** Every remote-secret object each cluster's tree builds to, as `cluster layer/unit Kind ns/name`. */
function inventory(doc: unknown): string[] {
  const t = model(doc);
  const out: string[] = [];
  for (const c of t.clusters) for (const [unit, objs] of renderRemoteSecrets(t, c.name)) for (const o of objs) out.push(`${c.name} ${unit} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
  return out;
}

const PRIMARY_REMOTE = [primary('cluster1'), remote('cluster2', 'cluster1')];
const MULTI_PRIMARY = [primary('cluster1'), primary('cluster2', { network: 'n2' })];
const EXTERNAL = [external('ext', 'config'), remote('config', 'ext'), remote('remote2', 'ext', { network: 'n2' })];

describe('remote secrets: which objects go where', () => {
  it.each<[string, unknown, string[]]>([
    [
      'primary-remote: the primary reads its remote',
      meshDoc(PRIMARY_REMOTE, ES_REMOTE),
      [
        'cluster1 secrets/remote-secrets ExternalSecret istio-system/istio-remote-secret-cluster2',
        'cluster2 secrets/remote-secret-tokens Secret istio-system/istio-reader-service-account-istio-remote-secret-token',
      ],
    ],
    [
      'multi-primary: both ways',
      meshDoc(MULTI_PRIMARY, ES_REMOTE, ['n1', 'n2']),
      [
        'cluster1 secrets/remote-secret-tokens Secret istio-system/istio-reader-service-account-istio-remote-secret-token',
        'cluster1 secrets/remote-secrets ExternalSecret istio-system/istio-remote-secret-cluster2',
        'cluster2 secrets/remote-secret-tokens Secret istio-system/istio-reader-service-account-istio-remote-secret-token',
        'cluster2 secrets/remote-secrets ExternalSecret istio-system/istio-remote-secret-cluster1',
      ],
    ],
    [
      'external control plane: istio-kubeconfig for the config cluster (SA istiod), a remote secret for the other remote, all in the external namespace',
      meshDoc(EXTERNAL, ES_REMOTE, ['n1', 'n2']),
      [
        'config secrets/remote-secret-tokens Secret external-istiod/istiod-istio-remote-secret-token',
        'ext secrets/remote-secrets ExternalSecret external-istiod/istio-kubeconfig',
        'ext secrets/remote-secrets ExternalSecret external-istiod/istio-remote-secret-remote2',
        'remote2 secrets/remote-secret-tokens Secret external-istiod/istio-reader-service-account-istio-remote-secret-token',
      ],
    ],
    [
      'provider none: only the token Secrets',
      meshDoc(PRIMARY_REMOTE),
      ['cluster2 secrets/remote-secret-tokens Secret istio-system/istio-reader-service-account-istio-remote-secret-token'],
    ],
    ['a single primary: nothing', meshDoc([primary('solo')], ES_REMOTE), []],
  ])('%s', (_name, doc, expected) => {
    expect(inventory(doc).sort()).toEqual(expected.sort());
  });

  it('renders one token Secret per ServiceAccount even when several istiod read the cluster', () => {
    const doc = meshDoc([primary('a'), primary('b'), remote('r', 'a')], ES_REMOTE);
    expect(inventory(doc).filter((l) => l.startsWith('r '))).toEqual(['r secrets/remote-secret-tokens Secret istio-system/istio-reader-service-account-istio-remote-secret-token']);
  });
});

describe('remote secrets live once per mesh', () => {
  it('one directory per target and reader namespace under shared/, listed by every reader; istio-kubeconfig stays with its reader', () => {
    const t = model(meshDoc([primary('a'), primary('b'), remote('r', 'a'), external('x', 'cfg'), remote('cfg', 'x'), remote('r2', 'x')], ES_REMOTE));
    const plan = planSharedRemoteSecrets(t, '70-secrets');
    // r2 is read by the primaries (istio-system) and by the external control plane (external-istiod): two directories.
    expect(plan.units.map((u) => u.dir)).toEqual([
      'shared/remote-secrets/external-istiod/r2',
      'shared/remote-secrets/istio-system/a',
      'shared/remote-secrets/istio-system/b',
      'shared/remote-secrets/istio-system/cfg',
      'shared/remote-secrets/istio-system/r',
      'shared/remote-secrets/istio-system/r2',
    ]);
    const ref = (d: string) => `../../../../shared/remote-secrets/${d}`;
    expect(Object.fromEntries(plan.references)).toEqual({
      'clusters/a/70-secrets/remote-secrets': ['istio-system/b', 'istio-system/cfg', 'istio-system/r', 'istio-system/r2'].map(ref),
      'clusters/b/70-secrets/remote-secrets': ['istio-system/a', 'istio-system/cfg', 'istio-system/r', 'istio-system/r2'].map(ref),
      'clusters/x/70-secrets/remote-secrets': ['external-istiod/r2'].map(ref),
    });
    expect(renderRemoteSecrets(t, 'x').get('secrets/remote-secrets')!.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      'external-istiod/istio-kubeconfig',
      'external-istiod/istio-remote-secret-r2',
    ]);
  });

  it('render --cluster lists the references of the named readers only, and still renders every shared directory', () => {
    const t = model(meshDoc([primary('a'), primary('b'), remote('r', 'a')], ES_REMOTE));
    const plan = planSharedRemoteSecrets(t, '70-secrets', new Set(['a']));
    expect([...plan.references.keys()]).toEqual(['clusters/a/70-secrets/remote-secrets']);
    expect(plan.units.map((u) => u.dir)).toEqual(['shared/remote-secrets/istio-system/a', 'shared/remote-secrets/istio-system/b', 'shared/remote-secrets/istio-system/r']);
  });

  it('provider none: nothing under shared/', () => {
    const plan = planSharedRemoteSecrets(model(meshDoc([primary('a'), primary('b')])), '70-secrets');
    expect(plan).toEqual({ units: [], references: new Map() });
  });
});

describe('remote secrets: the objects', () => {
  it('the token Secret is exactly what istioctl creates', () => {
    const [token] = renderRemoteSecrets(model(meshDoc(PRIMARY_REMOTE, ES_REMOTE)), 'cluster2').get('secrets/remote-secret-tokens')!;
    expect(token).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'istio-reader-service-account-istio-remote-secret-token',
        namespace: 'istio-system',
        annotations: { 'kubernetes.io/service-account.name': 'istio-reader-service-account' },
      },
      type: 'kubernetes.io/service-account-token',
    });
  });

  it('the ExternalSecret writes the remote secret with Istio name, label, annotation and a kubeconfig for apiServer', () => {
    const [es] = renderRemoteSecrets(model(meshDoc(PRIMARY_REMOTE, ES_REMOTE)), 'cluster1').get('secrets/remote-secrets')! as K8sObject[];
    expect(es!.apiVersion).toBe('external-secrets.io/v1');
    expect(es!.metadata).toEqual({ name: 'istio-remote-secret-cluster2', namespace: 'istio-system' });
    expect(es!.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'ClusterSecretStore' });
    expect(es!.spec.refreshInterval).toBe('1h');
    expect(es!.spec.target.name).toBe('istio-remote-secret-cluster2');
    expect(es!.spec.target.template.engineVersion).toBe('v2');
    expect(es!.spec.target.template.metadata).toEqual({ labels: { 'istio/multiCluster': 'true' }, annotations: { 'networking.istio.io/cluster': 'cluster2' } });
    expect(Object.keys(es!.spec.target.template.data)).toEqual(['cluster2']);
    expect(es!.spec.data).toEqual([{ secretKey: 'token', remoteRef: { key: 'meshrender/demo/cluster2/istio-reader-service-account' } }]);
    // What External Secrets would write once it substitutes the token: a kubeconfig as istioctl writes it.
    const kubeconfig = parse(es!.spec.target.template.data.cluster2.replace('{{ .token }}', 'TOKEN'));
    expect(kubeconfig).toEqual({
      apiVersion: 'v1',
      clusters: [{ cluster: { server: 'https://cluster2.example.com:6443' }, name: 'cluster2' }],
      contexts: [{ context: { cluster: 'cluster2', user: 'cluster2' }, name: 'cluster2' }],
      'current-context': 'cluster2',
      kind: 'Config',
      users: [{ name: 'cluster2', user: { token: 'TOKEN' } }],
    });
  });

  it('istio-kubeconfig keeps the key config and the config cluster name in the annotation', () => {
    const objs = renderRemoteSecrets(model(meshDoc(EXTERNAL, ES_REMOTE, ['n1', 'n2'])), 'ext').get('secrets/remote-secrets')!;
    const cfg = objs.find((o) => o.metadata.name === 'istio-kubeconfig')!;
    expect(Object.keys(cfg.spec.target.template.data)).toEqual(['config']);
    expect(cfg.spec.target.template.metadata.annotations).toEqual({ 'networking.istio.io/cluster': 'config' });
    expect(cfg.spec.data[0].remoteRef.key).toBe('meshrender/demo/config/istiod');
    const r2 = objs.find((o) => o.metadata.name === 'istio-remote-secret-remote2')!;
    expect(r2.spec.data[0].remoteRef.key).toBe('meshrender/demo/remote2/istio-reader-service-account');
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string | null, unknown[]]>([
    ['inline PEM: base64 in the template, nothing from the store', { apiServerCA: { pem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' } }, {}, Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64'), []],
    [
      'store key: a second data entry, base64-encoded by the template',
      { apiServerCA: { key: 'ca/{mesh}/{cluster}', property: 'ca.crt' } },
      {},
      '{{ .ca | b64enc }}',
      [{ secretKey: 'ca', remoteRef: { key: 'ca/demo/cluster2', property: 'ca.crt' } }],
    ],
    ['custom key pattern and property for the token', {}, { key: 'k8s/{cluster}/{serviceAccount}/{mesh}', property: 'token', refreshInterval: '15m' }, null, []],
  ])('%s', (_name, clusterExtra, rsExtra, caData, extraData) => {
    const doc = meshDoc([primary('cluster1'), remote('cluster2', 'cluster1', clusterExtra)], { remoteSecrets: { ...ES_REMOTE.remoteSecrets, ...rsExtra } });
    const [es] = renderRemoteSecrets(model(doc), 'cluster1').get('secrets/remote-secrets')!;
    const text: string = es!.spec.target.template.data.cluster2;
    const caLine = text.split('\n').find((l) => l.includes('certificate-authority-data'));
    expect(caLine?.trim() ?? null).toBe(caData === null ? null : `certificate-authority-data: ${caData}`);
    expect(es!.spec.data.slice(1)).toEqual(extraData);
    if (rsExtra.key) {
      expect(es!.spec.data[0]).toEqual({ secretKey: 'token', remoteRef: { key: 'k8s/cluster2/istio-reader-service-account/demo', property: 'token' } });
      expect(es!.spec.refreshInterval).toBe('15m');
    }
  });
});

describe('the kubeconfig template', () => {
  it('escapes Go template delimiters coming from the topology', () => {
    expect(goTemplateLiteral('a{{b}}c')).toBe('a{{ "{{" }}b}}c');
    const text = kubeconfigTemplate('c1', 'https://h:6443/{{ .token }}', null);
    expect(text).toContain('server: "https://h:6443/{{ "{{" }} .token }}"');
    // Exactly one action that reads a secret value: the token.
    expect(text.match(/\{\{ \.[a-z]+/g)).toEqual(['{{ .token']);
  });
});

describe('which istiod reads which cluster', () => {
  it('gives each read its ServiceAccount, token Secret and Secret name', () => {
    const specs = remoteSecretSpecs(model(meshDoc(EXTERNAL, {}, ['n1', 'n2']))).map((s) => [s.reader, s.target, s.type, s.serviceAccount, s.tokenSecret, s.secretName, s.secretKey]);
    expect(specs).toEqual([
      ['ext', 'config', 'config', 'istiod', 'istiod-istio-remote-secret-token', 'istio-kubeconfig', 'config'],
      ['ext', 'remote2', 'remote', 'istio-reader-service-account', 'istio-reader-service-account-istio-remote-secret-token', 'istio-remote-secret-remote2', 'remote2'],
    ]);
  });
});

describe('provider none tells the user what to create', () => {
  it('prints one warning per remote secret, at the reading cluster, with the istioctl command', () => {
    const written = writtenFrom(toYaml(meshDoc(EXTERNAL, {}, ['n1', 'n2'])), 't.yaml');
    const lines = secretNotices(resolveModel(written), written).map(formatDiagnostic);
    expect(lines).toEqual([
      "t.yaml:16:13: warning: remoteSecrets.provider is none: create Secret istio-kubeconfig in namespace external-istiod of ext, from the token of config's Secret external-istiod/istiod-istio-remote-secret-token, e.g. istioctl create-remote-secret --context=<config> --name=config --namespace=external-istiod --type=config --service-account=istiod --create-service-account=false | kubectl --context=<ext> apply -f -",
      "t.yaml:16:13: warning: remoteSecrets.provider is none: create Secret istio-remote-secret-remote2 in namespace external-istiod of ext, from the token of remote2's Secret external-istiod/istio-reader-service-account-istio-remote-secret-token, e.g. istioctl create-remote-secret --context=<remote2> --name=remote2 --namespace=external-istiod --create-service-account=false | kubectl --context=<ext> apply -f -",
    ]);
    expect(toYaml(meshDoc(EXTERNAL, {}, ['n1', 'n2'])).split('\n')[15]!.slice(12)).toBe('ext');
  });

  it('summarises, in one warning per reader, a reader of more than three clusters (a fleet would print a line per pair)', () => {
    const doc = meshDoc([primary('p'), ...['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((r) => remote(r, 'p'))]);
    const written = writtenFrom(toYaml(doc), 't.yaml');
    const lines = secretNotices(resolveModel(written), written).map(formatDiagnostic);
    expect(lines).toEqual([
      't.yaml:15:13: warning: remoteSecrets.provider is none: create 6 remote secrets in namespace istio-system of p, one per cluster it reads (r1, r2, r3, r4, r5 and 1 more; out/<mesh>/README.md lists every read), each from that cluster\'s token Secret, e.g. istioctl create-remote-secret --context=<cluster> --name=<cluster> --namespace=<its Istio namespace> --create-service-account=false | kubectl --context=<p> apply -f -',
    ]);
    expect(toYaml(doc).split('\n')[14]!.slice(12)).toBe('p');
  });

  it('says nothing with provider external-secrets', () => {
    const written = writtenFrom(toYaml(meshDoc(PRIMARY_REMOTE, ES_REMOTE)), 't.yaml');
    expect(secretNotices(resolveModel(written), written)).toEqual([]);
  });
});

describe('mesh rule MR020 remote-secrets-possible', () => {
  const mr020 = (doc: unknown) => {
    const written = writtenFrom(toYaml(doc), 't.yaml');
    return checkMeshRules(resolveModel(written), written)
      .filter((d) => d.rule === 'MR020')
      .map((d) => `${d.severity}: ${d.message}`);
  };

  it.each<[string, unknown, string[]]>([
    ['a read cluster without apiServer, provider none: fine (the user creates the secret with istioctl)', meshDoc([primary('a'), remote('r', 'a', { apiServer: undefined })]), []],
    [
      'a read cluster without apiServer, provider external-secrets',
      meshDoc([primary('a', { apiServer: undefined }), primary('b')], ES_REMOTE),
      ['error: cluster "a" is read by the istiod of b, whose remote secret needs this cluster\'s API server URL; add apiServer: https://<host>:<port>, or set spec.remoteSecrets.provider: none and create the remote secrets by hand'],
    ],
    ['a cluster nobody reads needs no apiServer', meshDoc([external('x', 'cfg', { apiServer: undefined }), remote('cfg', 'x')], ES_REMOTE), []],
    [
      'a key pattern without {cluster} with two read clusters',
      meshDoc([primary('a'), primary('b')], { remoteSecrets: { ...ES_REMOTE.remoteSecrets, key: 'mesh/token' } }),
      ['error: remoteSecrets.key "mesh/token" has no {cluster}, so the tokens of a, b would be read from one store key; add {cluster}'],
    ],
    [
      'a key pattern without {serviceAccount} when a config cluster is also read by a primary',
      meshDoc([primary('p'), external('x', 'cfg'), remote('cfg', 'x')], { remoteSecrets: { ...ES_REMOTE.remoteSecrets, key: 'mesh/{cluster}' } }),
      ['error: remoteSecrets.key "mesh/{cluster}" has no {serviceAccount}, but cfg is read through two ServiceAccounts (istio-reader-service-account by primaries, istiod by its external control plane), each with its own token; add {serviceAccount}'],
    ],
    [
      'apiServerCA with both pem and key',
      meshDoc([primary('a'), remote('r', 'a', { apiServerCA: { pem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', key: 'x/{cluster}' } })], ES_REMOTE),
      ['error: apiServerCA gives both pem and key; keep one: pem for a CA written here, key for one read from the store'],
    ],
    [
      'apiServerCA.key without the external-secrets provider',
      meshDoc([primary('a'), remote('r', 'a', { apiServerCA: { key: 'x/{cluster}' } })]),
      ['error: apiServerCA.key is read from the remoteSecrets store, but remoteSecrets.provider is none; set spec.remoteSecrets.provider: external-secrets or remove the key'],
    ],
  ])('%s', (_name, doc, expected) => {
    expect(mr020(JSON.parse(JSON.stringify(doc)))).toEqual(expected);
  });

  it('is refused by the schema: a store is required for external-secrets, and only known placeholders', () => {
    const schemaErrors = (doc: unknown): string => {
      try {
        writtenFrom(toYaml(doc), 't.yaml');
        return '';
      } catch (e) {
        return (e as { diagnostics: Diagnostic[] }).diagnostics.map(formatDiagnostic).join('\n');
      }
    };
    expect(schemaErrors(meshDoc(PRIMARY_REMOTE, { remoteSecrets: { provider: 'external-secrets' } }))).toMatch(/store/);
    expect(schemaErrors(meshDoc(PRIMARY_REMOTE, { remoteSecrets: { ...ES_REMOTE.remoteSecrets, key: 'x/{{cluster}}' } }))).toMatch(/placeholders \{mesh\}, \{cluster\} and \{serviceAccount\}/);
    expect(schemaErrors(meshDoc(PRIMARY_REMOTE, { remoteSecrets: { ...ES_REMOTE.remoteSecrets, key: 'x/{namespace}' } }))).toMatch(/placeholders/);
    expect(schemaErrors(meshDoc(PRIMARY_REMOTE, ES_REMOTE))).toBe('');
  });
});
