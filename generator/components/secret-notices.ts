/**
 * What the user must do about credentials that meshrender deliberately does not render, as
 * warnings that render and validate print (stderr, exit code unchanged) once a topology passes the
 * mesh rules:
 * - remoteSecrets.provider none: per reading cluster, the remote secrets to create by hand, where,
 *   and from which token Secret;
 * - certificates.provider istiod with more than one istiod signing certificates: their roots differ,
 *   so cross-cluster mTLS fails until every cluster has a cacerts chained to one root.
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { Topology, WrittenTopology } from '../types.ts';
import { positionOf, type PathSegment } from '../yaml/positions.ts';
import { caSites } from './ca-certs.ts';
import { remoteSecretSpecs } from './remote-secrets.ts';

export function secretNotices(topology: Topology, written: WrittenTopology): Diagnostic[] {
  const warn = (path: PathSegment[], message: string): Diagnostic => {
    const pos = positionOf(written.loaded, path);
    return { file: written.loaded.file, severity: 'warning', message, ...(pos ? { pos } : {}) };
  };
  const out: Diagnostic[] = [];
  if (topology.remoteSecrets.provider === 'none') {
    for (const s of remoteSecretSpecs(topology)) {
      const index = written.spec.clusters.findIndex((c) => c.name === s.reader);
      const config = s.type === 'config' ? ' --type=config --service-account=istiod' : '';
      out.push(
        warn(
          ['spec', 'clusters', index, 'name'],
          `remoteSecrets.provider is none: create Secret ${s.secretName} in namespace ${s.readerNamespace} of ${s.reader}, from the token of ${s.target}'s Secret ${s.targetNamespace}/${s.tokenSecret}, e.g. istioctl create-remote-secret --context=<${s.target}> --name=${s.target} --namespace=${s.targetNamespace}${config} --create-service-account=false | kubectl --context=<${s.reader}> apply -f -`,
        ),
      );
    }
  }
  const sites = caSites(topology);
  if (topology.certificates.provider === 'istiod' && sites.length > 1) {
    const path = written.spec.certificates?.provider !== undefined ? ['spec', 'certificates', 'provider'] : ['spec', 'certificates'];
    out.push(
      warn(
        path,
        `certificates.provider is istiod, so the istiod of ${sites.map((s) => s.cluster).join(', ')} each create their own root CA and workloads of different clusters will not trust each other; give every cluster a cacerts chained to one root: set spec.certificates.provider to cert-manager or external-secrets (meshrender certs generates a root and the intermediates offline)`,
      ),
    );
  }
  return out;
}
