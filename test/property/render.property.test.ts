/**
 * Properties of rendering over generated valid topologies: no throw, determinism, independence
 * from the order of lists, isolation between clusters, kustomization closure, and a clean
 * --check right after a write.
 */
import { posix } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadReleases, type IstioRelease } from '../../generator/istio/release.ts';
import { buildTree } from '../../generator/pipeline.ts';
import { resolveModel } from '../../generator/stages/resolve.ts';
import { checkMeshRules } from '../../generator/stages/rules/index.ts';
import { checkTree, writeTree } from '../../generator/stages/write.ts';
import type { OutputTree, Topology } from '../../generator/types.ts';
import { RUNS, shuffled, topologyArb, type GeneratedTopology } from '../support/arbitraries.ts';
import { tempDir, toYaml, writtenFrom } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, sharedSkipReason } from '../support/paths.ts';

function model(doc: GeneratedTopology): Topology {
  const written = writtenFrom(toYaml(doc));
  const topology = resolveModel(written);
  const findings = checkMeshRules(topology, written).filter((d) => d.severity === 'error');
  if (findings.length > 0) throw new Error(`generator produced an invalid topology: ${JSON.stringify(findings)}`);
  return topology;
}

describe.skipIf(!HAS_SHARED)('rendering properties', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});
  let releases: Map<string, IstioRelease>;
  const render = (doc: GeneratedTopology): OutputTree => buildTree(model(doc), releases);

  beforeAll(async () => {
    const both = model({
      apiVersion: 'meshrender.dev/v1alpha1',
      kind: 'MeshTopology',
      metadata: { name: 'x' },
      spec: { mesh: { id: 'm' }, istio: { revisions: [{ name: 'a', version: '1.29.6' }, { name: 'b', version: '1.30.3' }] }, networks: { n: {} }, clusters: [{ name: 'c', role: 'primary', network: 'n' }] },
    });
    releases = await loadReleases(both, { distDir: ISTIO_DIST });
  });

  it('renders every valid topology, deterministically, and every file parses and names an object', () => {
    fc.assert(
      fc.property(topologyArb, (doc) => {
        const a = render(doc);
        const b = render(structuredClone(doc));
        expect([...a.files.entries()]).toEqual([...b.files.entries()]);
        for (const [path, text] of a.files) {
          // README.md describes the mesh for reviewers; every other file is a Kubernetes object.
          if (path.endsWith('kustomization.yaml') || path === 'README.md') continue;
          const docs = parseAllDocuments(text);
          expect(Array.isArray(docs) ? docs.length : 1).toBe(1);
          const obj = parse(text) as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
          expect(typeof obj.apiVersion, path).toBe('string');
          expect(typeof obj.kind, path).toBe('string');
          expect(obj.metadata?.name, path).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
          expect(text.startsWith('# Source: '), path).toBe(true);
          expect(text.endsWith('\n') && !text.endsWith('\n\n'), path).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('does not depend on the order of clusters, revisions or networks', () => {
    fc.assert(
      fc.property(topologyArb, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (doc, keys) => {
        const reordered = structuredClone(doc);
        reordered.spec.clusters = shuffled(doc.spec.clusters, keys);
        reordered.spec.istio.revisions = [...doc.spec.istio.revisions].reverse();
        reordered.spec.networks = Object.fromEntries(shuffled(Object.entries(doc.spec.networks), keys));
        expect([...render(reordered).files.entries()]).toEqual([...render(doc).files.entries()]);
      }),
      { numRuns: RUNS },
    );
  });

  it("changing one cluster's istiod settings changes no file of another cluster", () => {
    fc.assert(
      fc.property(topologyArb, fc.nat(), (doc, pick) => {
        const primaries = doc.spec.clusters.filter((c) => c.role === 'primary');
        const target = primaries[pick % primaries.length]!;
        const changed = structuredClone(doc);
        const c = changed.spec.clusters.find((x) => x.name === target.name)!;
        c.istiod = { env: { PILOT_X: 'changed-value' } };
        const before = render(doc).files;
        const after = render(changed).files;
        const prefix = `clusters/${target.name}/`;
        for (const path of new Set([...before.keys(), ...after.keys()])) {
          if (path.startsWith(prefix)) continue;
          expect(after.get(path), path).toBe(before.get(path));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('lists in every kustomization exactly the files and directories beside it', () => {
    fc.assert(
      fc.property(topologyArb, (doc) => {
        const tree = render(doc);
        const paths = [...tree.files.keys()];
        for (const [path, text] of tree.files) {
          if (!path.endsWith('/kustomization.yaml')) continue;
          const dir = posix.dirname(path);
          const beside = new Set<string>();
          for (const p of paths) {
            if (!p.startsWith(`${dir}/`) || p === path) continue;
            beside.add(p.slice(dir.length + 1).split('/')[0]!);
          }
          const listed = (parse(text) as { resources: string[] }).resources;
          const local = listed.filter((r) => !r.startsWith('../'));
          expect(new Set(local), path).toEqual(beside);
          expect(local.length, path).toBe(new Set(local).size);
          for (const ref of listed.filter((r) => r.startsWith('../'))) {
            const target = posix.normalize(posix.join(dir, ref));
            expect(tree.files.has(`${target}/kustomization.yaml`), `${path} → ${ref}`).toBe(true);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('reports nothing to change right after a write', () => {
    fc.assert(
      fc.property(topologyArb, (doc) => {
        const out = tempDir();
        const tree = render(doc);
        writeTree(out, tree);
        expect(checkTree(out, tree)).toMatchObject({ added: [], changed: [], removed: [], foreign: [] });
      }),
      { numRuns: Math.min(RUNS, 5) },
    );
  });
});
