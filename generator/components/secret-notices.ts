/**
 * What the user must do about credentials that meshrender deliberately does not render, as
 * warnings that render and validate print (stderr, exit code unchanged) once a topology passes the
 * mesh rules:
 * - remoteSecrets.provider none: per reading cluster, the remote secrets to create by hand, where,
 *   and from which token Secret (summarised in one warning per reader that reads more than three);
 * - certificates.provider istiod with more than one istiod signing certificates: their roots differ,
 *   so cross-cluster mTLS fails until every cluster has a cacerts chained to one root.
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { Topology, WrittenTopology } from '../types.ts';
import { positionOf, type PathSegment } from '../yaml/positions.ts';
import { caSites } from './ca-certs.ts';
import { remoteSecretSpecsByReader, type RemoteSecretSpec } from './remote-secrets.ts';

/** Up to this many remote secrets of one reader are spelled out one warning each; more are summarised. */
const SPELLED_OUT = 3;
/** Clusters named in a summary before "and N more". */
const NAMED = 5;

export function secretNotices(topology: Topology, written: WrittenTopology): Diagnostic[] {
  const warn = (path: PathSegment[], message: string): Diagnostic => {
    const pos = positionOf(written.loaded, path);
    return { file: written.loaded.file, severity: 'warning', message, ...(pos ? { pos } : {}) };
  };
  const out: Diagnostic[] = [];
  if (topology.remoteSecrets.provider === 'none') {
    const indexOf = new Map(written.spec.clusters.map((c, i) => [c.name, i]));
    for (const [reader, specs] of remoteSecretSpecsByReader(topology)) {
      const at: PathSegment[] = ['spec', 'clusters', indexOf.get(reader)!, 'name'];
      // A primary of a large fleet reads hundreds of clusters: one line per reader, not one per secret.
      if (specs.length > SPELLED_OUT) {
        out.push(warn(at, summary(reader, specs)));
        continue;
      }
      for (const s of specs) {
        const config = s.type === 'config' ? ' --type=config --service-account=istiod' : '';
        out.push(
          warn(
            at,
            `remoteSecrets.provider is none: create Secret ${s.secretName} in namespace ${s.readerNamespace} of ${s.reader}, from the token of ${s.target}'s Secret ${s.targetNamespace}/${s.tokenSecret}, e.g. istioctl create-remote-secret --context=<${s.target}> --name=${s.target} --namespace=${s.targetNamespace}${config} --create-service-account=false | kubectl --context=<${s.reader}> apply -f -`,
          ),
        );
      }
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

/** One warning for the many remote secrets of one reader: how many, which clusters, and the command for each. */
function summary(reader: string, specs: readonly RemoteSecretSpec[]): string {
  const targets = specs.map((s) => s.target);
  const named = targets.length > NAMED ? `${targets.slice(0, NAMED).join(', ')} and ${targets.length - NAMED} more` : targets.join(', ');
  const namespaces = [...new Set(specs.map((s) => s.readerNamespace))].join(', ');
  return `remoteSecrets.provider is none: create ${specs.length} remote secrets in namespace ${namespaces} of ${reader}, one per cluster it reads (${named}; out/<mesh>/README.md lists every read), each from that cluster's token Secret, e.g. istioctl create-remote-secret --context=<cluster> --name=<cluster> --namespace=<its Istio namespace> --create-service-account=false | kubectl --context=<${reader}> apply -f -`;
}
