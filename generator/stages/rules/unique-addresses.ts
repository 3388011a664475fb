import type { Diagnostic } from '../../diagnostics.ts';
import type { MeshRule } from './rule.ts';

export const uniqueAddresses: MeshRule = {
  id: 'MR019',
  name: 'unique-addresses',
  explain:
    'No two clusters share an apiServer URL, and no two clusters on different networks share an east-west or external address: a copied value makes an istiod read one API server under two cluster IDs, or sends one network\'s traffic into another network.',
  check(ctx) {
    const out: Diagnostic[] = [];
    const servers = new Map<string, number>();
    const addresses = new Map<string, { index: number; network: string }>();
    for (const { cluster, index } of ctx.writtenClusters()) {
      if (cluster.apiServer !== undefined) {
        const key = cluster.apiServer.replace(/\/+$/, '').toLowerCase();
        const earlier = servers.get(key);
        if (earlier !== undefined)
          out.push(ctx.error(ctx.clusterPath(index, 'apiServer'), `apiServer ${cluster.apiServer} is also the apiServer of spec.clusters[${earlier}]; each cluster has its own API server`));
        else servers.set(key, index);
      }
      const fields: [string[], string | undefined][] = [
        [['eastWest', 'address'], cluster.eastWest?.address],
        [['external', 'address'], cluster.external?.address],
      ];
      for (const [path, value] of fields) {
        if (value === undefined) continue;
        const key = value.toLowerCase();
        const earlier = addresses.get(key);
        if (earlier === undefined) addresses.set(key, { index, network: cluster.network });
        else if (earlier.network !== cluster.network)
          out.push(
            ctx.error(
              ctx.clusterPath(index, ...path),
              `address ${value} is also used by spec.clusters[${earlier.index}] on network ${JSON.stringify(earlier.network)}; a gateway serves one network, so give this cluster its own address`,
            ),
          );
      }
    }
    return out;
  },
};
