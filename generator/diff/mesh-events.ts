/**
 * Mesh events in words ("cluster2: revision 1-30-3 added", "tag prod-stable: 1-29-6 → 1-30-3"),
 * read from the rendered objects of two trees, so they work the same whether the base was
 * rendered from a git ref or read from a directory.
 */
import { parse } from 'yaml';
import { isPlainObject } from '../yaml/canonical.ts';

export interface MeshSummary {
  clusters: Map<string, ClusterSummary>;
}

export interface ClusterSummary {
  /** Revision label → Istio version (from the istiod or injector image tag), or '' when unknown. */
  revisions: Map<string, string>;
  /** Tag → revision. */
  tags: Map<string, string>;
  /** Clusters whose remote secret this cluster holds. */
  remoteSecrets: Set<string>;
  /** The network of the cluster's Istio namespace. */
  network: string | null;
}

export function summarize(files: ReadonlyMap<string, string>): MeshSummary {
  const clusters = new Map<string, ClusterSummary>();
  const get = (c: string) => {
    let s = clusters.get(c);
    if (!s) clusters.set(c, (s = { revisions: new Map(), tags: new Map(), remoteSecrets: new Set(), network: null }));
    return s;
  };
  for (const [path, text] of files) {
    const m = /^clusters\/([^/]+)\/(.*)$/.exec(path);
    if (!m) continue;
    const [, cluster, rest] = m as unknown as [string, string, string];
    const summary = get(cluster);
    const file = rest.split('/').at(-1)!;
    if (file.startsWith('mutatingwebhookconfiguration-')) {
      const labels = labelsOf(text);
      const rev = labels['istio.io/rev'];
      if (!rev) continue;
      if (labels['istio.io/tag']) summary.tags.set(labels['istio.io/tag'], rev);
      else if (!summary.revisions.has(rev)) summary.revisions.set(rev, '');
    } else if (file.startsWith('deployment-istiod') && rest.includes('30-control-plane/')) {
      const obj = parse(text) as Record<string, unknown>;
      const labels = (obj.metadata as { labels?: Record<string, string> })?.labels ?? {};
      const image = JSON.stringify(obj).match(/"image":"[^"]*\/pilot:([^"]+)"/)?.[1] ?? '';
      if (labels['istio.io/rev']) summary.revisions.set(labels['istio.io/rev'], image);
    } else if (file === 'kustomization.yaml' && rest.includes('/remote-secrets/')) {
      // Remote secrets rendered once per mesh under shared/remote-secrets/<namespace>/<target>/, listed here.
      for (const target of sharedRemoteSecretTargets(text)) summary.remoteSecrets.add(target);
    } else if (/(^|\.)(externalsecret|secret)-istio-(remote-secret-.+|kubeconfig)\.yaml$/.test(file)) {
      const obj = parse(text) as Record<string, unknown>;
      const target = remoteSecretTarget(obj);
      if (target) summary.remoteSecrets.add(target);
    } else if (file.startsWith('namespace-') && rest.startsWith('00-namespaces/')) {
      const network = labelsOf(text)['topology.istio.io/network'];
      if (network && summary.network === null) summary.network = network;
    }
  }
  return { clusters };
}

/** Targets of the shared remote-secret directories a kustomization lists. */
function sharedRemoteSecretTargets(text: string): string[] {
  const resources = (parse(text) as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources)) return [];
  return resources.flatMap((r) => {
    const m = typeof r === 'string' ? /(?:^|\/)shared\/remote-secrets\/[^/]+\/([^/]+)$/.exec(r) : null;
    return m ? [m[1]!] : [];
  });
}

/** The cluster a remote secret gives access to: its networking.istio.io/cluster annotation. */
function remoteSecretTarget(obj: Record<string, unknown>): string | null {
  const find = (o: unknown): string | null => {
    if (!isPlainObject(o)) return null;
    const ann = (o.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
    if (ann?.['networking.istio.io/cluster']) return ann['networking.istio.io/cluster'];
    for (const v of Object.values(o)) {
      const r = find(v);
      if (r) return r;
    }
    return null;
  };
  return find(obj);
}

function labelsOf(text: string): Record<string, string> {
  const obj = parse(text) as { metadata?: { labels?: Record<string, string> } } | null;
  return obj?.metadata?.labels ?? {};
}

/** Events from base to head, sorted: clusters, then revisions, tags, networks, remote secrets. */
export function meshEvents(base: MeshSummary, head: MeshSummary): string[] {
  const out: string[] = [];
  const names = [...new Set([...base.clusters.keys(), ...head.clusters.keys()])].sort();
  // Remote secrets that come and go with a cluster are part of that event, not separate ones.
  const holders = (s: MeshSummary, target: string) => [...s.clusters].filter(([, x]) => x.remoteSecrets.has(target)).map(([n]) => n).sort();
  const added = new Set(names.filter((c) => !base.clusters.has(c)));
  const removed = new Set(names.filter((c) => !head.clusters.has(c)));
  for (const c of names) {
    const readers = added.has(c) ? holders(head, c) : removed.has(c) ? holders(base, c) : [];
    const secrets = readers.length > 0 ? ` (remote secret on ${readers.join(', ')})` : '';
    if (added.has(c)) out.push(`cluster ${c} added${secrets}`);
    else if (removed.has(c)) out.push(`cluster ${c} removed${secrets}`);
  }
  const tagMoves = new Map<string, string[]>();
  for (const c of names) {
    const a = base.clusters.get(c);
    const b = head.clusters.get(c);
    if (!a || !b) continue;
    for (const [rev, version] of b.revisions) {
      if (!a.revisions.has(rev)) out.push(`${c}: revision ${rev} added${version ? ` (Istio ${version})` : ''}`);
      else if (version && a.revisions.get(rev) && a.revisions.get(rev) !== version) out.push(`${c}: revision ${rev} upgraded from Istio ${a.revisions.get(rev)} to ${version}`);
    }
    for (const rev of a.revisions.keys()) if (!b.revisions.has(rev)) out.push(`${c}: revision ${rev} removed`);
    for (const tag of [...new Set([...a.tags.keys(), ...b.tags.keys()])].sort()) {
      const from = a.tags.get(tag);
      const to = b.tags.get(tag);
      if (from === to) continue;
      const key = `tag ${tag}: ${from ?? '(none)'} → ${to ?? '(none)'}`;
      tagMoves.set(key, [...(tagMoves.get(key) ?? []), c]);
    }
    if (a.network !== b.network) out.push(`${c}: network ${a.network ?? '(none)'} → ${b.network ?? '(none)'}`);
    for (const t of [...b.remoteSecrets].sort()) if (!a.remoteSecrets.has(t) && !added.has(t)) out.push(`remote secret for ${t} added on ${c}`);
    for (const t of [...a.remoteSecrets].sort()) if (!b.remoteSecrets.has(t) && !removed.has(t)) out.push(`remote secret for ${t} removed from ${c}`);
  }
  for (const [event, clusters] of [...tagMoves].sort(([x], [y]) => (x < y ? -1 : 1))) out.push(`${event} (${clusters.join(', ')})`);
  return out;
}
