/**
 * The istiod component against the upstream istiod chart renders in ../shared/istio-reference:
 * for each example topology, every object of the chart that this component owns (not the webhooks,
 * revision-tag Services or the `values` ConfigMap) is rendered, and every leaf of it is equal after the
 * normalisation of shared/istio-reference/README.md. Nothing of the references is copied here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadReleases, type IstioRelease } from '../../generator/istio/release.ts';
import { buildTree } from '../../generator/pipeline.ts';
import { resolveModel } from '../../generator/stages/resolve.ts';
import type { Topology } from '../../generator/types.ts';
import { isReferenceFile, normaliseObject, parseObjects, type K8sObject } from '../support/fidelity.ts';
import { writtenFrom } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, ISTIO_REFERENCE, ROOT, sharedSkipReason } from '../support/paths.ts';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown };

const SCENARIOS = ['multi-primary', 'multi-primary-multi-network', 'primary-remote', 'primary-remote-multi-network', 'external-control-plane', 'canary-upgrade'];
/** Objects of the istiod chart that other components render. */
function ownedHere(o: Obj): boolean {
  if (o.kind === 'MutatingWebhookConfiguration' || o.kind === 'ValidatingWebhookConfiguration') return false;
  if (o.kind === 'Service' && o.metadata.name.startsWith('istiod-revision-tag-')) return false;
  return !(o.kind === 'ConfigMap' && /^values(-|$)/.test(o.metadata.name));
}

const keyOf = (o: Obj) => `${o.apiVersion.split('/').slice(0, -1).join('/')}/${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The README's normalisation (shared with the fidelity harness), with lists of named items keyed by name. */
function normalise(o: Obj): unknown {
  return namedListsAsMaps(normaliseObject(o as unknown as K8sObject));
}

function namedListsAsMaps(v: unknown): unknown {
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((i) => typeof i === 'object' && i !== null && !Array.isArray(i) && 'name' in i)) {
      return Object.fromEntries(v.map((i: { name: unknown }) => [`[${String(i.name)}]`, namedListsAsMaps(i)]));
    }
    return v.map(namedListsAsMaps);
  }
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, namedListsAsMaps(x)]));
  return v;
}

function leaves(v: unknown, path = ''): [string, string][] {
  if (typeof v === 'object' && v !== null && Object.keys(v).length > 0) return Object.entries(v).flatMap(([k, x]) => leaves(x, `${path}/${k}`));
  return [[path, JSON.stringify(v)]];
}

function topology(scenario: string): Topology {
  const file = join(ROOT, 'topologies', `${scenario}.yaml`);
  return resolveModel(writtenFrom(readFileSync(file, 'utf8'), file));
}

describe.skipIf(!HAS_SHARED)('istiod objects equal the upstream chart renders', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});
  let releases: Map<string, IstioRelease>;
  beforeAll(async () => {
    releases = await loadReleases(topology('canary-upgrade'), { distDir: ISTIO_DIST });
  });

  for (const scenario of SCENARIOS) {
    it(scenario, () => {
      const t = topology(scenario);
      const tree = buildTree(t, releases);
      const problems: string[] = [];
      let count = 0;
      for (const cluster of t.clusters.map((c) => c.name)) {
        const refDir = join(ISTIO_REFERENCE, '1.30.3', scenario, cluster);
        const reference = readdirSync(refDir)
          .filter((f) => /^istiod/.test(f) && isReferenceFile(f))
          .flatMap((f) => parseObjects(readFileSync(join(refDir, f), 'utf8'), f) as unknown as Obj[])
          .filter(ownedHere);
        const mine = new Map<string, Obj>();
        for (const [path, text] of tree.files) {
          if (path.startsWith(`clusters/${cluster}/30-control-plane/`) && !path.endsWith('kustomization.yaml')) {
            for (const o of parseObjects(text, path) as unknown as Obj[]) mine.set(keyOf(o), o);
          }
        }
        const expectedKeys = new Set(reference.map(keyOf));
        for (const k of mine.keys()) if (!expectedKeys.has(k)) problems.push(`${cluster}: not in the chart render: ${k}`);
        for (const ref of reference) {
          count++;
          const got = mine.get(keyOf(ref));
          if (!got) {
            problems.push(`${cluster}: missing ${keyOf(ref)}`);
            continue;
          }
          const have = new Map(leaves(normalise(got)));
          for (const [path, value] of leaves(normalise(ref))) {
            if (have.get(path) !== value) problems.push(`${cluster}: ${keyOf(ref)} ${path}: chart ${value.slice(0, 120)}, meshrender ${(have.get(path) ?? 'nothing').slice(0, 120)}`);
          }
        }
      }
      expect(count).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    });
  }
});
