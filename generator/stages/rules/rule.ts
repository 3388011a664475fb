/**
 * What a mesh rule is: a named check over the resolved model that reports user mistakes
 * at the position of the user's own key. One rule per file; index.ts lists them.
 */
import type { Diagnostic } from '../../diagnostics.ts';
import type { Topology, WrittenCluster, WrittenTopology } from '../../types.ts';
import { displayPath, ownerKeyPositionOf, positionOf, type PathSegment } from '../../yaml/positions.ts';

export interface MeshRule {
  /** Stable ID shown in brackets after each message, e.g. MR003. */
  id: string;
  /** Short kebab-case name, e.g. unique-cluster-names. */
  name: string;
  /** What the rule checks and why, printed by `meshrender validate --explain`. */
  explain: string;
  check(ctx: RuleContext): Diagnostic[];
}

export class RuleContext {
  readonly topology: Topology;
  readonly written: WrittenTopology;
  private readonly rule: MeshRule;
  constructor(topology: Topology, written: WrittenTopology, rule: MeshRule) {
    this.topology = topology;
    this.written = written;
    this.rule = rule;
  }

  /** The clusters as written, with their index in spec.clusters. */
  writtenClusters(): { cluster: WrittenCluster; index: number }[] {
    return this.written.spec.clusters.map((cluster, index) => ({ cluster, index }));
  }

  clusterPath(index: number, ...rest: PathSegment[]): PathSegment[] {
    return ['spec', 'clusters', index, ...rest];
  }

  display(path: readonly PathSegment[]): string {
    return displayPath(path);
  }

  error(path: readonly PathSegment[], message: string): Diagnostic {
    return this.make('error', path, message);
  }

  warning(path: readonly PathSegment[], message: string): Diagnostic {
    return this.make('warning', path, message);
  }

  /** Like error(), but points at the key that holds the value at `path` (for map entries). */
  errorAtKey(path: readonly PathSegment[], message: string): Diagnostic {
    return this.make('error', path, message, true);
  }

  warningAtKey(path: readonly PathSegment[], message: string): Diagnostic {
    return this.make('warning', path, message, true);
  }

  private make(severity: Diagnostic['severity'], path: readonly PathSegment[], message: string, atKey = false): Diagnostic {
    const pos = atKey ? ownerKeyPositionOf(this.written.loaded, path) : positionOf(this.written.loaded, path);
    return { file: this.written.loaded.file, severity, message, rule: this.rule.id, ...(pos ? { pos } : {}) };
  }
}
