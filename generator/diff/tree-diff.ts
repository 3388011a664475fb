/**
 * Object-level comparison of two rendered trees of one mesh: which Kubernetes objects each cluster
 * gains, loses or changes, and which fields changed. Pure: trees in, changes out.
 */
import { parseAllDocuments } from 'yaml';
import { isPlainObject } from '../yaml/canonical.ts';

export interface ObjectRef {
  kind: string;
  namespace: string | null;
  name: string;
}

export interface ObjectChange {
  /** Cluster name, or null for mesh-level files (shared CRDs, GitOps entry points). */
  cluster: string | null;
  path: string;
  change: 'added' | 'removed' | 'changed';
  object: ObjectRef;
  /** For changed objects: the paths of the fields that differ, e.g. spec.template.spec.containers[discovery].image. */
  fields: string[];
  before: unknown;
  after: unknown;
}

export interface TreeDiff {
  mesh: string;
  changes: ObjectChange[];
}

/** Compares two trees given as path → YAML text maps (kustomization and index files are skipped). */
export function diffTrees(mesh: string, before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): TreeDiff {
  const changes: ObjectChange[] = [];
  const paths = [...new Set([...before.keys(), ...after.keys()])].filter(isObjectFile).sort();
  for (const path of paths) {
    const a = before.get(path);
    const b = after.get(path);
    if (a === b) continue;
    const objA = a === undefined ? undefined : parseObject(a);
    const objB = b === undefined ? undefined : parseObject(b);
    const ref = refOf(objB ?? objA, path);
    const cluster = clusterOf(path);
    if (objA === undefined) changes.push({ cluster, path, change: 'added', object: ref, fields: [], before: undefined, after: objB });
    else if (objB === undefined) changes.push({ cluster, path, change: 'removed', object: ref, fields: [], before: objA, after: undefined });
    else {
      const fields = changedFields(objA, objB);
      if (fields.length > 0) changes.push({ cluster, path, change: 'changed', object: ref, fields, before: objA, after: objB });
    }
  }
  return { mesh, changes };
}

function isObjectFile(path: string): boolean {
  return path.endsWith('.yaml') && !path.endsWith('/kustomization.yaml') && path !== 'kustomization.yaml';
}

function clusterOf(path: string): string | null {
  const m = /^clusters\/([^/]+)\//.exec(path);
  return m ? m[1]! : null;
}

function parseObject(text: string): unknown {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  return list[0]?.toJS({ maxAliasCount: -1 }) ?? null;
}

function refOf(obj: unknown, path: string): ObjectRef {
  if (isPlainObject(obj) && isPlainObject(obj.metadata)) {
    return {
      kind: String(obj.kind ?? '?'),
      namespace: typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : null,
      name: String(obj.metadata.name ?? path),
    };
  }
  return { kind: '?', namespace: null, name: path };
}

/**
 * The leaf paths where two values differ. Lists whose items all have a name are matched by name,
 * so a reordered env list or an added container reads as what it is.
 */
export function changedFields(a: unknown, b: unknown, prefix = ''): string[] {
  if (Object.is(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    if (named(a) && named(b)) {
      const out: string[] = [];
      const byName = (l: unknown[]) => new Map(l.map((x) => [(x as { name: string }).name, x]));
      const ma = byName(a);
      const mb = byName(b);
      for (const n of new Set([...ma.keys(), ...mb.keys()])) out.push(...changedFields(ma.get(n), mb.get(n), `${prefix}[${n}]`));
      return out;
    }
    if (a.length !== b.length) return [prefix || '.'];
    return a.flatMap((x, i) => changedFields(x, b[i], `${prefix}[${i}]`));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: string[] = [];
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      out.push(...changedFields(a[k], b[k], prefix ? `${prefix}.${k}` : k));
    }
    return out;
  }
  return [prefix || '.'];
}

function named(list: unknown[]): boolean {
  return list.length > 0 && list.every((x) => isPlainObject(x) && typeof x.name === 'string');
}
