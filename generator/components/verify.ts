/**
 * The verification layer (spec.verify): the Istio docs' "verify the installation" as objects.
 * Every cluster gets a namespace injected by the revision serving its default tag, a helloworld
 * Deployment whose version is the cluster's name, a helloworld Service, and a sleep client.
 * Requests from any cluster's client must, over time, be answered by every cluster's version.
 */
import type { Cluster, Topology } from '../types.ts';
import type { ComponentPlanner } from './component.ts';

export const planVerify: ComponentPlanner = ({ topology, cluster }) => {
  const v = topology.verify;
  if (!v) return [];
  return [
    {
      component: 'verify',
      layer: 'verify',
      unit: 'sample',
      revision: null,
      context: {
        namespace: v.namespace,
        injectionLabels: injectionLabels(cluster),
        version: cluster.name,
        helloworldImage: v.helloworldImage,
        clientImage: v.clientImage,
      },
    },
  ];
};

/** istio-injection=enabled serves the default revision; a named revision is chosen by istio.io/rev. */
export function injectionLabels(cluster: Cluster): Record<string, string> {
  const rev = cluster.defaultRevision;
  return rev === null || rev === 'default' ? { 'istio-injection': 'enabled' } : { 'istio.io/rev': rev };
}

/** The commands and answers of the verification, for the mesh README. */
export function verifyInstructions(topology: Topology): string | null {
  const v = topology.verify;
  if (!v) return null;
  const versions = topology.clusters.map((c) => c.name);
  const lines = [
    '## Verify the mesh',
    '',
    `The layer \`90-verify\` runs a \`helloworld\` service in namespace \`${v.namespace}\` of every cluster, each answering with its cluster's name as its version, and a \`sleep\` client. Once synced, from any cluster:`,
    '',
    '```sh',
    `kubectl --context=<cluster> -n ${v.namespace} exec deploy/sleep -c sleep -- \\`,
    `  sh -c 'for i in $(seq 20); do curl -sS helloworld.${v.namespace}:5000/hello; done'`,
    '```',
    '',
    `Expect answers from every cluster's version (${versions.map((x) => `\`Hello version: ${x}\``).join(', ')}), in any order. Answers from one cluster only mean cross-cluster discovery or the east-west path is not working: check the remote secrets, the east-west gateways and \`istioctl remote-clusters\`.`,
    '',
  ];
  return lines.join('\n');
}
