/** Locations tests read from. ../shared/ exists in CI and on developer machines, not in a user's clone. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const ISTIO_DIST = `${SHARED}istio-dist`;
export const ISTIO_REFERENCE = `${SHARED}istio-reference`;
export const HAS_SHARED = existsSync(ISTIO_DIST) && existsSync(ISTIO_REFERENCE);

/** Printed once by tests that need ../shared/ when it is absent, so the skip is visible. */
export function sharedSkipReason(): string {
  return `skipped: ../shared/ (Istio releases and reference renders) is not beside this clone at ${SHARED}`;
}
