/**
 * One golden tree per example topology: test/golden/<example>/files.txt lists every rendered path
 * (compared first), then each file is compared with test/golden/<example>/tree/<path>. Files that
 * embed upstream Istio content (the release's CRDs and injection templates) are recorded by sha256
 * in files.txt instead, so this repository never holds a copy of them.
 * MESHRENDER_UPDATE_GOLDEN=1 (npm run test:update-golden) rewrites the goldens: review the diff.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReleases } from '../generator/istio/release.ts';
import { buildTree, checkTopology } from '../generator/pipeline.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from './support/paths.ts';

const UPDATE = Boolean(process.env.MESHRENDER_UPDATE_GOLDEN);
const examples = readdirSync(join(ROOT, 'topologies')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();

/** Lines of upstream release files long enough to be distinctive. */
function upstreamLines(texts: Iterable<string>): Set<string> {
  const set = new Set<string>();
  for (const t of texts) for (const l of t.split('\n')) {
    const s = l.trim();
    if (s.length >= 40) set.add(s);
  }
  return set;
}

function embedsUpstream(content: string, lines: Set<string>): boolean {
  return content.split('\n').some((l) => lines.has(l.trim()));
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe.skipIf(!HAS_SHARED)('golden trees', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});

  it.each(examples)('%s', async (example) => {
    const { topology } = checkTopology(join(ROOT, 'topologies', `${example}.yaml`));
    const releases = await loadReleases(topology, { distDir: ISTIO_DIST });
    const lines = upstreamLines([...releases.values()].flatMap((r) => [r.crds, ...r.discoveryFiles.values()]));
    const tree = buildTree(topology, releases);

    const listing: string[] = [];
    const contents = new Map<string, string>();
    for (const [path, content] of tree.files) {
      if (embedsUpstream(content, lines)) listing.push(`${path}  sha256:${sha256(content)}`);
      else {
        listing.push(path);
        contents.set(path, content);
      }
    }
    const dir = join(ROOT, 'test/golden', example);
    const filesTxt = `${listing.join('\n')}\n`;
    if (UPDATE) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'tree'), { recursive: true });
      writeFileSync(join(dir, 'files.txt'), filesTxt);
      for (const [path, content] of contents) {
        mkdirSync(dirname(join(dir, 'tree', path)), { recursive: true });
        writeFileSync(join(dir, 'tree', path), content);
      }
    }
    expect(existsSync(join(dir, 'files.txt')), `no golden for ${example}: run npm run test:update-golden and review it`).toBe(true);
    expect(filesTxt).toBe(readFileSync(join(dir, 'files.txt'), 'utf8'));
    for (const [path, content] of contents) expect(content, path).toBe(readFileSync(join(dir, 'tree', path), 'utf8'));
  });
});
