/**
 * The write stage under hostile or failing disks: links committed into the output tree, things in
 * the way of rendered files, injected errors at every disk-changing call, and simulated crashes at
 * every disk-changing call. Each must leave the old tree or the new one, never write outside the
 * output directory, and leave no temporary files once the next run has recovered.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WriteError } from '../../generator/errors.ts';
import { checkTree, recoverSwap, writeTree } from '../../generator/stages/write.ts';
import type { OutputTree } from '../../generator/types.ts';
import { tempDir } from '../support/builders.ts';
import { snapshotTree as snapshotFiles } from '../support/tree-snapshot.ts';
import { faultyFs, SimulatedCrash } from './faulty-fs.ts';
import { observedState, sameSnapshot } from './tree-states.ts';

const tree = (files: Record<string, string>, mesh = 'demo'): OutputTree => ({ mesh, files: new Map(Object.entries(files).sort()) });

const OLD = tree({ 'clusters/c1/a.yaml': 'a: old\n', 'clusters/c1/b.yaml': 'b\n', 'clusters/c2/c.yaml': 'c\n', 'kustomization.yaml': 'k\n' });
const NEW = tree({ 'clusters/c1/a.yaml': 'a: new\n', 'clusters/c2/c.yaml': 'c\n', 'clusters/c3/d.yaml': 'd\n', 'kustomization.yaml': 'k\n' });

/** An output directory holding OLD and a file meshrender did not write, and the snapshots of both outcomes. */
function prepared() {
  const root = tempDir();
  const out = join(root, 'out');
  writeTree(out, OLD);
  writeFileSync(join(out, 'demo/clusters/c1/mine.yaml'), 'user: file\n');
  writeFileSync(join(out, 'README.md'), 'not meshrender\n');
  const oldSnap = snapshotTree(out);
  const other = join(root, 'other');
  const expectNew = tempDir();
  // The expected new tree: the same history, then NEW written without faults.
  writeTree(expectNew, OLD);
  writeFileSync(join(expectNew, 'demo/clusters/c1/mine.yaml'), 'user: file\n');
  writeFileSync(join(expectNew, 'README.md'), 'not meshrender\n');
  writeTree(expectNew, NEW);
  return { root, out, other, oldSnap, newSnap: snapshotTree(expectNew) };
}

/** snapshotTree, but safe with FIFOs (which it would block reading): they are recorded by kind. */
function snapshotTree(root: string): Map<string, string> {
  const fifos: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.isFIFO()) fifos.push(join(dir, e.name));
    }
  };
  walk(root);
  const aside = tempDir('meshrender-fifo-aside-');
  fifos.forEach((f, i) => renameSync(f, join(aside, String(i))));
  try {
    const snap = snapshotFiles(root);
    for (const f of fifos) snap.set(f.slice(root.length + 1), 'fifo');
    return snap;
  } finally {
    fifos.forEach((f, i) => renameSync(join(aside, String(i)), f));
  }
}

const leftovers = (out: string) => readdirSync(out).filter((n) => n.includes('.meshrender-'));

describe('links and other things in the way (regression: a committed symlink made render write outside out/)', () => {
  it('refuses to write through a symbolic link to a directory inside the mesh tree', () => {
    const root = tempDir();
    const out = join(root, 'out');
    const victim = join(root, 'victim');
    mkdirSync(victim);
    writeTree(out, OLD);
    renameSync(join(out, 'demo/clusters/c1'), join(root, 'c1-moved'));
    symlinkSync('../../../victim', join(out, 'demo/clusters/c1'));
    const before = snapshotTree(root);
    expect(() => writeTree(out, NEW)).toThrow(WriteError);
    try {
      writeTree(out, NEW);
    } catch (e) {
      expect((e as WriteError).diagnostics.map((d) => [d.file, d.message])).toEqual([
        [join(out, 'demo/clusters/c1'), expect.stringMatching(/^this symbolic link is where meshrender writes, and meshrender never writes through links/)],
      ]);
    }
    expect(readdirSync(victim)).toEqual([]);
    expect(snapshotTree(root)).toEqual(before);
  });

  it('reports the link as blocking in --check and reads nothing through it', () => {
    const root = tempDir();
    const out = join(root, 'out');
    mkdirSync(join(root, 'victim/c1'), { recursive: true });
    writeFileSync(join(root, 'victim/c1/a.yaml'), 'a: new\n');
    writeTree(out, OLD);
    symlinkSync('../../victim', join(out, 'demo/clusters-link'));
    const d = checkTree(out, tree({ 'clusters-link/c1/a.yaml': 'a: new\n' }));
    expect(d.foreign).toEqual(['clusters-link']);
    expect(d.added).toEqual([]);
  });

  it.each([
    ['a symbolic link', (p: string) => symlinkSync('/etc/hostname', p), /^this symbolic link is where meshrender writes/],
    ['a directory', (p: string) => mkdirSync(p), /^this directory is where meshrender writes a file/],
    ['a FIFO', (p: string) => execFileSync('mkfifo', [p]), /^this is not a regular file \(a FIFO, socket or device\)/],
  ])('refuses to replace %s at the path of a rendered file, even one it wrote before', (_name, make, message) => {
    const out = tempDir();
    writeTree(out, OLD);
    const target = join(out, 'demo/clusters/c1/a.yaml');
    execFileSync('rm', ['-f', target]);
    make(target);
    const before = snapshotTree(out);
    let err: WriteError | undefined;
    try {
      writeTree(out, NEW);
    } catch (e) {
      err = e as WriteError;
    }
    expect(err).toBeInstanceOf(WriteError);
    expect(err!.diagnostics).toHaveLength(1);
    expect(err!.diagnostics[0]!.file).toBe(target);
    expect(err!.diagnostics[0]!.message).toMatch(message);
    expect(snapshotTree(out)).toEqual(before);
    expect(leftovers(out)).toEqual([]);
  });

  it('ignores index entries that point out of the tree: nothing outside is read, removed or changed', () => {
    const root = tempDir();
    const out = join(root, 'out');
    writeFileSync(join(root, 'victim.yaml'), 'outside\n');
    writeTree(out, OLD);
    const sha = '0'.repeat(64);
    appendFileSync(join(out, 'demo/.meshrender-index'), `${sha}  ../../victim.yaml\n${sha}  ${join(root, 'victim.yaml')}\n${sha}  clusters/../../../victim.yaml\n`);
    const r = writeTree(out, NEW);
    expect(r.removed).toEqual(['clusters/c1/b.yaml']);
    expect(readdirSync(root).sort()).toEqual(['out', 'victim.yaml']);
    expect(snapshotTree(root).get('victim.yaml')).toBe(Buffer.from('outside\n').toString('base64'));
  });

  it('refuses a file where a rendered directory goes', () => {
    const out = tempDir();
    writeTree(out, OLD);
    writeFileSync(join(out, 'demo/clusters/c3'), 'a file, not a directory\n');
    const before = snapshotTree(out);
    expect(() => writeTree(out, NEW)).toThrow(/files meshrender did not write are in the way/);
    expect(snapshotTree(out)).toEqual(before);
  });

  it('carries a FIFO elsewhere in the tree over as an error, not a hang, and cleans up', () => {
    const out = tempDir();
    writeTree(out, OLD);
    execFileSync('mkfifo', [join(out, 'demo/pipe')]);
    expect(() => writeTree(out, NEW)).toThrow(/is not a regular file or symbolic link/);
    expect(leftovers(out)).toEqual([]);
  });

  it('never installs a staged tree that is a symbolic link (a journal and a link committed to the repository)', () => {
    const root = tempDir();
    const out = join(root, 'out');
    mkdirSync(join(root, 'secret-dir'));
    writeFileSync(join(root, 'secret-dir/id_rsa'), 'PRIVATE\n');
    mkdirSync(out);
    symlinkSync('../secret-dir', join(out, '.demo.meshrender-new'));
    writeFileSync(join(out, '.demo.meshrender-swap'), 'swap\n');
    expect(checkTree(out, NEW).added).toEqual([...NEW.files.keys()]);
    writeTree(out, NEW);
    expect(snapshotTree(join(out, 'demo')).has('id_rsa')).toBe(false);
    expect(existsSync(join(root, 'secret-dir/id_rsa'))).toBe(true);
    expect(leftovers(out)).toEqual([]);
  });
});

describe('the lock', () => {
  it('stops a second writer while the first one runs, changing nothing', () => {
    const p = prepared();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(join(p.out, '.demo.meshrender-lock'), `${holder.pid}\n`);
      const before = snapshotTree(p.out);
      expect(() => writeTree(p.out, NEW)).toThrow(new RegExp(`another meshrender \\(pid ${holder.pid}\\) is writing this tree; wait for it to finish`));
      expect(snapshotTree(p.out)).toEqual(before);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a lock whose process is gone, and removes it when done', () => {
    const p = prepared();
    const gone = spawnSync('sh', ['-c', 'echo $$']);
    writeFileSync(join(p.out, '.demo.meshrender-lock'), gone.stdout);
    writeTree(p.out, NEW);
    expect(snapshotTree(p.out)).toEqual(p.newSnap);
  });
});

describe('injected file-system errors', () => {
  // Count the disk-changing calls of one write, then fail each of them in turn.
  const probe = prepared();
  const counter = faultyFs({});
  writeTree(probe.out, NEW, counter.fs);
  const calls = counter.mutations();

  it('makes enough disk-changing calls for the loop below to mean something', () => {
    expect(calls).toBeGreaterThan(8);
  });

  it.each(['ENOSPC', 'EROFS', 'EACCES', 'EIO'])('%s at any disk-changing call: a WriteError, the old tree unchanged, no temporary files', (code) => {
    for (let nth = 1; nth <= calls; nth++) {
      const p = prepared();
      const f = faultyFs({ fail: { call: 'any-mutating', code, nth } });
      let err: unknown;
      try {
        writeTree(p.out, NEW, f.fs);
      } catch (e) {
        err = e;
      }
      if (!f.fired()) continue;
      // A failure after the new tree is in place only affects cleanup (of the old tree or the lock):
      // the result is the new tree, and the next run removes the leftovers.
      const snap = snapshotTree(p.out);
      if (err === undefined) {
        writeTree(p.out, NEW);
        expect(snapshotTree(p.out), `${code} at call ${nth}`).toEqual(p.newSnap);
        continue;
      }
      expect(err, `${code} at call ${nth}`).toBeInstanceOf(WriteError);
      expect(snap, `${code} at call ${nth}`).toEqual(p.oldSnap);
      expect(leftovers(p.out), `${code} at call ${nth}`).toEqual([]);
    }
  });

  it('names the mesh directory and the cause, without a stack trace', () => {
    const p = prepared();
    const f = faultyFs({ fail: { call: 'writeFileSync', code: 'ENOSPC', nth: 2 } });
    let err: WriteError | undefined;
    try {
      writeTree(p.out, NEW, f.fs);
    } catch (e) {
      err = e as WriteError;
    }
    expect(err!.diagnostics.map((d) => d.message)).toEqual(['the disk is full; free some space and render again (the previous tree is unchanged)']);
    expect(err!.diagnostics[0]!.file).toMatch(/out\/demo$/);
  });
});

describe('simulated crashes at every disk-changing call', () => {
  it('leaves the old tree or the new one (or the staged new tree during the swap), and recovery leaves exactly one of them', () => {
    const probe = prepared();
    const counter = faultyFs({});
    writeTree(probe.out, NEW, counter.fs);
    const calls = counter.mutations();
    const seen = new Set<string>();
    for (let k = 0; k <= calls; k++) {
      const p = prepared();
      const f = faultyFs({ crashAfter: k });
      try {
        writeTree(p.out, NEW, f.fs);
      } catch (e) {
        expect(e instanceof WriteError || e instanceof SimulatedCrash, `crash after ${k}`).toBe(true);
      }
      const state = observedState(p.out, 'demo', p.oldSnap, p.newSnap, snapshotTree(p.out));
      expect(['old', 'new', 'staged-new'], `crash after ${k}: ${state}`).toContain(state);
      seen.add(state);
      // What --check sees is what the next run will install.
      const drift = checkTree(p.out, NEW);
      expect(drift.added.length + drift.changed.length + drift.removed.length === 0, `crash after ${k}`).toBe(state !== 'old');
      recoverSwap(p.out, 'demo');
      // The lock of the crashed writer stays until the next write takes it over.
      const after = new Map([...snapshotTree(p.out)].filter(([path]) => path !== '.demo.meshrender-lock'));
      expect(after.size > 0 && (sameSnapshot(after, p.oldSnap) || sameSnapshot(after, p.newSnap)), `crash after ${k}`).toBe(true);
      if (state !== 'old') expect(after, `crash after ${k}`).toEqual(p.newSnap);
      expect(leftovers(p.out).filter((n) => n !== '.demo.meshrender-lock')).toEqual([]);
      writeTree(p.out, NEW);
      expect(snapshotTree(p.out), `crash after ${k}, then a write`).toEqual(p.newSnap);
    }
    // The loop reached every phase, including the moment between the two renames.
    expect([...seen].sort()).toEqual(['new', 'old', 'staged-new']);
  });
});
