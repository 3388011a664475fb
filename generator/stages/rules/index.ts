/**
 * rules: Topology → Diagnostic[].
 * The mesh rules that JSON Schema cannot express, one per file. Each reports at the user's key,
 * with its ID; all rules always run, so every problem is reported at once.
 */
import type { Diagnostic } from '../../diagnostics.ts';
import type { Topology, WrittenTopology } from '../../types.ts';
import { addressFormat } from './address-format.ts';
import { controlPlaneExists } from './control-plane-exists.ts';
import { controlPlaneReachable } from './control-plane-reachable.ts';
import { externalConfigCluster } from './external-config-cluster.ts';
import { externalOnlyOnExternal } from './external-only-on-external.ts';
import { knownNetwork } from './known-network.ts';
import { revisionsKnown } from './revisions-known.ts';
import { RuleContext, type MeshRule } from './rule.ts';
import { tagsKnown } from './tags-known.ts';
import { uniqueClusterNames } from './unique-cluster-names.ts';
import { unusedNetwork } from './unused-network.ts';
import { noControlCharacters } from './no-control-characters.ts';
import { istioReleaseAvailable } from './istio-release-available.ts';
import { remoteRevisionsServed } from './remote-revisions-served.ts';
import { tagRevisionRuns } from './tag-revision-runs.ts';
import { cidrFormat } from './cidr-format.ts';
import { cidrsDisjoint } from './cidrs-disjoint.ts';
import { eastWestPerNetwork } from './east-west-per-network.ts';
import { gatewayNames } from './gateway-names.ts';
import { uniqueAddresses } from './unique-addresses.ts';
import { remoteSecretsPossible } from './remote-secrets-possible.ts';
import { externalTlsSecret } from './external-tls-secret.ts';

export const MESH_RULES: readonly MeshRule[] = [
  uniqueClusterNames,
  knownNetwork,
  unusedNetwork,
  controlPlaneExists,
  externalOnlyOnExternal,
  controlPlaneReachable,
  addressFormat,
  revisionsKnown,
  tagsKnown,
  externalConfigCluster,
  noControlCharacters,
  istioReleaseAvailable,
  remoteRevisionsServed,
  tagRevisionRuns,
  cidrFormat,
  cidrsDisjoint,
  eastWestPerNetwork,
  gatewayNames,
  uniqueAddresses,
  remoteSecretsPossible,
  externalTlsSecret,
];

export function checkMeshRules(topology: Topology, written: WrittenTopology): Diagnostic[] {
  return MESH_RULES.flatMap((rule) => rule.check(new RuleContext(topology, written, rule)));
}

export function findRule(idOrName: string): MeshRule | undefined {
  const key = idOrName.toLowerCase();
  return MESH_RULES.find((r) => r.id.toLowerCase() === key || r.name === key);
}
