/**
 * Render records (stages/render-record.ts) are trusted to say which bytes a render wrote, so one that
 * is damaged or edited must be ignored, never half read; and they live in the user's cache.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESH_LEVEL } from '../../generator/stages/inputs.ts';
import { readRenderRecord, renderRecordBody, renderRecordDir, writeRenderRecord } from '../../generator/stages/render-record.ts';
import { tempDir } from '../support/builders.ts';

const D1 = 'a'.repeat(64);
const D2 = 'b'.repeat(64);
const FILES = new Map([
  ['README.md', D1],
  ['clusters/c1/kustomization.yaml', D1],
  ['clusters/c2/00-namespaces/namespace-istio-system.yaml', D2],
  ['clusters/c3/kustomization.yaml', D2],
]);
const INPUTS = new Map([
  ['c1', D2],
  ['c2', D1],
]);
const STATS = new Map([['clusters/c1/kustomization.yaml', '12:345:1700000000000000001:1700000000000000002']]);
const EMPTY = { records: new Map(), body: null };

describe('render records', () => {
  it('read back what was written: each recorded cluster with its input, files, digests and stats', () => {
    const dir = tempDir();
    const body = renderRecordBody(FILES, INPUTS, STATS);
    writeRenderRecord(dir, '/out/mesh', body);
    const read = readRenderRecord(dir, '/out/mesh');
    expect(read.body).toBe(body);
    // c3 has no input digest and README.md belongs to the mesh level, which has none here: neither can be reused, so neither is recorded.
    expect(read.records).toEqual(
      new Map([
        ['c1', { digest: D2, files: [['clusters/c1/kustomization.yaml', D1, STATS.get('clusters/c1/kustomization.yaml')]] }],
        ['c2', { digest: D1, files: [['clusters/c2/00-namespaces/namespace-istio-system.yaml', D2, '']] }],
      ]),
    );
    expect(readRenderRecord(dir, '/out/other-mesh')).toEqual(EMPTY);
  });

  it('give the files outside clusters/ to the mesh level', () => {
    const dir = tempDir();
    writeRenderRecord(dir, '/out/mesh', renderRecordBody(FILES, new Map([[MESH_LEVEL, D1]]), new Map()));
    expect(readRenderRecord(dir, '/out/mesh').records).toEqual(new Map([[MESH_LEVEL, { digest: D1, files: [['README.md', D1, '']] }]]));
  });

  it('are ignored whole when damaged or edited, of another format, or missing', () => {
    const dir = tempDir();
    writeRenderRecord(dir, '/out/mesh', renderRecordBody(FILES, INPUTS, STATS));
    const [name] = readdirSync(dir);
    const text = readFileSync(join(dir, name!), 'utf8');
    for (const damaged of [text.replace(D1, D2), text.slice(0, text.length - 10), text.replace('render record 3', 'render record 4'), '']) {
      writeFileSync(join(dir, name!), damaged);
      expect(readRenderRecord(dir, '/out/mesh')).toEqual(EMPTY);
    }
    expect(readRenderRecord(tempDir(), '/out/mesh')).toEqual(EMPTY);
  });

  it('that cannot be written are skipped: a cache only makes the next render slower', () => {
    const file = join(tempDir(), 'not-a-directory');
    writeFileSync(file, '');
    expect(() => writeRenderRecord(file, '/out/mesh', renderRecordBody(FILES, INPUTS, STATS))).not.toThrow();
  });

  it('live in $MESHRENDER_RENDER_CACHE_DIR, else under $XDG_CACHE_HOME, else ~/.cache', () => {
    expect(renderRecordDir({ MESHRENDER_RENDER_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c');
    expect(renderRecordDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/meshrender/renders');
    expect(renderRecordDir({})).toMatch(/\.cache\/meshrender\/renders$/);
  });
});
