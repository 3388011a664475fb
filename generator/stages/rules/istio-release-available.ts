import type { Diagnostic } from '../../diagnostics.ts';
import type { LoadedTopology } from '../../types.ts';
import { positionOf } from '../../yaml/positions.ts';
import type { MeshRule } from './rule.ts';

/**
 * Every revision's Istio version exists in the Istio distribution. The release is only read after the
 * mesh rules pass (generator/istio/release.ts), so check() finds nothing here: the pipeline hands the
 * release loader's diagnostics to locateReleaseProblems(), which points each at the version that needs it.
 */
export const istioReleaseAvailable: MeshRule = {
  id: 'MR012',
  name: 'istio-release-available',
  explain:
    "Every spec.istio.revisions[].version is an Istio release found in the distribution directory (--istio-dist, MESHRENDER_ISTIO_DIST or spec.istio.distribution): meshrender reads that release's CRDs and injection templates. Checked when the releases are loaded, after the other rules; `meshrender validate` does not read releases.",
  check() {
    return [];
  },
};

/** The Istio version a release loader's message is about ("Istio 1.30.3 is not in ...", "istio-1.30.3/"). */
const VERSION_IN_MESSAGE = /\b[Ii]stio[- ](\d+\.\d+\.\d+)\b/;

/**
 * Points each release problem without a position at the first revision that uses its version
 * (spec.istio.revisions[i].version) and tags it with this rule's ID. Problems that name no version of
 * the topology are returned unchanged.
 */
export function locateReleaseProblems(loaded: LoadedTopology, problems: readonly Diagnostic[]): Diagnostic[] {
  const revisions = ((loaded.data as { spec?: { istio?: { revisions?: { version?: unknown }[] } } }).spec?.istio?.revisions ?? []) as { version?: unknown }[];
  return problems.map((d) => {
    if (d.pos || d.file !== loaded.file) return d;
    const version = VERSION_IN_MESSAGE.exec(d.message)?.[1];
    const index = version === undefined ? -1 : revisions.findIndex((r) => String(r.version) === version);
    if (index < 0) return d;
    const pos = positionOf(loaded, ['spec', 'istio', 'revisions', index, 'version']);
    return { ...d, ...(pos ? { pos } : {}), rule: istioReleaseAvailable.id };
  });
}
