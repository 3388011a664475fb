/**
 * meshrender diff: renders the topologies as they are now and compares them with a base, either the
 * same topology files at a git ref (rendered in memory) or a directory rendered earlier.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { MeshrenderError, UsageError } from '../errors.ts';
import { renderInMemory } from '../pipeline.ts';
import { INDEX_FILE } from '../stages/write.ts';
import { formatJson, formatMarkdown, formatText, isEmpty, type MeshDiff } from './format.ts';
import { meshEvents, summarize } from './mesh-events.ts';
import { diffTrees } from './tree-diff.ts';

export interface DiffOptions {
  topologies: readonly string[];
  /** A git ref (commit, branch, tag) holding the base version of the same topology files. */
  base: string | null;
  /** A directory rendered earlier with `render --out`. */
  baseDir: string | null;
  format: 'text' | 'markdown' | 'json';
  istioDist: string | null;
}

export async function runDiff(opts: DiffOptions): Promise<{ output: string; different: boolean }> {
  if ((opts.base === null) === (opts.baseDir === null)) throw new UsageError('name exactly one base: --base <git-ref> or --base-dir <dir>');
  const head = await renderInMemory(opts.topologies, opts.istioDist);
  const diffs: MeshDiff[] = [];
  for (const [i, mesh] of head.entries()) {
    const before = opts.baseDir !== null ? readRenderedDir(join(opts.baseDir, mesh.topology.name)) : await renderAtRef(opts.topologies[i]!, opts.base!, opts.istioDist);
    const diff = diffTrees(mesh.topology.name, before, mesh.tree.files);
    diffs.push({ diff, events: meshEvents(summarize(before), summarize(mesh.tree.files)) });
  }
  const output = opts.format === 'json' ? formatJson(diffs) : opts.format === 'markdown' ? formatMarkdown(diffs) : formatText(diffs);
  return { output, different: diffs.some((d) => !isEmpty(d)) };
}

/** Every file of a rendered mesh directory (an empty tree when it does not exist). */
function readRenderedDir(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (p === INDEX_FILE) continue;
      if (e.isDirectory()) walk(p);
      else if (lstatSync(join(dir, p)).isFile()) out.set(p, readFileSync(join(dir, p), 'utf8'));
    }
  };
  walk('');
  return out;
}

/** The tree the topology file rendered to at a git ref (empty when the file did not exist there). */
async function renderAtRef(file: string, ref: string, istioDist: string | null): Promise<Map<string, string>> {
  const shown = spawnSync('git', ['show', `${ref}:./${basename(file)}`], { cwd: dirname(file), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (shown.error) throw new MeshrenderError(`cannot run git to read ${file} at ${ref}: ${shown.error.message}`);
  if (shown.status !== 0) {
    const why = shown.stderr.trim();
    if (/exists on disk, but not in|does not exist in/.test(why)) return new Map();
    throw new MeshrenderError(`cannot read ${file} at ${ref}: ${why.split('\n')[0]}`, [{ file, severity: 'error', message: `cannot read it at git ref ${ref}: ${why.split('\n')[0]}` }]);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'meshrender-base-'));
  try {
    const copy = join(tmp, basename(file));
    writeFileSync(copy, shown.stdout);
    const [base] = await renderInMemory([copy], istioDist);
    return new Map(base!.tree.files);
  } catch (e) {
    if (e instanceof MeshrenderError) {
      throw new MeshrenderError(`the base version of ${file} at ${ref} does not render`, e.diagnostics.map((d) => ({ ...d, file: `${file}@${ref}` })));
    }
    throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
