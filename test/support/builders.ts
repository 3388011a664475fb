/** Small builders for topologies in tests: start from a valid minimal mesh and change what a test is about. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseTopology } from '../../generator/stages/load.ts';
import { resolveModel } from '../../generator/stages/resolve.ts';
import { validateTopology } from '../../generator/stages/validate.ts';
import type { Topology, WrittenTopology } from '../../generator/types.ts';

export interface ClusterInput {
  name: string;
  role: 'primary' | 'remote' | 'external';
  network: string;
  [key: string]: unknown;
}

export function topologyDoc(overrides: { name?: string; clusters?: ClusterInput[]; networks?: string[]; istio?: Record<string, unknown>; mesh?: Record<string, unknown> } = {}) {
  const clusters = overrides.clusters ?? [
    { name: 'cluster1', role: 'primary', network: 'network1', apiServer: 'https://cluster1.example.com:6443', eastWest: { address: '34.75.71.237' } },
    { name: 'cluster2', role: 'remote', network: 'network1', controlPlane: 'cluster1', apiServer: 'https://cluster2.example.com:6443' },
  ];
  const networks = overrides.networks ?? [...new Set(clusters.map((c) => c.network))];
  return {
    apiVersion: 'meshrender.dev/v1alpha1',
    kind: 'MeshTopology',
    metadata: { name: overrides.name ?? 'demo' },
    spec: {
      mesh: { id: 'mesh1', ...(overrides.mesh ?? {}) },
      istio: { revisions: [{ name: 'default', version: '1.30.3' }], ...(overrides.istio ?? {}) },
      networks: Object.fromEntries(networks.map((n) => [n, {}])),
      clusters,
    },
  };
}

export function toYaml(doc: unknown): string {
  return stringify(doc, { lineWidth: 0 });
}

/** Parses and validates YAML text as if it were the file `file`. */
export function writtenFrom(text: string, file = 'topology.yaml'): WrittenTopology {
  return validateTopology(parseTopology(file, Buffer.from(text)));
}

export function modelFrom(doc: unknown): Topology {
  return resolveModel(writtenFrom(toYaml(doc)));
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'meshrender-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a topology into a temporary directory and returns its path. */
export function topologyFile(doc: unknown, name = 'topology.yaml'): string {
  const dir = tempDir();
  const file = join(dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : toYaml(doc));
  return file;
}
