/**
 * The topology picture: the Mermaid and DOT text of a small topology (reviewed by hand), the folding
 * of primary reads in a fleet, the README, and an SVG for every example and for twenty clusters.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { drawTopology } from '../../generator/graph/command.ts';
import { toDot } from '../../generator/graph/dot.ts';
import { toMermaid } from '../../generator/graph/mermaid.ts';
import { buildPicture, MAX_DIRECT_PRIMARY_READS, nodeId } from '../../generator/graph/picture.ts';
import { meshReadme } from '../../generator/graph/readme.ts';
import { checkTopology } from '../../generator/pipeline.ts';
import { modelFrom, tempDir, topologyDoc, topologyFile, type ClusterInput } from '../support/builders.ts';
import { HAS_SHARED, ISTIO_DIST, ROOT, sharedSkipReason } from '../support/paths.ts';
import { runCli } from '../support/run-cli.ts';

/** primary-remote on two networks with a canary revision and a tag: every kind of node and edge but the external one. */
const small = () =>
  modelFrom(
    topologyDoc({
      name: 'small',
      clusters: [
        { name: 'cluster1', role: 'primary', network: 'network1', eastWest: { address: '34.75.71.237' } },
        { name: 'cluster2', role: 'remote', network: 'network2', controlPlane: 'cluster1' },
      ],
      istio: { revisions: [{ name: 'default', version: '1.30.3' }, { name: 'canary', version: '1.29.6' }], tags: { prod: 'canary' } },
    }),
  );

describe('topology picture', () => {
  it('Mermaid: networks as subgraphs, clusters with role, revisions and gateway, control-plane and remote-secret edges', () => {
    expect(toMermaid(buildPicture(small()))).toBe(
      [
        'flowchart LR',
        '  subgraph net_network1["network network1"]',
        '    c_cluster1["<b>cluster1</b><br/>primary<br/>canary (1.29.6), default (1.30.3)<br/>⇄ east-west gateway <b>34.75.71.237</b>"]',
        '  end',
        '  subgraph net_network2["network network2"]',
        '    c_cluster2["<b>cluster2</b><br/>remote of cluster1<br/>canary (1.29.6), default (1.30.3)<br/>⇄ east-west gateway"]',
        '  end',
        '  c_cluster2 -->|control plane| c_cluster1',
        '  c_cluster1 -.-> c_cluster2',
        '  classDef primary fill:#dbeafe,stroke:#1e40af,color:#111827',
        '  classDef remote fill:#fef3c7,stroke:#92400e,color:#111827',
        '  classDef external fill:#ede9fe,stroke:#5b21b6,color:#111827',
        '  classDef hub fill:#f3f4f6,stroke:#6b7280,color:#111827',
        '  class c_cluster1 primary',
        '  class c_cluster2 remote',
        '',
      ].join('\n'),
    );
  });

  it('DOT: the same nodes and edges, networks as Graphviz clusters, revisions and tags in the title', () => {
    const dot = toDot(buildPicture(small()));
    const lines = dot.split('\n');
    expect(lines[0]).toBe('digraph mesh {');
    expect(lines[1]).toContain('label=<<b>mesh small (mesh ID mesh1)</b><br align="left"/><font point-size="10">revision canary · Istio 1.29.6 · tag prod</font><br align="left"/><font point-size="10">revision default · Istio 1.30.3</font>');
    expect(lines.filter((l) => /^\s+subgraph /.test(l)).map((l) => l.trim())).toEqual(['subgraph cluster_net_network1 {', 'subgraph cluster_net_network2 {']);
    expect(lines.filter((l) => l.includes(' -> ')).map((l) => l.trim())).toEqual([
      'c_cluster2 -> c_cluster1 [color="#1e40af", penwidth=1.6, label="control plane", fontcolor="#1e40af"];',
      'c_cluster1 -> c_cluster2 [style=dashed, color="#6b7280", constraint=false];',
    ]);
    expect(dot).toContain(
      'c_cluster1 [shape=box, style="rounded,filled", fillcolor="#dbeafe", color="#1e40af", penwidth=1.2, margin="0.1,0.04", label=<<table border="0" cellborder="0" cellspacing="2" cellpadding="1"><tr><td><b>cluster1</b></td></tr><tr><td><font point-size="9">primary</font></td></tr><tr><td><font point-size="9">canary (1.29.6), default (1.30.3)</font></td></tr><tr><td bgcolor="#dcfce7" color="#166534" border="1" style="rounded"><font point-size="8">⇄ east-west gateway <b>34.75.71.237</b></font></td></tr></table>>];',
    );
    expect(lines.at(-2)).toBe('}');
  });

  it('marks the config cluster read of an external control plane and its ingress gateway', () => {
    const t = modelFrom(
      topologyDoc({
        clusters: [
          { name: 'ext', role: 'external', network: 'n1', external: { address: 'istiod.example.com', configCluster: 'cfg' } },
          { name: 'cfg', role: 'remote', network: 'n1', controlPlane: 'ext' },
        ],
      }),
    );
    const mermaid = toMermaid(buildPicture(t));
    expect(mermaid).toContain('c_ext["<b>ext</b><br/>external control plane (istiod in external-istiod)<br/>default (1.30.3)<br/>⇄ istiod ingress gateway <b>istiod.example.com</b>"]');
    expect(mermaid).toContain('c_cfg["<b>cfg</b><br/>remote, config cluster of ext<br/>default (1.30.3)"]');
    expect(mermaid).toContain('  c_ext -.->|config| c_cfg\n');
  });

  it('folds the reads of many primaries into one node, and keeps the reads of an external control plane', () => {
    const clusters: ClusterInput[] = ['p1', 'p2', 'p3'].map((name) => ({ name, role: 'primary', network: 'n1' }));
    const picture = buildPicture(modelFrom(topologyDoc({ clusters })));
    expect(3 * 2).toBe(MAX_DIRECT_PRIMARY_READS); // three primaries still draw their six reads
    expect(picture.readsHub).toBeNull();
    const four = buildPicture(modelFrom(topologyDoc({ clusters: [...clusters, { name: 'p4', role: 'primary', network: 'n1' }] })));
    expect(four.readsHub?.lines).toEqual(['remote secrets:', 'every primary reads the API server', 'of every other primary and remote (4 clusters)']);
    expect(four.edges.filter((e) => e.kind === 'reads').map((e) => `${e.from}->${e.to}`)).toEqual(['c_p1->remote_secrets', 'c_p2->remote_secrets', 'c_p3->remote_secrets', 'c_p4->remote_secrets']);
  });

  it('gives distinct, safe node IDs to names that differ only in punctuation', () => {
    expect(nodeId('net', 'net.a')).toBe('net_net_2ea');
    expect(nodeId('net', 'net_a')).toBe('net_net_5fa');
    expect(nodeId('c', 'end')).toBe('c_end');
  });

  it('README: the diagram, the tables of clusters, revisions and reads, nothing that changes between runs', () => {
    const text = meshReadme(small());
    expect(text).toContain('```mermaid\nflowchart LR\n');
    expect(text).toContain('| [cluster1](clusters/cluster1/) | primary | network1 | itself | canary (1.29.6), default (1.30.3) | `34.75.71.237` | - |');
    expect(text).toContain('| [cluster2](clusters/cluster2/) | remote | network2 | cluster1 | canary (1.29.6), default (1.30.3) | yes (address from its Service) | cluster1 |');
    expect(text).toContain('| canary | 1.29.6 | prod | cluster1, cluster2 |');
    expect(text).toContain('| cluster1 | istio-system | cluster2 | remote cluster |');
    expect(meshReadme(small())).toBe(text);
    expect(text.endsWith('\n') && !text.endsWith('\n\n')).toBe(true);
  });
});

describe('meshrender graph as SVG', () => {
  const examples = readdirSync(join(ROOT, 'topologies')).filter((f) => f.endsWith('.yaml')).sort();
  const files = [...examples.map((f) => join(ROOT, 'topologies', f)), join(ROOT, 'test/fixtures/twenty-clusters.yaml')];

  it.each(files)('%s gives an SVG document', async (file) => {
    const { topology } = checkTopology(file);
    const svg = await drawTopology(topology, 'svg');
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(svg) as Record<string, unknown>;
    expect(Object.keys(doc).filter((k) => !k.startsWith('?') && !k.startsWith('!'))).toEqual(['svg']);
    // Graphviz writes '-' as &#45; in text.
    for (const c of topology.clusters) expect(svg.replaceAll('&#45;', '-')).toContain(`>${c.name}</text>`);
    expect(await drawTopology(topology, 'svg')).toBe(svg);
  });

  it('twenty clusters fold the primary reads and stay one column of networks', async () => {
    const { topology } = checkTopology(join(ROOT, 'test/fixtures/twenty-clusters.yaml'));
    expect(topology.clusters).toHaveLength(20);
    const picture = buildPicture(topology);
    expect(picture.readsHub).not.toBeNull();
    expect(picture.edges.filter((e) => e.kind !== 'control-plane')).toHaveLength(3 + 4);
    const svg = await drawTopology(topology, 'svg');
    const [, w, h] = /viewBox="0\.00 0\.00 ([\d.]+) ([\d.]+)"/.exec(svg)!.map(Number);
    // A tall page that scrolls, not a banner: at most 1000 points wide.
    expect(w).toBeLessThan(1000);
    expect(h).toBeGreaterThan(w!);
  });
});

describe('meshrender graph command', () => {
  const example = 'topologies/primary-remote.yaml';

  it('prints Mermaid or DOT on stdout and writes a file with --output', async () => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const mermaid = await runCli(['graph', example, '--format', 'mermaid']);
      expect(mermaid.code).toBe(0);
      expect(mermaid.stdout).toBe(toMermaid(buildPicture(checkTopology(example).topology)));
      const dot = await runCli(['graph', example, '--format', 'dot']);
      expect(dot.stdout.startsWith('digraph mesh {\n')).toBe(true);
      const out = join(tempDir(), 'mesh.svg');
      const svg = await runCli(['graph', example, '--output', out]);
      expect(svg.code).toBe(0);
      expect(svg.stdout).toBe(`primary-remote: svg picture written to ${out}\n`);
      expect(readFileSync(out, 'utf8')).toMatch(/^<\?xml[^]*<svg [^]*<\/svg>\n?$/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses an unknown format (exit 2) and reports an invalid topology like validate (exit 1)', async () => {
    const bad = await runCli(['graph', join(ROOT, example), '--format', 'png']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Invalid values');
    const file = topologyFile(topologyDoc({ clusters: [{ name: 'a', role: 'remote', network: 'n1', controlPlane: 'nope' }] }));
    const invalid = await runCli(['graph', file, '--format', 'dot']);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toContain('[MR004]');
  });
});

describe.skipIf(!HAS_SHARED)('README.md in the output tree', () => {
  if (!HAS_SHARED) it.skip(sharedSkipReason(), () => {});

  it('is written, indexed, checked by render --check and rewritten when it drifts', async () => {
    const out = tempDir();
    const topology = join(ROOT, 'topologies/primary-remote.yaml');
    const render = (extra: string[] = []) => runCli(['render', topology, '--out', out, '--istio-dist', ISTIO_DIST, ...extra]);
    expect((await render()).code).toBe(0);
    const readme = join(out, 'primary-remote', 'README.md');
    expect(readFileSync(readme, 'utf8')).toBe(meshReadme(checkTopology(topology).topology));
    expect(readFileSync(join(out, 'primary-remote', '.meshrender-index'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}README\.md$/m);
    expect((await render(['--check'])).code).toBe(0);
    writeFileSync(readme, 'edited by hand\n');
    const drift = await render(['--check']);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain('  changed  ');
    expect(drift.stderr).toContain('primary-remote/README.md');
    expect((await render()).code).toBe(0);
    expect(readFileSync(readme, 'utf8')).toContain('```mermaid');
  });
});
