/**
 * Diagnostics: what meshrender says about a user's input, compiler style.
 * Every stage that finds a user mistake returns Diagnostics; only cli.ts prints them.
 */

/** Position in a source file, 1-based. */
export interface SourcePosition {
  line: number;
  col: number;
}

/** One finding about the user's input, printed as `file:line:col: severity: message`. */
export interface Diagnostic {
  /** Path of the file as the user named it (or a template path for template errors). */
  file: string;
  /** Position of the offending key or value; absent when the finding is about the whole file. */
  pos?: SourcePosition;
  severity: 'error' | 'warning';
  /** What is wrong and how to fix it. */
  message: string;
  /** ID of the mesh rule that produced it, if any. */
  rule?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.pos ? `${d.file}:${d.pos.line}:${d.pos.col}` : d.file;
  const rule = d.rule ? ` [${d.rule}]` : '';
  return `${where}: ${d.severity}: ${d.message}${rule}`;
}

/** Orders diagnostics by file, then position, then message, so output never depends on discovery order. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      (a.pos?.line ?? 0) - (b.pos?.line ?? 0) ||
      (a.pos?.col ?? 0) - (b.pos?.col ?? 0) ||
      cmp(a.message, b.message),
  );
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
