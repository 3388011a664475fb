/**
 * No credential in anything meshrender renders: every file of every example's output tree (cluster
 * trees, Argo CD and Flux entry points, README) is scanned for PEM private keys, bearer tokens that
 * look like JWTs, kubeconfig `token:` values other than the External Secrets placeholder, and
 * client-key-data. The scanner itself is tested on planted secrets, so a scan that finds nothing means
 * something.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderInMemory } from '../generator/pipeline.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from './support/paths.ts';

const RULES: [string, RegExp][] = [
  ['PEM private key', /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/],
  ['JWT-looking bearer token', /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
  // A scalar after a `token:` key (a mapping such as Istio's sds.token.aud is no credential). The only token a
  // kubeconfig carries in out/ is the action `{{ .token }}` that External Secrets fills in, which starts with a brace.
  ['kubeconfig token value', /(?:^|[\s{,-])"?token"?\s*:[ \t]*[^\s#{[]/m],
  ['client-key-data', /client-key-data/],
];

/** `rule: path` for every credential found in a tree. */
function scan(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [path, text] of files) for (const [rule, re] of RULES) if (re.test(text)) found.push(`${rule}: ${path}`);
  return found;
}

describe('the secrets scanner', () => {
  it.each<[string, string]>([
    ['PEM private key', 'data:\n  key: |\n    -----BEGIN PRIVATE KEY-----\n    MIIB\n'],
    ['PEM private key', '-----BEGIN RSA PRIVATE KEY-----\n'],
    ['JWT-looking bearer token', 'note: eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2lnbmF0dXJlc2lnbmF0dXJl\n'],
    ['kubeconfig token value', 'users:\n- name: c\n  user:\n    token: abc.def\n'],
    ['kubeconfig token value', '{"users":[{"user":{"token":"x"}}]}'],
    ['client-key-data', 'users:\n- user:\n    client-key-data: LS0t\n'],
  ])('finds a planted %s', (rule, text) => {
    expect(scan(new Map([['planted.yaml', text]]))).toContain(`${rule}: planted.yaml`);
  });

  it('lets the External Secrets token placeholder and ordinary fields through', () => {
    const ok = 'users:\n- name: c\n  user:\n    token: {{ .token }}\nspec:\n  serviceAccountToken:\n    path: istio-token\n  tokenSecret: x\nsds:\n  token:\n    aud: istio-ca\njson: {"token": {"aud": "istio-ca"}}\n';
    expect(scan(new Map([['ok.yaml', ok]]))).toEqual([]);
  });
});

describe.skipIf(!HAS_SHARED)('rendered examples', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});

  it('hold no private key, token or client key in any file', async () => {
    const examples = readdirSync(join(ROOT, 'topologies'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(ROOT, 'topologies', f));
    const meshes = await renderInMemory(examples, ISTIO_DIST);
    expect(meshes).toHaveLength(examples.length);
    let files = 0;
    let kubeconfigs = 0;
    for (const m of meshes) {
      files += m.tree.files.size;
      for (const text of m.tree.files.values()) if (text.includes('kind: Config')) kubeconfigs++;
      expect(scan(m.tree.files), m.topology.name).toEqual([]);
    }
    expect(files).toBeGreaterThan(500);
    // The scan did see the remote secrets' kubeconfigs (the examples read tokens from a store).
    expect(kubeconfigs).toBeGreaterThanOrEqual(7);
  });
});
