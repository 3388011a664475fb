import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WriteError } from '../../generator/errors.ts';
import { checkTree, INDEX_FILE, recoverSwap, writeTree } from '../../generator/stages/write.ts';
import type { OutputTree } from '../../generator/types.ts';
import { tempDir } from '../support/builders.ts';
import { snapshotTree } from '../support/tree-snapshot.ts';

const tree = (files: Record<string, string>, mesh = 'demo'): OutputTree => ({ mesh, files: new Map(Object.entries(files).sort()) });

describe('writeTree', () => {
  it('writes every file and an index of what it wrote', () => {
    const out = tempDir();
    const r = writeTree(out, tree({ 'clusters/c1/a.yaml': 'a: 1\n', 'clusters/c1/kustomization.yaml': 'k\n' }));
    expect(r.added).toEqual(['clusters/c1/a.yaml', 'clusters/c1/kustomization.yaml']);
    expect(readFileSync(join(out, 'demo/clusters/c1/a.yaml'), 'utf8')).toBe('a: 1\n');
    const index = readFileSync(join(out, 'demo', INDEX_FILE), 'utf8');
    expect(index).toMatch(/^[0-9a-f]{64} {2}clusters\/c1\/a\.yaml$/m);
    expect(readdirSync(out)).toEqual(['demo']);
  });

  it('writes nothing when nothing changed', () => {
    const out = tempDir();
    const t = tree({ 'clusters/c1/a.yaml': 'a: 1\n' });
    writeTree(out, t);
    const before = statSync(join(out, 'demo/clusters/c1/a.yaml')).mtimeMs;
    const dirIno = statSync(join(out, 'demo')).ino;
    const r = writeTree(out, t);
    expect(r.swapped).toBe(false);
    expect(r.added.length + r.changed.length + r.removed.length).toBe(0);
    expect(statSync(join(out, 'demo/clusters/c1/a.yaml')).mtimeMs).toBe(before);
    expect(statSync(join(out, 'demo')).ino).toBe(dirIno);
  });

  it('removes files it wrote before and no longer renders, and keeps files it did not write', () => {
    const out = tempDir();
    writeTree(out, tree({ 'clusters/c1/a.yaml': 'a\n', 'clusters/c1/b.yaml': 'b\n' }));
    writeFileSync(join(out, 'demo/clusters/c1/mine.yaml'), 'user: file\n');
    writeFileSync(join(out, 'demo/NOTES.md'), 'notes\n');
    const r = writeTree(out, tree({ 'clusters/c1/a.yaml': 'a2\n' }));
    expect(r).toMatchObject({ added: [], changed: ['clusters/c1/a.yaml'], removed: ['clusters/c1/b.yaml'] });
    expect(existsSync(join(out, 'demo/clusters/c1/b.yaml'))).toBe(false);
    expect(readFileSync(join(out, 'demo/clusters/c1/mine.yaml'), 'utf8')).toBe('user: file\n');
    expect(readFileSync(join(out, 'demo/NOTES.md'), 'utf8')).toBe('notes\n');
    expect(readdirSync(out)).toEqual(['demo']);
  });

  it('refuses to overwrite a file it did not write, and changes nothing', () => {
    const out = tempDir();
    mkdirSync(join(out, 'demo/clusters/c1'), { recursive: true });
    writeFileSync(join(out, 'demo/clusters/c1/a.yaml'), 'hand-made\n');
    const before = snapshotTree(out);
    expect(() => writeTree(out, tree({ 'clusters/c1/a.yaml': 'a\n' }))).toThrow(WriteError);
    expect(snapshotTree(out)).toEqual(before);
  });

  it('adopts a file it did not write when the content is already what it renders', () => {
    const out = tempDir();
    mkdirSync(join(out, 'demo/clusters/c1'), { recursive: true });
    writeFileSync(join(out, 'demo/clusters/c1/a.yaml'), 'a\n');
    const r = writeTree(out, tree({ 'clusters/c1/a.yaml': 'a\n' }));
    expect(r.foreign).toEqual([]);
    expect(readFileSync(join(out, 'demo', INDEX_FILE), 'utf8')).toContain('clusters/c1/a.yaml');
  });

  it.each([
    ['a symbolic link', (out: string) => symlinkSync(tempDir(), join(out, 'demo')), /is a symbolic link/],
    ['a file', (out: string) => writeFileSync(join(out, 'demo'), 'x'), /exists and is not a directory/],
  ])('refuses an output tree that is %s', (_n, setup, message) => {
    const out = tempDir();
    setup(out);
    const before = snapshotTree(out);
    expect(() => writeTree(out, tree({ 'a.yaml': 'a\n' }))).toThrow(message);
    expect(snapshotTree(out)).toEqual(before);
  });

  // Root writes anywhere, so the permission case cannot be built when tests run as root.
  it.skipIf(process.getuid?.() === 0)('reports an unwritable output directory as a user error and leaves it unchanged', () => {
    const out = tempDir();
    writeTree(out, tree({ 'a.yaml': 'a\n' }));
    chmodSync(out, 0o555);
    try {
      expect(() => writeTree(out, tree({ 'a.yaml': 'b\n' }))).toThrow(WriteError);
    } finally {
      chmodSync(out, 0o755);
    }
    expect(readFileSync(join(out, 'demo/a.yaml'), 'utf8')).toBe('a\n');
  });
});

describe('checkTree', () => {
  it('reports added, changed and removed files and writes nothing', () => {
    const out = tempDir();
    writeTree(out, tree({ 'a.yaml': 'a\n', 'b.yaml': 'b\n' }));
    const before = snapshotTree(out);
    const d = checkTree(out, tree({ 'a.yaml': 'a2\n', 'c.yaml': 'c\n' }));
    expect(d).toMatchObject({ added: ['c.yaml'], changed: ['a.yaml'], removed: ['b.yaml'] });
    expect(snapshotTree(out)).toEqual(before);
  });

  it('reports a hand edit of a rendered file as changed', () => {
    const out = tempDir();
    writeTree(out, tree({ 'a.yaml': 'a\n' }));
    writeFileSync(join(out, 'demo/a.yaml'), 'edited\n');
    expect(checkTree(out, tree({ 'a.yaml': 'a\n' })).changed).toEqual(['a.yaml']);
  });

  it('is clean right after a write', () => {
    const out = tempDir();
    const t = tree({ 'x/a.yaml': 'a\n' });
    writeTree(out, t);
    expect(checkTree(out, t)).toMatchObject({ added: [], changed: [], removed: [], foreign: [] });
  });
});

describe('recoverSwap', () => {
  it('installs the staged tree when a crash happened between the two renames', () => {
    const out = tempDir();
    writeTree(out, tree({ 'a.yaml': 'old\n' }));
    // Simulate: new tree staged, journal written, old tree moved away, then a crash.
    mkdirSync(join(out, '.demo.meshrender-new'));
    writeFileSync(join(out, '.demo.meshrender-new/a.yaml'), 'new\n');
    writeFileSync(join(out, '.demo.meshrender-swap'), 'swap\n');
    renameSync(join(out, 'demo'), join(out, '.demo.meshrender-old'));
    recoverSwap(out, 'demo');
    expect(readFileSync(join(out, 'demo/a.yaml'), 'utf8')).toBe('new\n');
    expect(readdirSync(out)).toEqual(['demo']);
  });

  it('discards a staged tree whose swap never started', () => {
    const out = tempDir();
    writeTree(out, tree({ 'a.yaml': 'old\n' }));
    mkdirSync(join(out, '.demo.meshrender-new'));
    writeFileSync(join(out, '.demo.meshrender-new/a.yaml'), 'half\n');
    recoverSwap(out, 'demo');
    expect(readFileSync(join(out, 'demo/a.yaml'), 'utf8')).toBe('old\n');
    expect(readdirSync(out)).toEqual(['demo']);
  });
});
