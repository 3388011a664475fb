/**
 * Render records (stages/render-record.ts) are trusted to say which bytes a render wrote, so one that
 * is damaged or edited must be ignored, never half read; and they live in the user's cache.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRenderRecord, renderRecordDir, writeRenderRecord } from '../../generator/stages/render-record.ts';
import { tempDir } from '../support/builders.ts';

const D1 = 'a'.repeat(64);
const D2 = 'b'.repeat(64);
const FILES = new Map([
  ['clusters/c1/kustomization.yaml', D1],
  ['clusters/c2/00-namespaces/namespace-istio-system.yaml', D2],
  ['clusters/c3/kustomization.yaml', D2],
  ['README.md', D1],
]);
const INPUTS = new Map([
  ['c1', D2],
  ['c2', D1],
]);

describe('render records', () => {
  it('read back what was written: the files of the recorded clusters, their stats and their inputs', () => {
    const dir = tempDir();
    const stats = new Map([['clusters/c1/kustomization.yaml', '12:345:1700000000000000001:1700000000000000002']]);
    writeRenderRecord(dir, '/out/mesh', FILES, INPUTS, stats);
    const { files, inputs, stats: read } = readRenderRecord(dir, '/out/mesh');
    expect(read).toEqual(stats);
    // c3 has no input digest and README.md is not a cluster's: neither can be reused, so neither is recorded.
    expect(files).toEqual(new Map([...FILES].filter(([p]) => p.startsWith('clusters/c1/') || p.startsWith('clusters/c2/'))));
    expect(inputs).toEqual(INPUTS);
    expect(readRenderRecord(dir, '/out/other-mesh')).toEqual({ files: new Map(), inputs: new Map(), stats: new Map() });
  });

  it('are ignored whole when damaged or edited, or missing', () => {
    const dir = tempDir();
    writeRenderRecord(dir, '/out/mesh', FILES, INPUTS);
    const [name] = readdirSync(dir);
    const text = readFileSync(join(dir, name!), 'utf8');
    for (const damaged of [text.replace(D1, D2), text.slice(0, text.length - 10), text.replace('render record 2', 'render record 3'), '']) {
      writeFileSync(join(dir, name!), damaged);
      expect(readRenderRecord(dir, '/out/mesh')).toEqual({ files: new Map(), inputs: new Map(), stats: new Map() });
    }
    expect(readRenderRecord(tempDir(), '/out/mesh')).toEqual({ files: new Map(), inputs: new Map(), stats: new Map() });
  });

  it('that cannot be written are skipped: a cache only makes the next render slower', () => {
    const file = join(tempDir(), 'not-a-directory');
    writeFileSync(file, '');
    expect(() => writeRenderRecord(file, '/out/mesh', FILES, INPUTS)).not.toThrow();
  });

  it('live in $MESHRENDER_RENDER_CACHE_DIR, else under $XDG_CACHE_HOME, else ~/.cache', () => {
    expect(renderRecordDir({ MESHRENDER_RENDER_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c');
    expect(renderRecordDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/meshrender/renders');
    expect(renderRecordDir({})).toMatch(/\.cache\/meshrender\/renders$/);
  });
});
