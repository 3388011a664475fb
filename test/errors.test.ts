/**
 * Error cases as folders: test/errors/<case>/topology.yaml and expected.txt (first line `exit N`,
 * then exactly what meshrender prints on stderr). The wording of errors is part of the product:
 * review expected.txt by hand. MESHRENDER_UPDATE_ERRORS=1 rewrites them.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/paths.ts';
import { runCli } from './support/run-cli.ts';
import { snapshotTree } from './support/tree-snapshot.ts';
import { tempDir } from './support/builders.ts';

const CASES_DIR = join(ROOT, 'test/errors');
const cases = readdirSync(CASES_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

describe('error cases', () => {
  it.each(cases)('%s', async (name) => {
    const out = tempDir();
    mkdirSync(join(out, 'keep'), { recursive: true });
    writeFileSync(join(out, 'keep', 'file.yaml'), 'kept: true\n');
    const before = snapshotTree(out);
    const rel = `test/errors/${name}/topology.yaml`;
    const cwd = process.cwd();
    process.chdir(ROOT);
    let run;
    try {
      run = await runCli(['render', rel, '--out', out, '--istio-dist', join(ROOT, 'test/errors/no-such-dist')]);
    } finally {
      process.chdir(cwd);
    }
    const actual = `exit ${run.code}\n${run.stderr}`;
    const expectedFile = join(CASES_DIR, name, 'expected.txt');
    if (process.env.MESHRENDER_UPDATE_ERRORS) writeFileSync(expectedFile, actual);
    expect(actual).toBe(readFileSync(expectedFile, 'utf8'));
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(snapshotTree(out)).toEqual(before);
  });
});
