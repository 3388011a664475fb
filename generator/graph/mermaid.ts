/**
 * MeshPicture → Mermaid flowchart text (GitHub renders it in Markdown). Pure and deterministic:
 * networks, clusters and edges come in the picture's order.
 */
import type { MeshPicture, PictureCluster, PictureEdge } from './picture.ts';

const CLASSES: readonly string[] = [
  'classDef primary fill:#dbeafe,stroke:#1e40af,color:#111827',
  'classDef remote fill:#fef3c7,stroke:#92400e,color:#111827',
  'classDef external fill:#ede9fe,stroke:#5b21b6,color:#111827',
  'classDef hub fill:#f3f4f6,stroke:#6b7280,color:#111827',
];

export function toMermaid(p: MeshPicture): string {
  const out: string[] = ['flowchart LR'];
  for (const n of p.networks) {
    out.push(`  subgraph ${n.id}["${text(`network ${n.name}`)}"]`);
    for (const c of n.clusters) out.push(`    ${c.id}["${clusterLabel(c)}"]`);
    out.push('  end');
  }
  if (p.readsHub) out.push(`  ${p.readsHub.id}(["${p.readsHub.lines.map(text).join('<br/>')}"])`);
  for (const e of p.edges) out.push(`  ${edge(e)}`);
  out.push(...CLASSES.map((c) => `  ${c}`));
  const byClass = new Map<string, string[]>();
  const add = (cls: string, id: string) => byClass.set(cls, [...(byClass.get(cls) ?? []), id]);
  for (const n of p.networks) for (const c of n.clusters) add(c.role, c.id);
  if (p.readsHub) add('hub', p.readsHub.id);
  for (const cls of ['primary', 'remote', 'external', 'hub']) {
    const ids = byClass.get(cls);
    if (ids) out.push(`  class ${ids.join(',')} ${cls}`);
  }
  return `${out.join('\n')}\n`;
}

function clusterLabel(c: PictureCluster): string {
  return [`<b>${text(c.name)}</b>`, ...c.lines.map(text), ...c.gateways.map((g) => `⇄ ${text(g.title)}${g.address ? ` <b>${text(g.address)}</b>` : ''}`)].join('<br/>');
}

function edge(e: PictureEdge): string {
  switch (e.kind) {
    case 'control-plane':
      return e.label ? `${e.from} -->|${text(e.label)}| ${e.to}` : `${e.from} --> ${e.to}`;
    case 'reads':
    case 'reads-config':
      return e.label ? `${e.from} -.->|${text(e.label)}| ${e.to}` : `${e.from} -.-> ${e.to}`;
  }
}

/** Text inside a quoted Mermaid label: entity codes for the characters Mermaid or HTML would read. */
function text(s: string): string {
  return s.replace(/[&<>"#|]/g, (ch) => `#${ch.codePointAt(0)};`);
}
