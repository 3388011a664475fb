/**
 * Prints a mesh diff as text, as Markdown for a pull-request comment (kept under 60,000
 * characters by summarising: GitHub refuses comments over 65,536), or as JSON for tools.
 */
import type { ObjectChange, TreeDiff } from './tree-diff.ts';

export interface MeshDiff {
  diff: TreeDiff;
  events: string[];
}

export const MARKDOWN_LIMIT = 60_000;
const FIELDS_SHOWN = 6;

export function isEmpty(d: MeshDiff): boolean {
  return d.diff.changes.length === 0 && d.events.length === 0;
}

function ref(c: ObjectChange): string {
  return `${c.object.kind} ${c.object.namespace ? `${c.object.namespace}/` : ''}${c.object.name}`;
}

function fields(c: ObjectChange): string {
  if (c.change !== 'changed') return '';
  const shown = c.fields.slice(0, FIELDS_SHOWN).join(', ');
  return `: ${shown}${c.fields.length > FIELDS_SHOWN ? `, … ${c.fields.length - FIELDS_SHOWN} more` : ''}`;
}

function byCluster(changes: readonly ObjectChange[]): Map<string, ObjectChange[]> {
  const m = new Map<string, ObjectChange[]>();
  for (const c of changes) {
    const k = c.cluster ?? '(mesh)';
    m.set(k, [...(m.get(k) ?? []), c]);
  }
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function counts(list: readonly ObjectChange[]) {
  return {
    added: list.filter((c) => c.change === 'added').length,
    removed: list.filter((c) => c.change === 'removed').length,
    changed: list.filter((c) => c.change === 'changed').length,
  };
}

export function formatText(diffs: readonly MeshDiff[]): string {
  const lines: string[] = [];
  for (const d of diffs) {
    if (isEmpty(d)) {
      lines.push(`${d.diff.mesh}: no changes`);
      continue;
    }
    lines.push(`${d.diff.mesh}:`);
    for (const e of d.events) lines.push(`  * ${e}`);
    for (const [cluster, list] of byCluster(d.diff.changes)) {
      const n = counts(list);
      lines.push(`  ${cluster}: ${n.added} added, ${n.removed} removed, ${n.changed} changed`);
      for (const c of list) lines.push(`    ${c.change.padEnd(7)} ${ref(c)}${fields(c)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function formatMarkdown(diffs: readonly MeshDiff[], limit = MARKDOWN_LIMIT): string {
  const head: string[] = [];
  const details: string[][] = [];
  for (const d of diffs) {
    head.push(`### meshrender: \`${d.diff.mesh}\``, '');
    if (isEmpty(d)) {
      head.push('No changes.', '');
      continue;
    }
    if (d.events.length > 0) head.push('**Mesh events**', '', ...d.events.map((e) => `- ${e}`), '');
    const groups = byCluster(d.diff.changes);
    head.push('| cluster | added | removed | changed |', '|---|---:|---:|---:|');
    for (const [cluster, list] of groups) {
      const n = counts(list);
      head.push(`| ${cluster} | ${n.added} | ${n.removed} | ${n.changed} |`);
    }
    head.push('');
    for (const [cluster, list] of groups) {
      details.push([
        `<details><summary>${cluster}: ${list.length} object(s)</summary>`,
        '',
        ...list.map((c) => `- ${c.change} \`${ref(c)}\`${fields(c).replace(/^: (.*)$/, ': `$1`')}`),
        '',
        '</details>',
        '',
      ]);
    }
  }
  let text = head.join('\n');
  const tail = '\n_Output shortened to fit a pull-request comment; run `meshrender diff` for everything._\n';
  let omitted = 0;
  for (const block of details) {
    const full = block.join('\n');
    if (text.length + full.length + tail.length <= limit) {
      text += `${full}\n`;
      continue;
    }
    // Keep the block's summary line and as many items as fit.
    const kept: string[] = [block[0]!, ''];
    let size = text.length + tail.length + 40;
    for (const line of block.slice(2, -3)) {
      if (size + line.length + 1 > limit - 200) break;
      kept.push(line);
      size += line.length + 1;
    }
    const dropped = block.length - 5 - (kept.length - 2);
    if (kept.length > 2) text += `${[...kept, dropped > 0 ? `- … ${dropped} more` : '', '', '</details>', ''].join('\n')}\n`;
    omitted += dropped;
  }
  if (omitted > 0 || text.length > limit) text = `${text.slice(0, limit - tail.length)}${tail}`;
  return text;
}

export function formatJson(diffs: readonly MeshDiff[]): string {
  return `${JSON.stringify(
    diffs.map((d) => ({
      mesh: d.diff.mesh,
      events: d.events,
      changes: d.diff.changes.map((c) => ({ cluster: c.cluster, path: c.path, change: c.change, ...c.object, fields: c.fields })),
    })),
    null,
    2,
  )}\n`;
}
