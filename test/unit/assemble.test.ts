import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AssembleError } from '../../generator/errors.ts';
import { assembleKustomizations } from '../../generator/stages/assemble.ts';
import type { RenderedFile } from '../../generator/types.ts';

function file(dir: string, kind: string, name: string, namespace: string | null = null): RenderedFile {
  return { dir, source: 'templates/t/t.yaml.hbs', apiVersion: 'v1', kind, name, namespace, content: `kind: ${kind}\n` };
}

function resources(files: ReadonlyMap<string, string>, dir: string): string[] {
  return (parse(files.get(`${dir}/kustomization.yaml`)!) as { resources: string[] }).resources;
}

describe('assembleKustomizations', () => {
  it('names files after kind and name and lists them by kind order, then name', () => {
    const t = assembleKustomizations('m', [
      file('clusters/c1/30-control-plane/istiod', 'Deployment', 'istiod', 'istio-system'),
      file('clusters/c1/30-control-plane/istiod', 'ServiceAccount', 'istiod', 'istio-system'),
      file('clusters/c1/30-control-plane/istiod', 'ClusterRole', 'b', null),
      file('clusters/c1/30-control-plane/istiod', 'ClusterRole', 'a', null),
      file('clusters/c1/30-control-plane/istiod', 'MutatingWebhookConfiguration', 'inj', null),
    ]);
    expect(resources(t.files, 'clusters/c1/30-control-plane/istiod')).toEqual([
      'serviceaccount-istiod.yaml',
      'clusterrole-a.yaml',
      'clusterrole-b.yaml',
      'deployment-istiod.yaml',
      'mutatingwebhookconfiguration-inj.yaml',
    ]);
  });

  it('writes a kustomization in every directory of a cluster tree, each listing exactly what is beside it', () => {
    const t = assembleKustomizations('m', [
      file('clusters/c1/00-namespaces/namespaces', 'Namespace', 'istio-system'),
      file('clusters/c1/30-control-plane/istiod-a', 'Service', 'istiod-a', 'istio-system'),
      file('clusters/c1/30-control-plane/istiod-b', 'Service', 'istiod-b', 'istio-system'),
    ]);
    expect(resources(t.files, 'clusters/c1')).toEqual(['00-namespaces', '30-control-plane']);
    expect(resources(t.files, 'clusters/c1/30-control-plane')).toEqual(['istiod-a', 'istiod-b']);
    expect(t.files.has('clusters/kustomization.yaml')).toBe(false);
  });

  it('lists references to shared directories and creates the directory that holds them', () => {
    const t = assembleKustomizations('m', [file('shared/istio-1.30.3/crds', 'CustomResourceDefinition', 'x.istio.io')], new Map([['clusters/c1/10-crds', ['../../../shared/istio-1.30.3/crds']]]));
    expect(resources(t.files, 'clusters/c1/10-crds')).toEqual(['../../../shared/istio-1.30.3/crds']);
    expect(resources(t.files, 'clusters/c1')).toEqual(['10-crds']);
  });

  it('prefixes file names with the namespace only where a directory mixes namespaces', () => {
    const t = assembleKustomizations('m', [
      file('clusters/c1/30-control-plane/x', 'Service', 'istiod', 'istio-system'),
      file('clusters/c1/30-control-plane/x', 'Service', 'istiod', 'external-istiod'),
      file('clusters/c1/30-control-plane/y', 'Service', 'istiod', 'istio-system'),
    ]);
    expect([...t.files.keys()].filter((p) => p.endsWith('.yaml') && !p.endsWith('kustomization.yaml'))).toEqual([
      'clusters/c1/30-control-plane/x/external-istiod.service-istiod.yaml',
      'clusters/c1/30-control-plane/x/istio-system.service-istiod.yaml',
      'clusters/c1/30-control-plane/y/service-istiod.yaml',
    ]);
  });

  it('refuses two objects at one path, naming both templates', () => {
    expect(() => assembleKustomizations('m', [file('clusters/c1/x/u', 'Service', 'a', 'ns'), file('clusters/c1/x/u', 'Service', 'a', 'ns')])).toThrow(AssembleError);
  });

  it.each([['clusters/../../etc'], ['clusters/c1/./x'], ['/abs/x'], ['clusters/c 1/x']])('refuses the unsafe directory %s', (dir) => {
    let error: unknown;
    try {
      assembleKustomizations('m', [file(dir, 'Service', 'a')]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AssembleError);
    expect((error as AssembleError).diagnostics[0]!.message).toMatch(/^unsafe path segment /);
  });
});
