/** Says once, visibly, when the tests that need ../shared/ are skipped. */
import { HAS_SHARED, sharedSkipReason } from './paths.ts';

export default function setup(): void {
  if (!HAS_SHARED) {
    process.stdout.write(`\nmeshrender tests: ${sharedSkipReason()}.\nTests of rendering with real Istio releases and of fidelity to the upstream charts are skipped.\n\n`);
  }
}
