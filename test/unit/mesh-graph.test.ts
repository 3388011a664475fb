import { describe, expect, it } from 'vitest';
import { controlPlaneEdges, remoteSecretReads } from '../../generator/components/mesh-graph.ts';
import { modelFrom, topologyDoc, type ClusterInput } from '../support/builders.ts';

const primary = (name: string, network = 'n1', extra: Record<string, unknown> = {}): ClusterInput => ({ name, role: 'primary', network, eastWest: { address: `${name}.example.com` }, ...extra });
const remote = (name: string, cp: string, network = 'n1'): ClusterInput => ({ name, role: 'remote', network, controlPlane: cp });
const external = (name: string, configCluster: string): ClusterInput => ({
  name,
  role: 'external',
  network: 'n1',
  external: { namespace: 'ext-ns', address: 'istiod.example.com', configCluster },
});

/** reader -> target (type) in the reader's namespace, one string per read. */
function reads(clusters: ClusterInput[]): string[] {
  return remoteSecretReads(modelFrom(topologyDoc({ clusters }))).map((r) => `${r.reader}/${r.readerNamespace} -> ${r.target}/${r.targetNamespace} (${r.type})`);
}

describe('remoteSecretReads', () => {
  it.each<[string, ClusterInput[], string[]]>([
    ['a single primary reads nothing', [primary('a')], []],
    ['multi-primary reads both ways', [primary('b'), primary('a')], ['a/istio-system -> b/istio-system (remote)', 'b/istio-system -> a/istio-system (remote)']],
    ['a primary reads its remote; the remote reads nothing', [primary('p'), remote('r', 'p')], ['p/istio-system -> r/istio-system (remote)']],
    [
      'every primary reads every other cluster, including the remotes of another primary',
      [primary('p1'), primary('p2'), remote('r', 'p1')],
      [
        'p1/istio-system -> p2/istio-system (remote)',
        'p1/istio-system -> r/istio-system (remote)',
        'p2/istio-system -> p1/istio-system (remote)',
        'p2/istio-system -> r/istio-system (remote)',
      ],
    ],
    [
      'an external control plane reads its config cluster (config) and its other remotes (remote) from its namespace',
      [external('x', 'cfg'), remote('cfg', 'x'), remote('r2', 'x', 'n2')],
      ['x/ext-ns -> cfg/ext-ns (config)', 'x/ext-ns -> r2/ext-ns (remote)'],
    ],
    ['a remote whose control plane does not exist is read by nobody', [primary('p'), remote('r', 'nope')], ['p/istio-system -> r/istio-system (remote)']],
  ])('%s', (_name, clusters, expected) => {
    expect(reads(clusters)).toEqual(expected);
  });
});

describe('controlPlaneEdges', () => {
  it('links each remote to its istiod cluster with the address it reaches it at', () => {
    const t = modelFrom(topologyDoc({ clusters: [primary('p'), remote('r1', 'p'), external('x', 'cfg'), remote('cfg', 'x'), remote('lost', 'nope')] }));
    expect(controlPlaneEdges(t)).toEqual([
      { remote: 'cfg', controlPlane: 'x', address: 'istiod.example.com' },
      { remote: 'r1', controlPlane: 'p', address: 'p.example.com' },
    ]);
  });
});
