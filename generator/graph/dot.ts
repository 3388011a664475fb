/**
 * MeshPicture → Graphviz DOT text, for `meshrender graph --format dot` and as the input of the SVG.
 * Pure and deterministic. Networks become clusters (boxes) of the drawing, the legend is on top, and a
 * cluster's gateways are rows of its box, so twenty clusters stay one compact column.
 */
import type { MeshPicture, PictureCluster, PictureEdge } from './picture.ts';

const ROLE_COLORS: Readonly<Record<string, { fill: string; line: string }>> = {
  primary: { fill: '#dbeafe', line: '#1e40af' },
  remote: { fill: '#fef3c7', line: '#92400e' },
  external: { fill: '#ede9fe', line: '#5b21b6' },
};
const GATEWAY = { fill: '#dcfce7', line: '#166534' };
const READ_COLOR = '#6b7280';

export function toDot(p: MeshPicture): string {
  const out: string[] = [
    'digraph mesh {',
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.25, ranksep=0.9, newrank=true, labelloc=t, labeljust=l, label=<${legendLabel(p)}>];`,
    '  node [fontname="Helvetica", fontsize=10, margin="0.22,0.08"];',
    '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
  ];
  for (const n of p.networks) {
    out.push(`  subgraph cluster_${n.id} {`);
    out.push(`    label=<<b>network ${html(n.name)}</b>>; style="rounded,dashed"; color="#9ca3af"; fontsize=11; margin=12;`);
    for (const c of n.clusters) out.push(`    ${c.id} [${clusterAttrs(c)}];`);
    out.push('  }');
  }
  if (p.readsHub) out.push(`  ${p.readsHub.id} [shape=ellipse, style="filled,dashed", fillcolor="#f3f4f6", color="${READ_COLOR}", fontsize=9, label=<${p.readsHub.lines.map(html).join('<br/>')}>];`);
  for (const e of p.edges) out.push(`  ${e.from} -> ${e.to} [${edgeAttrs(e)}];`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

function clusterAttrs(c: PictureCluster): string {
  const color = ROLE_COLORS[c.role]!;
  const rows = [
    `<tr><td><b>${html(c.name)}</b></td></tr>`,
    ...c.lines.map((l) => `<tr><td><font point-size="9">${html(l)}</font></td></tr>`),
    ...c.gateways.map((g) => `<tr><td bgcolor="${GATEWAY.fill}" color="${GATEWAY.line}" border="1" style="rounded"><font point-size="8">⇄ ${html(g.title)}${g.address ? ` <b>${html(g.address)}</b>` : ''}</font></td></tr>`),
  ];
  const label = `<table border="0" cellborder="0" cellspacing="2" cellpadding="1">${rows.join('')}</table>`;
  return `shape=box, style="rounded,filled", fillcolor="${color.fill}", color="${color.line}", penwidth=1.2, margin="0.1,0.04", label=<${label}>`;
}

function edgeAttrs(e: PictureEdge): string {
  switch (e.kind) {
    case 'control-plane':
      return `color="${ROLE_COLORS.primary!.line}", penwidth=1.6${e.label ? `, label="${e.label}", fontcolor="${ROLE_COLORS.primary!.line}"` : ''}`;
    case 'reads':
      return `style=dashed, color="${READ_COLOR}", constraint=false`;
    case 'reads-config':
      return `style=dashed, color="${READ_COLOR}", penwidth=1.4, constraint=false, label="${e.label ?? ''}", fontcolor="${READ_COLOR}"`;
  }
}

function legendLabel(p: MeshPicture): string {
  const lines = [`<b>${html(p.title)}</b>`, ...p.revisions.map((r) => `<font point-size="10">revision ${html(r)}</font>`), ...p.legend.map((l) => `<font point-size="9" color="#4b5563">${html(l)}</font>`)];
  return `${lines.join('<br align="left"/>')}<br align="left"/>`;
}

/** Text inside a Graphviz HTML-like label. */
function html(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
}
