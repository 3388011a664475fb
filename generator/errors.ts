/**
 * Typed errors. Library code throws these; only cli.ts turns them into output and exit codes.
 * A MeshrenderError is a user-facing problem (exit 1, or 2 for usage); anything else is a bug.
 */
import type { Diagnostic } from './diagnostics.ts';

export class MeshrenderError extends Error {
  /** Diagnostics to print, one line each. */
  readonly diagnostics: readonly Diagnostic[];
  /** Process exit code the CLI uses. */
  readonly exitCode: number;
  constructor(message: string, diagnostics: readonly Diagnostic[] = [], exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.diagnostics = diagnostics;
    this.exitCode = exitCode;
  }
}

/** The topology file could not be read or parsed as YAML. */
export class TopologyParseError extends MeshrenderError {}

/** The topology breaks the schema or a mesh rule. */
export class TopologyInvalidError extends MeshrenderError {}

/** A plan cannot be made, e.g. no templates or no Istio release for a version. */
export class PlanError extends MeshrenderError {}

/** A template failed to expand or produced an invalid document. */
export class TemplateError extends MeshrenderError {}

/** Two objects would be written to one path, or a path would leave the output directory. */
export class AssembleError extends MeshrenderError {}

/** The output directory cannot be written. */
export class WriteError extends MeshrenderError {}

/** The command line is wrong (exit code 2). */
export class UsageError extends MeshrenderError {
  constructor(message: string) {
    super(message, [], 2);
  }
}

/** Makes a single-diagnostic error for a file-level problem. */
export function fileError<T extends MeshrenderError>(
  Kind: new (message: string, diagnostics: readonly Diagnostic[]) => T,
  file: string,
  message: string,
  pos?: { line: number; col: number },
): T {
  const d: Diagnostic = { file, severity: 'error', message, ...(pos ? { pos } : {}) };
  return new Kind(message, [d]);
}
