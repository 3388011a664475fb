import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import tar from 'tar-stream';
import { bundleFiles, packBundle, verifyBundle } from '../../generator/bundle/bundle.ts';
import { buildTree } from '../../generator/pipeline.ts';
import { modelFrom, topologyDoc } from '../support/builders.ts';

function input(clusters?: string[]) {
  const topology = modelFrom(topologyDoc());
  return { topology, topologySource: 'x', tree: buildTree(topology, new Map()), releases: new Map(), clusters, meshrenderVersion: '0.0.0-test' };
}

/** Re-packs an archive after changing one file, keeping everything else. */
async function tamper(archive: Buffer, path: string, change: (b: Buffer) => Buffer): Promise<Buffer> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  await new Promise<void>((resolve) => {
    extract.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        files.set(h.name, Buffer.concat(chunks));
        next();
      });
    });
    extract.on('finish', resolve);
    extract.end(gunzipSync(archive));
  });
  files.set(path, change(files.get(path)!));
  return packBundle(files);
}

describe('bundle', () => {
  it('is byte-identical for the same inputs', async () => {
    const a = await packBundle(bundleFiles(input()));
    const b = await packBundle(bundleFiles(input()));
    expect(a.equals(b)).toBe(true);
  });

  it('holds the trees under <gitops path>/<mesh>/, images.txt, bundle.json, SHA256SUMS and a README', () => {
    const files = bundleFiles(input());
    const names = [...files.keys()];
    expect(names).toEqual(expect.arrayContaining(['README.md', 'SHA256SUMS', 'bundle.json', 'images.txt']));
    expect(names.some((n) => n.startsWith('out/demo/clusters/cluster1/'))).toBe(true);
    const manifest = JSON.parse(files.get('bundle.json')!.toString());
    expect(manifest.meshrender).toBe('0.0.0-test');
    expect(Object.keys(manifest.files)).toContain('out/demo/clusters/cluster1/kustomization.yaml');
    expect(names.some((n) => n.startsWith('secrets/'))).toBe(false);
  });

  it('keeps only the chosen clusters', () => {
    const names = [...bundleFiles(input(['cluster2'])).keys()];
    expect(names.some((n) => n.includes('/clusters/cluster1/'))).toBe(false);
    expect(names.some((n) => n.includes('/clusters/cluster2/'))).toBe(true);
  });

  it('verifies an intact bundle and names the file when one byte of it changes', async () => {
    const archive = await packBundle(bundleFiles(input()));
    expect(await verifyBundle(archive)).toEqual([]);
    const target = 'out/demo/clusters/cluster2/00-namespaces/namespaces/namespace-istio-system.yaml';
    const bad = await tamper(archive, target, (b) => {
      const c = Buffer.from(b);
      c[c.length - 2] = c[c.length - 2]! ^ 1;
      return c;
    });
    const findings = await verifyBundle(bad);
    expect(findings.map((f) => f.path)).toEqual([target]);
    expect(findings[0]!.message).toMatch(/does not match .* in SHA256SUMS/);
  });

  it('reports a file added to the archive and a corrupt archive', async () => {
    const archive = await packBundle(bundleFiles(input()));
    const files = bundleFiles(input());
    files.set('evil.yaml', Buffer.from('x'));
    const added = await verifyBundle(await packBundle(files));
    expect(added).toEqual([{ path: 'evil.yaml', message: 'not listed in SHA256SUMS' }]);
    expect((await verifyBundle(archive.subarray(0, 100)))[0]!.path).toBe('(archive)');
    expect((await verifyBundle(gzipSync(Buffer.from('not a tar'))))[0]!.path).toMatch(/archive|SHA256SUMS/);
  });
});
