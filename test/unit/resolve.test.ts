import { describe, expect, it } from 'vitest';
import { pickDefaultRevision } from '../../generator/stages/resolve.ts';
import { modelFrom, topologyDoc } from '../support/builders.ts';

describe('resolveModel', () => {
  it('fills defaults', () => {
    const t = modelFrom(topologyDoc());
    expect(t.mesh).toEqual({ id: 'mesh1', trustDomain: 'cluster.local' });
    expect(t.istio).toMatchObject({ namespace: 'istio-system', hub: 'registry.istio.io/release', distribution: null, tags: [] });
    expect(t.istio.revisions).toEqual([{ name: 'default', version: '1.30.3', minor: '1.30', label: 'default', suffix: '', sha256: null }]);
  });

  it('sorts clusters, revisions and tags by name whatever order they were written in', () => {
    const doc = topologyDoc({
      clusters: [
        { name: 'zeta', role: 'primary', network: 'n1' },
        { name: 'alpha', role: 'primary', network: 'n1' },
      ],
      istio: { revisions: [{ name: 'r2', version: '1.30.3' }, { name: 'r1', version: '1.29.6' }], tags: { z: 'r1', a: 'r2' } },
    });
    const t = modelFrom(doc);
    expect(t.clusters.map((c) => c.name)).toEqual(['alpha', 'zeta']);
    expect(t.istio.revisions.map((r) => [r.name, r.suffix, r.minor])).toEqual([['r1', '-r1', '1.29'], ['r2', '-r2', '1.30']]);
    expect(t.istio.tags.map((x) => x.name)).toEqual(['a', 'z']);
  });

  it('puts the remotes of an external control plane in its namespace', () => {
    const t = modelFrom(
      topologyDoc({
        clusters: [
          { name: 'ext', role: 'external', network: 'n1', external: { address: 'istiod.example.com', configCluster: 'cfg', namespace: 'ext-ns' } },
          { name: 'cfg', role: 'remote', network: 'n1', controlPlane: 'ext' },
          { name: 'prim', role: 'primary', network: 'n1', eastWest: { address: '10.0.0.1' } },
          { name: 'rem', role: 'remote', network: 'n1', controlPlane: 'prim' },
        ],
        istio: { namespace: 'mesh-system' },
      }),
    );
    const ns = Object.fromEntries(t.clusters.map((c) => [c.name, c.istioNamespace]));
    expect(ns).toEqual({ cfg: 'ext-ns', ext: 'mesh-system', prim: 'mesh-system', rem: 'mesh-system' });
  });

  it('gives east-west gateways to multi-network clusters and to primaries that serve remotes', () => {
    const single = modelFrom(topologyDoc());
    expect(single.clusters.map((c) => [c.name, c.eastWestGateway])).toEqual([['cluster1', true], ['cluster2', false]]);
    const multi = modelFrom(
      topologyDoc({ clusters: [{ name: 'a', role: 'primary', network: 'n1' }, { name: 'b', role: 'primary', network: 'n2' }, { name: 'c', role: 'primary', network: 'n2', eastWest: { enabled: false } }] }),
    );
    expect(multi.clusters.map((c) => [c.name, c.eastWestGateway])).toEqual([['a', true], ['b', true], ['c', false]]);
  });

  it('sorts istiod env and nodeSelector keys and never sets a prototype', () => {
    const t = modelFrom(
      topologyDoc({ clusters: [{ name: 'a', role: 'primary', network: 'n1', istiod: { env: JSON.parse('{"ZED":"1","ALPHA":"2","__proto__":"x"}'), nodeSelector: { z: '1', a: '2' } } }] }),
    );
    expect(Object.keys(t.clusters[0]!.istiod.env!)).toEqual(['ALPHA', 'ZED', '__proto__']);
    expect(Object.keys(t.clusters[0]!.istiod.nodeSelector!)).toEqual(['a', 'z']);
    expect(Object.getPrototypeOf(t.clusters[0]!.istiod.env)).toBe(Object.prototype);
  });

  it('returns a deeply frozen model', () => {
    const t = modelFrom(topologyDoc());
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.clusters[0])).toBe(true);
    expect(Object.isFrozen(t.istio.revisions[0])).toBe(true);
  });
});

describe('pickDefaultRevision', () => {
  it.each([
    [['a', 'b'], [{ name: 'default', revision: 'b' }], 'b'],
    [['a', 'default'], [], 'default'],
    [['x'], [], 'x'],
    [['b', 'c'], [{ name: 'default', revision: 'z' }], 'b'],
    [[], [], null],
  ] as const)('revisions %j with tags %j → %s', (revs, tags, expected) => {
    expect(pickDefaultRevision(revs, tags)).toBe(expected);
  });
});
