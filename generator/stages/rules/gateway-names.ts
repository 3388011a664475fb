import type { Diagnostic } from '../../diagnostics.ts';
import type { MeshRule } from './rule.ts';

/** ServiceAccount of the base chart in every Istio namespace. */
const READER_SERVICE_ACCOUNT = 'istio-reader-service-account';

export const gatewayNames: MeshRule = {
  id: 'MR018',
  name: 'gateway-names',
  explain:
    "The gateways of one cluster have distinct names in each namespace, and none takes the name of istiod's objects (istiod, istiod-<revision>) or of istio-reader-service-account in a namespace where they live: a gateway's Deployment, Service and ServiceAccount carry its name, so two of them would overwrite each other. A gateway named istio-eastwestgateway in the Istio namespace deliberately replaces the generated east-west gateway.",
  check(ctx) {
    const out: Diagnostic[] = [];
    const resolved = new Map(ctx.topology.clusters.map((c) => [c.name, c]));
    const suffixOf = new Map(ctx.topology.istio.revisions.map((r) => [r.name, r.suffix]));
    for (const { cluster, index } of ctx.writtenClusters()) {
      const model = resolved.get(cluster.name);
      if (!model) continue;
      // Names the cluster's own istiod installs use, by namespace.
      const reserved = new Map<string, Set<string>>();
      const reserve = (ns: string, name: string) => reserved.set(ns, (reserved.get(ns) ?? new Set()).add(name));
      reserve(model.istioNamespace, READER_SERVICE_ACCOUNT);
      const istiodNamespaces = [model.istioNamespace, ...(model.external ? [model.external.namespace] : [])];
      for (const rev of model.revisions) for (const ns of istiodNamespaces) reserve(ns, `istiod${suffixOf.get(rev) ?? ''}`);
      const seen = new Map<string, number>();
      (cluster.gateways ?? []).forEach((g, i) => {
        const ns = g.namespace ?? model.istioNamespace;
        const key = `${ns}/${g.name}`;
        const earlier = seen.get(key);
        const path = ctx.clusterPath(index, 'gateways', i, 'name');
        if (earlier !== undefined) {
          out.push(ctx.error(path, `gateway ${JSON.stringify(g.name)} is already declared in namespace ${ns} by gateways[${earlier}]; give each gateway of a namespace its own name`));
        } else if (reserved.get(ns)?.has(g.name)) {
          out.push(ctx.error(path, `gateway ${JSON.stringify(g.name)} would overwrite istio objects of the same name in namespace ${ns}; rename the gateway or move it to another namespace`));
        }
        if (earlier === undefined) seen.set(key, i);
      });
    }
    return out;
  },
};
