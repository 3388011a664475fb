/** The `bundle` and `bundle verify` commands. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { MeshrenderError, UsageError } from '../errors.ts';
import { renderInMemory, checkAndLoad } from '../pipeline.ts';
import { bundleFiles, packBundle, verifyBundle } from './bundle.ts';

export function meshrenderVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function runBundle(opts: { topology: string; output: string; clusters: readonly string[]; includeSecrets: string | null; istioDist: string | null }): Promise<string> {
  const [loaded] = await checkAndLoad([opts.topology], opts.istioDist);
  const [rendered] = await renderInMemory([opts.topology], opts.istioDist);
  const files = bundleFiles({
    topology: rendered!.topology,
    topologySource: readFileSync(opts.topology, 'utf8'),
    tree: rendered!.tree,
    releases: loaded!.releases,
    clusters: opts.clusters,
    includeSecrets: opts.includeSecrets,
    meshrenderVersion: meshrenderVersion(),
  });
  const bytes = await packBundle(files);
  const tmp = join(dirname(opts.output), `.${basename(opts.output)}.meshrender-tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, opts.output);
  } catch (e) {
    throw new MeshrenderError(`cannot write ${opts.output}: ${(e as Error).message}`, [{ file: opts.output, severity: 'error', message: `cannot write the bundle: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  return `${opts.output}: ${files.size} files, ${bytes.length} bytes`;
}

export async function runBundleVerify(file: string): Promise<{ ok: boolean; lines: string[] }> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const findings = await verifyBundle(bytes);
  if (findings.length === 0) return { ok: true, lines: [`${file}: every digest matches`] };
  return { ok: false, lines: findings.map((f) => `${file}: ${f.path}: error: ${f.message}`) };
}
