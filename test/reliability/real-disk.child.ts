/**
 * Run by real-disk.test.ts inside a private mount namespace (unshare --mount), so its mounts vanish
 * with it: mounts a small tmpfs, renders an old tree into it, then makes the disk full or read-only
 * and renders a changed topology. Prints JSON: both exit codes, stderr, and whether the old tree survived.
 * Usage: node real-disk.child.ts <full|read-only> <mountpoint> <old.yaml> <new.yaml> <istio-dist>
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../generator/cli.ts';
import { snapshotTree } from '../support/tree-snapshot.ts';

const [mode, mnt, oldFile, newFile, dist] = process.argv.slice(2) as [string, string, string, string, string];
const sh = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
};
const run = async (args: string[]) => {
  let stderr = '';
  const code = await main(args, { out: () => {}, err: (s) => (stderr += s.endsWith('\n') ? s : `${s}\n`) });
  return { code, stderr };
};

mkdirSync(mnt, { recursive: true });
sh('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]);
const out = join(mnt, 'out');
const first = await run(['render', oldFile, '--out', out, '--istio-dist', dist]);
const before = snapshotTree(mnt);
if (mode === 'full') {
  // Fill the disk, leaving less than the changed files need (tmpfs counts pages of 4 KiB).
  try {
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(64 * 1024 * 1024));
  } catch {
    // ENOSPC: the filler took what there was.
  }
} else sh('mount', ['-o', 'remount,ro', mnt]);
const beforeSecond = snapshotTree(mnt);
const second = await run(['render', newFile, '--out', out, '--istio-dist', dist]);
const after = snapshotTree(mnt);
const unchanged = JSON.stringify([...after]) === JSON.stringify([...beforeSecond]);
process.stdout.write(JSON.stringify({ first, second, unchanged, files: before.size }));
