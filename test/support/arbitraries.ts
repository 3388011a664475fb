/**
 * fast-check generators of valid topologies. Every generated topology is checked against the
 * schema and the mesh rules by the properties that use it, so the generator stays in step with them.
 */
import fc from 'fast-check';

export interface GeneratedTopology {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    mesh: { id: string };
    istio: { revisions: { name: string; version: string }[]; tags?: Record<string, string> };
    networks: Record<string, object>;
    clusters: Record<string, unknown>[];
  };
}

const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).map((p) => p.join('.'));
const dnsName = fc.constantFrom('istiod.example.com', 'ew.mesh.example.org', 'gw1.internal');
const address = fc.oneof(ipv4, dnsName, fc.constant('2001:db8::1'));

export const topologyArb: fc.Arbitrary<GeneratedTopology> = fc
  .record({
    networks: fc.integer({ min: 1, max: 3 }),
    primaries: fc.integer({ min: 1, max: 3 }),
    remotes: fc.integer({ min: 0, max: 3 }),
    twoRevisions: fc.boolean(),
    // Distinct: gateways on different networks never share an address (rule unique-addresses).
    addresses: fc.uniqueArray(address, { minLength: 3, maxLength: 3 }),
    envValue: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s)),
    seed: fc.nat(),
  })
  .map(({ networks, primaries, remotes, twoRevisions, addresses, envValue, seed }) => {
    const nets = Array.from({ length: networks }, (_, i) => `network${i + 1}`);
    const clusters: Record<string, unknown>[] = [];
    for (let i = 0; i < primaries; i++) {
      clusters.push({
        name: `primary${i + 1}`,
        role: 'primary',
        network: nets[i % nets.length],
        apiServer: `https://primary${i + 1}.example.com:6443`,
        eastWest: { address: addresses[i % addresses.length] },
        istiod: { env: { PILOT_X: envValue } },
      });
    }
    for (let i = 0; i < remotes; i++) {
      clusters.push({
        name: `remote${i + 1}`,
        role: 'remote',
        network: nets[(i + seed) % nets.length],
        controlPlane: `primary${((i + seed) % primaries) + 1}`,
        apiServer: `https://remote${i + 1}.example.com:6443`,
      });
    }
    const revisions = twoRevisions
      ? [{ name: '1-29-6', version: '1.29.6' }, { name: '1-30-3', version: '1.30.3' }]
      : [{ name: 'default', version: '1.30.3' }];
    return {
      apiVersion: 'meshrender.dev/v1alpha1',
      kind: 'MeshTopology',
      metadata: { name: 'prop' },
      spec: {
        mesh: { id: 'mesh1' },
        istio: { revisions, ...(twoRevisions ? { tags: { default: '1-29-6', canary: '1-30-3' } } : {}) },
        networks: Object.fromEntries(nets.filter((n) => clusters.some((c) => c.network === n)).map((n) => [n, {}])),
        clusters,
      },
    };
  });

/** Number of runs per property: small by default, raised with MESHRENDER_PROPERTY_RUNS. */
export const RUNS = Number(process.env.MESHRENDER_PROPERTY_RUNS ?? 15);

/** A permutation of a list, chosen by fast-check. */
export function shuffled<T>(list: readonly T[], keys: readonly number[]): T[] {
  return list
    .map((v, i) => ({ v, k: keys[i % keys.length]! + i / 1000 }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.v);
}
