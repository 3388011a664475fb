import type { Diagnostic } from '../../diagnostics.ts';
import { didYouMean } from '../../util/did-you-mean.ts';
import type { MeshRule } from './rule.ts';

export const revisionsKnown: MeshRule = {
  id: 'MR008',
  name: 'revisions-known',
  explain:
    "Revision names are unique; a cluster's revisions, its eastWest.revision and its gateways' revisions are revisions that cluster runs.",
  check(ctx) {
    const out: Diagnostic[] = [];
    const names = ctx.written.spec.istio.revisions.map((r) => r.name);
    const seen = new Set<string>();
    names.forEach((name, i) => {
      if (seen.has(name))
        out.push(ctx.error(['spec', 'istio', 'revisions', i, 'name'], `revision ${JSON.stringify(name)} is listed twice; give each revision its own name`));
      seen.add(name);
    });
    for (const { cluster, index } of ctx.writtenClusters()) {
      (cluster.revisions ?? []).forEach((r, i) => {
        if (seen.has(r)) return;
        const guess = didYouMean(r, names);
        out.push(
          ctx.error(
            ctx.clusterPath(index, 'revisions', i),
            `revision ${JSON.stringify(r)} is not in spec.istio.revisions (${names.join(', ')})${guess ? `; did you mean ${JSON.stringify(guess)}?` : ''}`,
          ),
        );
      });
    }
    for (const { cluster, index } of ctx.writtenClusters()) {
      const runs = cluster.revisions ?? names;
      const refs: [(string | number)[], string | undefined][] = [
        [['eastWest', 'revision'], cluster.eastWest?.revision],
        ...(cluster.gateways ?? []).map((g, i): [(string | number)[], string | undefined] => [['gateways', i, 'revision'], g.revision]),
      ];
      for (const [path, rev] of refs) {
        if (rev === undefined || runs.includes(rev)) continue;
        out.push(ctx.error(ctx.clusterPath(index, ...path), `revision ${JSON.stringify(rev)} is not one this cluster runs (${runs.join(', ')}); name one of those`));
      }
    }
    return out;
  },
};
