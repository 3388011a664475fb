/**
 * Input digests (stages/inputs.ts) decide whether a cluster is rendered again, so a digest must
 * change whenever anything its files depend on changes. It is taken over the JSON of the template
 * contexts, which is faithful only for plain data: these tests check every planner's contexts are.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetTopology } from '../../bench/fleet.ts';
import type { IstioRelease } from '../../generator/istio/release.ts';
import { checkAndLoad } from '../../generator/pipeline.ts';
import { clusterInputDigest, engineDigest, meshInputBase, packageDigest } from '../../generator/stages/inputs.ts';
import { planCluster, planMesh, type RenderUnit } from '../../generator/stages/plan.ts';
import { loadCatalog } from '../../generator/templating/catalog.ts';
import { tempDir, topologyFile } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT } from '../support/paths.ts';

/** The first value under `value` that JSON would not record faithfully, as a path; null if none. */
function notPlain(value: unknown, path = '$'): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      if (v === undefined) return `${path}[${i}]`;
      const bad = notPlain(v, `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      // An undefined property is left out of the JSON, and templates read it as absent too.
      if (v === undefined) continue;
      const bad = notPlain(v, `${path}.${k}`);
      if (bad) return bad;
    }
    return null;
  }
  return path;
}

describe('notPlain', () => {
  it('finds what JSON would lose or change', () => {
    expect(notPlain({ a: [1, 'x', null, { b: true }] })).toBeNull();
    expect(notPlain({ a: new Map() })).toBe('$.a');
    expect(notPlain({ a: [1, undefined] })).toBe('$.a[1]');
    expect(notPlain({ a: { f: () => 1 } })).toBe('$.a.f');
    expect(notPlain({ a: Number.NaN })).toBe('$.a');
    expect(notPlain({ d: new Date(0) })).toBe('$.d');
  });
});

describe.skipIf(!HAS_SHARED)('input digests', () => {
  const examples = readdirSync(join(ROOT, 'topologies')).filter((f) => f.endsWith('.yaml')).map((f) => join(ROOT, 'topologies', f));

  it('are taken over contexts and topologies that are plain data, for every planner of every example and of a fleet', async () => {
    const loaded = await checkAndLoad([...examples, topologyFile(fleetTopology({ clusters: 60 }))], ISTIO_DIST);
    const catalog = loadCatalog();
    let units = 0;
    for (const { topology, releases } of loaded) {
      const all: RenderUnit[] = [...topology.clusters.flatMap((c) => planCluster(topology, c, catalog, releases)), ...planMesh(topology, catalog, releases).units];
      for (const u of all) expect(notPlain(u.context), `${topology.name} ${u.dir}`).toBeNull();
      // The mesh-level digest takes the whole resolved topology.
      expect(notPlain(topology), topology.name).toBeNull();
      units += all.length;
    }
    expect(units).toBeGreaterThan(500);
  });

  it('change with any context value, template, directory or reference, and only then', async () => {
    const { topology, releases } = (await checkAndLoad([examples.find((f) => f.endsWith('/primary-remote.yaml'))!], ISTIO_DIST))[0]!;
    const units = planCluster(topology, topology.clusters[0]!, loadCatalog(), releases);
    const base = meshInputBase(topology.name, releases);
    const refs = new Map([['clusters/cluster1/10-crds', ['../../../shared/istio-1.30.3']]]);
    const digest = clusterInputDigest(base, units, refs);
    expect(clusterInputDigest(base, structuredClone(units.map((u) => ({ ...u, templates: [] }))).map((u, i) => ({ ...u, templates: units[i]!.templates })), new Map(refs))).toBe(digest);
    const withContext = (i: number, context: Record<string, unknown>) => units.map((u, j) => (j === i ? { ...u, context } : u));
    expect(clusterInputDigest(base, withContext(0, { ...units[0]!.context, extra: 1 }), refs)).not.toBe(digest);
    expect(clusterInputDigest(base, units.map((u, j) => (j === 1 ? { ...u, templates: u.templates.slice(1) } : u)), refs)).not.toBe(digest);
    expect(clusterInputDigest(base, units.map((u, j) => (j === 1 ? { ...u, dir: `${u.dir}-x` } : u)), refs)).not.toBe(digest);
    expect(clusterInputDigest(base, units, new Map([['clusters/cluster1/10-crds', ['../../../shared/istio-1.29.6']]]))).not.toBe(digest);
    expect(clusterInputDigest(base, units.slice(1), refs)).not.toBe(digest);
    expect(clusterInputDigest(meshInputBase('other-mesh', releases), units, refs)).not.toBe(digest);
  });

  it('depend on the content of the Istio releases, not only their versions', async () => {
    const { topology, releases } = (await checkAndLoad([examples.find((f) => f.endsWith('/primary-remote.yaml'))!], ISTIO_DIST))[0]!;
    const [version, release] = [...releases][0]!;
    const patched: IstioRelease = { ...release, crds: `${release.crds}\n# patched\n` };
    expect(meshInputBase(topology.name, new Map([[version, patched]]))).not.toBe(meshInputBase(topology.name, releases));
    const files = new Map(release.discoveryFiles);
    files.set('injection-template.yaml', `${files.get('injection-template.yaml') ?? ''}#`);
    expect(meshInputBase(topology.name, new Map([[version, { ...release, discoveryFiles: files }]]))).not.toBe(meshInputBase(topology.name, releases));
  });
});

describe('the engine digest', () => {
  it('is a sha256 over meshrender itself', () => {
    expect(engineDigest()).toMatch(/^[0-9a-f]{64}$/);
    expect(engineDigest()).toBe(packageDigest(ROOT, ['handlebars@' + (JSON.parse(readFileSync(join(ROOT, 'node_modules/handlebars/package.json'), 'utf8')) as { version: string }).version, ...['js-yaml', 'yaml'].map((l) => `${l}@${(JSON.parse(readFileSync(join(ROOT, 'node_modules', l, 'package.json'), 'utf8')) as { version: string }).version}`)]));
  });

  it('changes with any file of the code or the templates, its name or its bytes', () => {
    const root = tempDir();
    mkdirSync(join(root, 'generator/stages'), { recursive: true });
    mkdirSync(join(root, 'templates/istiod'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{"version":"1.0.0"}');
    writeFileSync(join(root, 'generator/stages/render.ts'), 'export {};\n');
    writeFileSync(join(root, 'templates/istiod/deployment.yaml.hbs'), 'kind: Deployment\n');
    const before = packageDigest(root);
    expect(packageDigest(root)).toBe(before);
    writeFileSync(join(root, 'templates/istiod/deployment.yaml.hbs'), 'kind: Deployment\n# edited\n');
    const edited = packageDigest(root);
    expect(edited).not.toBe(before);
    renameSync(join(root, 'generator/stages/render.ts'), join(root, 'generator/stages/render2.ts'));
    expect(packageDigest(root)).not.toBe(edited);
    expect(packageDigest(root, ['handlebars@4.7.10'])).not.toBe(packageDigest(root, ['handlebars@4.7.9']));
  });
});
