/** Reads every file under a directory (bytes and symlink targets), to prove a command changed nothing. */
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(root)) return out;
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      const full = join(root, p);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out.set(p, `-> ${readlinkSync(full)}`);
      else if (st.isDirectory()) walk(p);
      else out.set(p, readFileSync(full).toString('base64'));
    }
  };
  walk('');
  return out;
}
