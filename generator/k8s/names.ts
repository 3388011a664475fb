/**
 * Every Kubernetes- and Istio-facing name that meshrender builds, in one place.
 */
import type { Revision } from '../types.ts';

export const LABEL_NETWORK = 'topology.istio.io/network';
export const ANNOTATION_CONTROL_PLANE_CLUSTERS = 'topology.istio.io/controlPlaneClusters';

/** File name of one object in a directory: `<kind>-<name>.yaml`, with `<namespace>.` in front where a directory mixes namespaces. */
export function objectFileName(kind: string, name: string, namespacePrefix: string | null): string {
  const base = `${kind.toLowerCase()}-${name.toLowerCase()}.yaml`;
  return namespacePrefix ? `${namespacePrefix}.${base}` : base;
}

/** Directory name of a revisioned unit: `istiod` for the default revision, `istiod-<rev>` otherwise. */
export function revisionedName(base: string, revision: Revision): string {
  return `${base}${revision.suffix}`;
}
