/**
 * The base, webhooks, revision-tag and default-validator components against the upstream chart renders in
 * ../shared/istio-reference: for each example topology and cluster, the objects these components render are
 * exactly the reference's reader ServiceAccount, admission webhooks and revision-tag Services, each
 * equal in full (both ways, list order included) once installer labels are dropped as the reference
 * README says. Nothing of the references is copied here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadReleases, type IstioRelease } from '../../generator/istio/release.ts';
import { buildTree } from '../../generator/pipeline.ts';
import { resolveModel } from '../../generator/stages/resolve.ts';
import type { Topology } from '../../generator/types.ts';
import { writtenFrom } from '../support/builders.ts';
import { isReferenceFile, normaliseObject, parseObjects, type K8sObject } from '../support/fidelity.ts';
import { HAS_SHARED, ISTIO_DIST, ISTIO_REFERENCE, ROOT, sharedSkipReason } from '../support/paths.ts';

const SCENARIOS = ['multi-primary', 'multi-primary-multi-network', 'primary-remote', 'primary-remote-multi-network', 'external-control-plane', 'canary-upgrade'];
/** Templates of the components under test: other components may share their layers. */
const SOURCES = ['templates/base/', 'templates/istiod-webhooks/', 'templates/revision-tag/', 'templates/default-validator/'];

type Meta = { name: string; namespace?: string };
const meta = (o: K8sObject) => o.metadata as unknown as Meta;

/**
 * The one deliberate deviation of these objects (docs/fidelity.md): the validators render
 * failurePolicy Fail up front (base.validationFailurePolicy), where the default renders say Ignore.
 */
function withDeviations(o: unknown): unknown {
  const obj = o as { kind?: string; webhooks?: { failurePolicy?: string }[] };
  if (obj.kind !== 'ValidatingWebhookConfiguration') return o;
  return { ...obj, webhooks: obj.webhooks?.map((w) => ({ ...w, failurePolicy: 'Fail' })) };
}
const keyOf = (o: K8sObject) => `${String(o.kind)} ${meta(o).namespace ?? ''}/${meta(o).name}`;

/** Reference objects these layers own. */
function ownedHere(o: K8sObject): boolean {
  if (o.kind === 'MutatingWebhookConfiguration' || o.kind === 'ValidatingWebhookConfiguration') return true;
  if (o.kind === 'ServiceAccount') return meta(o).name === 'istio-reader-service-account';
  return o.kind === 'Service' && meta(o).name.startsWith('istiod-revision-tag-');
}

function topology(scenario: string): Topology {
  const file = join(ROOT, 'topologies', `${scenario}.yaml`);
  return resolveModel(writtenFrom(readFileSync(file, 'utf8'), file));
}

describe.skipIf(!HAS_SHARED)('base objects and webhooks equal the upstream chart renders', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});
  let releases: Map<string, IstioRelease>;
  beforeAll(async () => {
    releases = await loadReleases(topology('canary-upgrade'), { distDir: ISTIO_DIST });
  });

  for (const scenario of SCENARIOS) {
    it(scenario, () => {
      const t = topology(scenario);
      const tree = buildTree(t, releases);
      let compared = 0;
      for (const cluster of t.clusters.map((c) => c.name)) {
        const refDir = join(ISTIO_REFERENCE, '1.30.3', scenario, cluster);
        const reference = new Map<string, unknown>();
        for (const f of readdirSync(refDir).filter(isReferenceFile)) {
          for (const o of parseObjects(readFileSync(join(refDir, f), 'utf8'), f)) if (ownedHere(o)) reference.set(keyOf(o), withDeviations(normaliseObject(o)));
        }
        const ours = new Map<string, unknown>();
        for (const [path, text] of tree.files) {
          const source = /^# Source: (\S+)/.exec(text)?.[1] ?? '';
          if (path.startsWith(`clusters/${cluster}/`) && SOURCES.some((s) => source.startsWith(s))) {
            for (const o of parseObjects(text, path)) ours.set(keyOf(o), normaliseObject(o));
          }
        }
        expect([...ours.keys()].sort(), `${scenario}/${cluster}: objects`).toEqual([...reference.keys()].sort());
        for (const [key, ref] of reference) {
          expect(ours.get(key), `${scenario}/${cluster}: ${key}`).toEqual(ref);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(0);
    });
  }
});
