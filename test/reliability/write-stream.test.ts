/**
 * The write stage consumes a mesh's files as a stream (a fleet is rendered cluster by cluster), and
 * stages several meshes before swapping any. These tests pin what that must not change: files are
 * written as they arrive (so memory holds one cluster), a stream that fails half way leaves every
 * tree as it was with nothing staged left behind, and one mesh failing leaves the others untouched.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemplateError, WriteError } from '../../generator/errors.ts';
import { writeTree, writeTrees } from '../../generator/stages/write.ts';
import { tempDir } from '../support/builders.ts';
import { snapshotTree } from '../support/tree-snapshot.ts';

const OLD = { 'clusters/c1/a.yaml': 'a: old\n', 'clusters/c2/b.yaml': 'b\n' };

function* stream(files: Record<string, string>, after?: (path: string) => void): Generator<readonly [string, string]> {
  for (const [path, content] of Object.entries(files)) {
    yield [path, content];
    after?.(path);
  }
}

describe('the write stage consumes a stream', () => {
  it('writes each file into the staging directory before the next one is produced', () => {
    const out = tempDir();
    const staging = join(out, '.demo.meshrender-new');
    const seen: string[] = [];
    writeTree(out, {
      mesh: 'demo',
      files: stream({ 'clusters/c1/a.yaml': 'a\n', 'clusters/c2/b.yaml': 'b\n', 'clusters/c3/c.yaml': 'c\n' }, (path) => {
        // Runs when the writer asks for the file after `path`: `path` must already be on disk.
        seen.push(path);
        expect(existsSync(join(staging, path)), `${path} written before the next file is rendered`).toBe(true);
      }),
    });
    expect(seen).toEqual(['clusters/c1/a.yaml', 'clusters/c2/b.yaml', 'clusters/c3/c.yaml']);
    expect(readFileSync(join(out, 'demo/clusters/c3/c.yaml'), 'utf8')).toBe('c\n');
    expect(existsSync(staging)).toBe(false);
  });

  it('a stream that fails half way (a template error in cluster 2) leaves the old tree and nothing staged', () => {
    const out = tempDir();
    writeTree(out, { mesh: 'demo', files: new Map(Object.entries(OLD)) });
    const before = snapshotTree(out);
    function* failing(): Generator<readonly [string, string]> {
      yield ['clusters/c1/a.yaml', 'a: new\n'];
      throw new TemplateError('templates failed to render', [{ file: 'templates/x.hbs', severity: 'error', message: 'boom' }]);
    }
    expect(() => writeTree(out, { mesh: 'demo', files: failing() })).toThrow(TemplateError);
    expect(snapshotTree(out)).toEqual(before);
    expect(readdirSync(out)).toEqual(['demo']);
  });

  it('a path produced twice is refused, and nothing is written', () => {
    const out = tempDir();
    const twice = function* (): Generator<readonly [string, string]> {
      yield ['clusters/c1/a.yaml', 'a\n'];
      yield ['clusters/c1/a.yaml', 'b\n'];
    };
    expect(() => writeTree(out, { mesh: 'demo', files: twice() })).toThrow(/rendered twice/);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('several meshes are all staged before any is swapped in', () => {
  it('a file in the way in the second mesh leaves the first mesh as it was', () => {
    const out = tempDir();
    writeTree(out, { mesh: 'a', files: new Map(Object.entries(OLD)) });
    writeTree(out, { mesh: 'b', files: new Map(Object.entries(OLD)) });
    writeFileSync(join(out, 'b/clusters/c1/mine.yaml'), 'not meshrender\n');
    const before = snapshotTree(out);
    const next = { 'clusters/c1/a.yaml': 'a: new\n', 'clusters/c1/mine.yaml': 'rendered\n' };
    expect(() =>
      writeTrees(out, [
        { mesh: 'a', files: stream({ 'clusters/c1/a.yaml': 'a: new\n' }) },
        { mesh: 'b', files: stream(next) },
      ]),
    ).toThrow(WriteError);
    expect(snapshotTree(out)).toEqual(before);
    expect(readdirSync(out).sort()).toEqual(['a', 'b']);
  });

  it('without problems, every mesh is swapped in', () => {
    const out = tempDir();
    const results = writeTrees(out, [
      { mesh: 'a', files: stream({ 'clusters/c1/x.yaml': 'x\n' }) },
      { mesh: 'b', files: stream({ 'clusters/c1/y.yaml': 'y\n' }) },
    ]);
    expect(results.map((r) => [r.mesh, r.swapped, r.added, r.files])).toEqual([
      ['a', true, ['clusters/c1/x.yaml'], 1],
      ['b', true, ['clusters/c1/y.yaml'], 1],
    ]);
    expect(readFileSync(join(out, 'b/clusters/c1/y.yaml'), 'utf8')).toBe('y\n');
  });
});
