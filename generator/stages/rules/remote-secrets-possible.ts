import { remoteSecretSpecs } from '../../components/remote-secrets.ts';
import type { Diagnostic } from '../../diagnostics.ts';
import type { MeshRule } from './rule.ts';

export const REMOTE_SECRETS_POSSIBLE_ID = 'MR020';

export const remoteSecretsPossible: MeshRule = {
  id: REMOTE_SECRETS_POSSIBLE_ID,
  name: 'remote-secrets-possible',
  explain:
    'With remoteSecrets.provider external-secrets, meshrender writes the kubeconfig of every remote secret an istiod needs (every primary reads every other cluster; an external control plane reads its remotes), so every cluster that is read has an apiServer, and the store key pattern tells the tokens apart: {cluster} when several clusters are read, {serviceAccount} when one cluster is read both by primaries and by an external control plane (two ServiceAccounts, two tokens). A cluster gives its API server CA once, as pem or as key; apiServerCA.key needs the external-secrets provider.',
  check(ctx) {
    const out: Diagnostic[] = [];
    const rs = ctx.topology.remoteSecrets;
    const esProvider = rs.provider === 'external-secrets';
    const specs = remoteSecretSpecs(ctx.topology);
    for (const { cluster, index } of ctx.writtenClusters()) {
      const ca = cluster.apiServerCA;
      if (ca?.pem !== undefined && ca.key !== undefined)
        out.push(ctx.error(ctx.clusterPath(index, 'apiServerCA'), `apiServerCA gives both pem and key; keep one: pem for a CA written here, key for one read from the store`));
      else if (ca?.key !== undefined && !esProvider)
        out.push(
          ctx.error(
            ctx.clusterPath(index, 'apiServerCA', 'key'),
            `apiServerCA.key is read from the remoteSecrets store, but remoteSecrets.provider is ${rs.provider}; set spec.remoteSecrets.provider: external-secrets or remove the key`,
          ),
        );
      if (!esProvider || cluster.apiServer !== undefined) continue;
      const readers = [...new Set(specs.filter((s) => s.target === cluster.name).map((s) => s.reader))];
      if (readers.length === 0) continue;
      out.push(
        ctx.error(
          ctx.clusterPath(index, 'name'),
          `cluster ${JSON.stringify(cluster.name)} is read by the istiod of ${readers.join(', ')}, whose remote secret needs this cluster's API server URL; add apiServer: https://<host>:<port>, or set spec.remoteSecrets.provider: none and create the remote secrets by hand`,
        ),
      );
    }
    if (!esProvider) return out;
    const keyPath = ctx.written.spec.remoteSecrets?.key !== undefined ? ['spec', 'remoteSecrets', 'key'] : ['spec', 'remoteSecrets'];
    const targets = new Set(specs.map((s) => s.target));
    if (targets.size > 1 && !rs.key.includes('{cluster}'))
      out.push(ctx.error(keyPath, `remoteSecrets.key ${JSON.stringify(rs.key)} has no {cluster}, so the tokens of ${[...targets].sort().join(', ')} would be read from one store key; add {cluster}`));
    const accounts = new Map<string, Set<string>>();
    for (const s of specs) accounts.set(s.target, (accounts.get(s.target) ?? new Set()).add(s.serviceAccount));
    const shared = [...accounts].filter(([, sas]) => sas.size > 1).map(([t]) => t);
    if (shared.length > 0 && !rs.key.includes('{serviceAccount}'))
      out.push(
        ctx.error(
          keyPath,
          `remoteSecrets.key ${JSON.stringify(rs.key)} has no {serviceAccount}, but ${shared.join(', ')} is read through two ServiceAccounts (istio-reader-service-account by primaries, istiod by its external control plane), each with its own token; add {serviceAccount}`,
        ),
      );
    return out;
  },
};
