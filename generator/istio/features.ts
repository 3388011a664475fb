/**
 * What an Istio release's charts can do, by version, where meshrender's output depends on it.
 */
import { compareVersions } from './release.ts';

/**
 * The charts' base.validationFailurePolicy (Istio 1.29.2 and 1.30.0 onwards): with `Fail` rendered
 * up front, istiod no longer flips the validators' failurePolicy from Ignore to Fail at run time, so
 * GitOps tools see no drift. Older releases can only render Ignore and let istiod flip it.
 */
export function chartSetsValidationFailurePolicy(version: string): boolean {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  if (major === 1 && minor === 29) return compareVersions(version, '1.29.2') >= 0;
  return compareVersions(version, '1.30.0') >= 0;
}

/** failurePolicy of the validating webhooks meshrender renders for a release. */
export function validationFailurePolicy(version: string): 'Fail' | 'Ignore' {
  return chartSetsValidationFailurePolicy(version) ? 'Fail' : 'Ignore';
}
