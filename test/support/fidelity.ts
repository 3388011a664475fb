/**
 * Fidelity harness: the pure half. Takes reference objects (upstream Helm renders) and our objects
 * (resolved from an OutputTree exactly as `kubectl kustomize` would collect them), normalises both
 * as shared/istio-reference/README.md ("How equal is equal") says, pairs them and compares leaves.
 * Nothing here reads files or renders: fidelity-report.ts does that and prints.
 * docs/fidelity.md describes the rules and holds the table of deliberate deviations parsed here.
 */
import { isDeepStrictEqual } from 'node:util';
import { posix } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export type Scalar = string | number | boolean;
export type Json = null | Scalar | Json[] | { [key: string]: Json };
export type K8sObject = { [key: string]: Json };

/** Labels that only record the installer (README, "How equal is equal"); ignored in every metadata.labels. */
export const INSTALLER_LABELS: readonly string[] = [
  'helm.sh/chart',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/part-of',
  'release',
  'heritage',
  'chart',
  'install.operator.istio.io/owning-resource',
  'endpointslice.kubernetes.io/managed-by',
];

/** ConfigMap data keys whose strings hold YAML or JSON and are compared parsed. */
export const PARSED_DATA_KEYS: readonly string[] = ['mesh', 'meshNetworks', 'values', 'config'];

export class FidelityError extends Error {
  override name = 'FidelityError';
}

// ---------------------------------------------------------------------------------------------
// Objects and their identity

/** Whether a file of a reference cluster folder is a render to compare (not the Helm values kept beside it). */
export function isReferenceFile(name: string): boolean {
  return name.endsWith('.yaml') && !name.endsWith('.values.yaml');
}

/** Every object in a multi-document YAML text; empty documents are skipped, a syntax error throws. */
export function parseObjects(text: string, origin: string): K8sObject[] {
  const body = text.replace(/^# Source:[^\n]*\n/, '');
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(body)) {
    if (doc.errors.length > 0) throw new FidelityError(`${origin}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (!isPlainObject(value)) throw new FidelityError(`${origin}: a document is not a mapping`);
    out.push(value as K8sObject);
  }
  return out;
}

export interface ObjectId {
  /** API group: '' for the core group (apiVersion v1). The version is not part of the identity. */
  group: string;
  kind: string;
  /** '' for cluster-scoped objects (or objects that do not say). */
  namespace: string;
  name: string;
}

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function objectId(obj: K8sObject): ObjectId {
  const meta = isPlainObject(obj.metadata) ? obj.metadata : {};
  return {
    group: apiGroup(String(obj.apiVersion ?? '')),
    kind: String(obj.kind ?? ''),
    namespace: typeof meta.namespace === 'string' ? meta.namespace : '',
    name: String(meta.name ?? ''),
  };
}

export function idKey(id: ObjectId): string {
  return `${id.group}|${id.kind}|${id.namespace}|${id.name}`;
}

/** `Kind[.group] [namespace/]name`, as people read it. */
export function describeId(id: ObjectId): string {
  return `${id.kind}${id.group ? `.${id.group}` : ''} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

/** The informational Helm values ConfigMap (`values`, `values-<revision>`): ignored on both sides. */
export function isIgnoredObject(obj: K8sObject): boolean {
  const id = objectId(obj);
  return id.group === '' && id.kind === 'ConfigMap' && /^values(-.+)?$/.test(id.name);
}

export function isCrd(obj: K8sObject): boolean {
  const id = objectId(obj);
  return id.group === 'apiextensions.k8s.io' && id.kind === 'CustomResourceDefinition';
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/**
 * One object as compared: installer labels dropped from every `metadata.labels` (the object's and
 * its pod template's), and ConfigMap data keys holding YAML/JSON parsed. Template strings inside a
 * parsed value (the injector's `templates`) stay strings. The input is not modified.
 */
export function normaliseObject(obj: K8sObject): Json {
  const copy = structuredClone(obj) as K8sObject;
  dropInstallerLabels(copy);
  const id = objectId(copy);
  if (id.group === '' && id.kind === 'ConfigMap' && isPlainObject(copy.data)) {
    const data = copy.data;
    for (const key of PARSED_DATA_KEYS) {
      const text = data[key];
      if (typeof text === 'string') data[key] = parseEmbedded(text);
    }
  }
  return copy;
}

/** A YAML or JSON string parsed; a string that is not valid YAML, or is a bare scalar, stays as it is. */
export function parseEmbedded(text: string): Json {
  try {
    const value = parse(text) as unknown;
    return isPlainObject(value) || Array.isArray(value) ? (value as Json) : text;
  } catch {
    return text;
  }
}

function dropInstallerLabels(node: Json): void {
  if (Array.isArray(node)) {
    for (const item of node) dropInstallerLabels(item);
    return;
  }
  if (!isPlainObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'metadata' && isPlainObject(value) && isPlainObject(value.labels)) {
      for (const label of INSTALLER_LABELS) delete value.labels[label];
    }
    dropInstallerLabels(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Leaves

/**
 * A leaf is a non-null scalar. null, {} and [] carry no value Kubernetes tells apart from an absent
 * field, so they are not leaves and never fail a comparison.
 */
export function countLeaves(value: Json | undefined): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countLeaves(v), 0);
  if (isPlainObject(value)) return Object.values(value).reduce((n: number, v) => n + countLeaves(v), 0);
  return value === null || value === undefined ? 0 : 1;
}

export interface LeafDiff {
  /** Where the leaf is, e.g. `spec.template.spec.containers[name=discovery].env[name=PILOT_X].value`. */
  path: string;
  expected: Scalar;
  /** What we have at that path; undefined when it is absent. */
  actual: Json | undefined;
  /** The shallowest path under which our side has nothing (or something of another shape); null when the leaf exists with another value. */
  missingAt: string | null;
}

export interface LeafComparison {
  leaves: number;
  matched: number;
  diffs: LeafDiff[];
}

/**
 * Every leaf of `ref` must be in `ours` with the same value and type; extra leaves of ours are allowed.
 * Lists whose items are all mappings with a unique scalar `name` are matched by name, others by position.
 * Both sides must already be normalised.
 */
export function compareValues(ref: Json, ours: Json | undefined): LeafComparison {
  const out: LeafComparison = { leaves: 0, matched: 0, diffs: [] };
  walk(ref, ours, '', null, out);
  return out;
}

/** compareValues after normaliseObject on both sides. */
export function compareObjects(ref: K8sObject, ours: K8sObject): LeafComparison {
  return compareValues(normaliseObject(ref), normaliseObject(ours));
}

/** The items of a list keyed by name, when every item is a mapping with a unique scalar name; else null. */
export function namedItems(list: readonly Json[]): Map<string, Json> | null {
  if (list.length === 0) return null;
  const out = new Map<string, Json>();
  for (const item of list) {
    if (!isPlainObject(item) || !isScalar(item.name)) return null;
    const key = String(item.name);
    if (out.has(key)) return null;
    out.set(key, item);
  }
  return out;
}

function walk(ref: Json, ours: Json | undefined, path: string, missingAt: string | null, out: LeafComparison): void {
  if (ref === null) return;
  if (Array.isArray(ref)) {
    const theirs = missingAt === null && Array.isArray(ours) ? ours : undefined;
    const gone = missingAt ?? (theirs === undefined ? path : null);
    const byName = namedItems(ref);
    if (byName) {
      for (const [name, item] of byName) {
        const mine = theirs?.find((x) => isPlainObject(x) && isScalar(x.name) && String(x.name) === name);
        walk(item, mine, `${path}[name=${segment(name)}]`, gone, out);
      }
    } else {
      ref.forEach((item, i) => walk(item, theirs?.[i], `${path}[${i}]`, gone, out));
    }
    return;
  }
  if (isPlainObject(ref)) {
    const theirs = missingAt === null && isPlainObject(ours) ? ours : undefined;
    const gone = missingAt ?? (theirs === undefined ? path : null);
    for (const [key, value] of Object.entries(ref)) {
      walk(value, theirs !== undefined && Object.hasOwn(theirs, key) ? theirs[key] : undefined, joinKey(path, key), gone, out);
    }
    return;
  }
  out.leaves++;
  if (missingAt !== null) out.diffs.push({ path, expected: ref, actual: undefined, missingAt });
  else if (ours === undefined) out.diffs.push({ path, expected: ref, actual: undefined, missingAt: path });
  else if (isDeepStrictEqual(ref, ours)) out.matched++;
  else out.diffs.push({ path, expected: ref, actual: ours, missingAt: null });
}

function joinKey(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

function segment(name: string): string {
  return /^[\w.:/@-]+$/.test(name) && !name.includes(']') ? name : JSON.stringify(name);
}

// ---------------------------------------------------------------------------------------------
// Pairing

export interface ObjectPair {
  id: ObjectId;
  ref: K8sObject;
  ours: K8sObject;
}

export interface Pairing {
  pairs: ObjectPair[];
  /** Reference objects we do not render. */
  missing: { id: ObjectId; ref: K8sObject }[];
  /** Reference objects the normalisation ignores (the values ConfigMap). */
  ignored: ObjectId[];
}

/** Pairs reference objects with ours by API group, kind, namespace and name. Duplicate ids on one side throw. */
export function pairObjects(refs: readonly K8sObject[], ours: readonly K8sObject[]): Pairing {
  const mine = indexObjects(ours, 'our objects');
  indexObjects(refs, 'reference objects');
  const out: Pairing = { pairs: [], missing: [], ignored: [] };
  for (const ref of refs) {
    const id = objectId(ref);
    if (isIgnoredObject(ref)) {
      out.ignored.push(id);
      continue;
    }
    const match = mine.get(idKey(id));
    if (match) out.pairs.push({ id, ref, ours: match });
    else out.missing.push({ id, ref });
  }
  return out;
}

function indexObjects(objects: readonly K8sObject[], what: string): Map<string, K8sObject> {
  const out = new Map<string, K8sObject>();
  for (const obj of objects) {
    const key = idKey(objectId(obj));
    if (out.has(key)) throw new FidelityError(`${what}: ${describeId(objectId(obj))} appears twice`);
    out.set(key, obj);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Deliberate deviations (docs/fidelity.md)

export interface Deviation {
  /** Scenario name or '*'. */
  scenario: string;
  /** Cluster name or '*'. */
  cluster: string;
  /** Kind or '*'. */
  kind: string;
  /** Object name; '*' matches any run of characters. */
  name: string;
  /** Leaf path (it and everything under it; '*' matches any run of characters), or null for the whole object. */
  path: string | null;
  reason: string;
}

const WHOLE_OBJECT = new Set(['', '*', 'whole object', '(whole object)']);

/**
 * The rows of the deviations table of docs/fidelity.md: the first Markdown table whose header is
 * `scenario | cluster | kind | name | path | reason`. Backticks around cells are removed; `\|` is a literal bar.
 */
export function parseDeviations(markdown: string): Deviation[] {
  const lines = markdown.split('\n');
  const cells = (line: string) =>
    line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|').replace(/^`(.*)`$/, '$1'));
  const start = lines.findIndex((l) => {
    const c = cells(l).map((x) => x.toLowerCase());
    return l.trim().startsWith('|') && c.length === 6 && c[0] === 'scenario' && c[1] === 'cluster' && c[2] === 'kind' && c[3] === 'name' && c[4]!.startsWith('path') && c[5] === 'reason';
  });
  if (start < 0) throw new FidelityError('docs/fidelity.md has no deviations table (| scenario | cluster | kind | name | path | reason |)');
  const out: Deviation[] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.trim().startsWith('|'); i++) {
    const c = cells(lines[i]!);
    if (c.length !== 6) throw new FidelityError(`docs/fidelity.md line ${i + 1}: a deviation row needs 6 cells, found ${c.length}`);
    const [scenario, cluster, kind, name, path, reason] = c as [string, string, string, string, string, string];
    if (!reason) throw new FidelityError(`docs/fidelity.md line ${i + 1}: a deviation needs a reason`);
    out.push({ scenario: scenario || '*', cluster: cluster || '*', kind: kind || '*', name: name || '*', path: WHOLE_OBJECT.has(path.toLowerCase()) ? null : path, reason });
  }
  return out;
}

export interface Where {
  scenario: string;
  cluster: string;
  id: ObjectId;
  /** A leaf path, or null when the whole object is missing. */
  path: string | null;
}

/** The first deviation that allows this difference. A missing object is allowed only by a whole-object row. */
export function findDeviation(deviations: readonly Deviation[], where: Where): Deviation | undefined {
  return deviations.find((d) => {
    if (d.scenario !== '*' && d.scenario !== where.scenario) return false;
    if (d.cluster !== '*' && d.cluster !== where.cluster) return false;
    if (d.kind !== '*' && d.kind !== where.id.kind) return false;
    if (!globRegExp(d.name, '$').test(where.id.name)) return false;
    if (d.path === null) return true;
    return where.path !== null && globRegExp(d.path, '(?:$|[.[])').test(where.path);
  });
}

function globRegExp(glob: string, tail: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}${tail}`);
}

// ---------------------------------------------------------------------------------------------
// One cluster

export interface ObjectDiff extends LeafDiff {
  id: ObjectId;
  deviation: Deviation | null;
}

export interface ClusterComparison {
  scenario: string;
  cluster: string;
  /** Reference objects (ignored ones excluded) and how many we render. */
  objects: { matched: number; total: number };
  leaves: { matched: number; total: number };
  missing: { id: ObjectId; leaves: number; deviation: Deviation | null }[];
  diffs: ObjectDiff[];
  ignored: ObjectId[];
  /** Deviations that allowed something here. */
  used: Set<Deviation>;
}

/**
 * Compares one cluster's objects with its reference. Leaves of a missing object count in the total,
 * so `leaves` is the share of the whole reference we reproduce.
 */
export function compareCluster(scenario: string, cluster: string, refs: readonly K8sObject[], ours: readonly K8sObject[], deviations: readonly Deviation[]): ClusterComparison {
  const pairing = pairObjects(refs, ours);
  const out: ClusterComparison = {
    scenario,
    cluster,
    objects: { matched: pairing.pairs.length, total: pairing.pairs.length + pairing.missing.length },
    leaves: { matched: 0, total: 0 },
    missing: [],
    diffs: [],
    ignored: pairing.ignored,
    used: new Set(),
  };
  const allow = (id: ObjectId, path: string | null) => {
    const d = findDeviation(deviations, { scenario, cluster, id, path }) ?? null;
    if (d) out.used.add(d);
    return d;
  };
  for (const { id, ref } of pairing.missing) {
    const leaves = countLeaves(normaliseObject(ref));
    out.leaves.total += leaves;
    out.missing.push({ id, leaves, deviation: allow(id, null) });
  }
  for (const { id, ref, ours: mine } of pairing.pairs) {
    const c = compareObjects(ref, mine);
    out.leaves.total += c.leaves;
    out.leaves.matched += c.matched;
    for (const d of c.diffs) out.diffs.push({ ...d, id, deviation: allow(id, d.path) });
  }
  for (const id of pairing.ignored) for (const d of deviations) if (findDeviation([d], { scenario, cluster, id, path: null })) out.used.add(d);
  return out;
}

/** Whether nothing differs except what a deviation allows. */
export function isFaithful(c: Pick<ClusterComparison, 'missing' | 'diffs'>): boolean {
  return c.missing.every((m) => m.deviation !== null) && c.diffs.every((d) => d.deviation !== null);
}

// ---------------------------------------------------------------------------------------------
// Our objects, as kustomize builds them from an OutputTree

const KUSTOMIZATION = 'kustomization.yaml';
const KNOWN_KUSTOMIZATION_KEYS = new Set(['apiVersion', 'kind', 'resources']);

/** The clusters of a tree: every clusters/<name>/kustomization.yaml. */
export function clustersOf(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const path of files.keys()) {
    const m = /^clusters\/([^/]+)\/kustomization\.yaml$/.exec(path);
    if (m) out.push(m[1]!);
  }
  return out.sort();
}

/**
 * The resource files `kubectl kustomize <dir>` reads, in order: `resources` entries followed recursively,
 * each a file or a directory with a kustomization.yaml, relative to the kustomization (possibly ../ into shared/).
 * Anything kustomize would transform (patches, namespace, generators...) is refused, since the measurement would differ.
 */
export function resolveKustomization(files: ReadonlyMap<string, string>, dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string, chain: readonly string[]) => {
    const kpath = d === '' ? KUSTOMIZATION : `${d}/${KUSTOMIZATION}`;
    if (chain.includes(d)) throw new FidelityError(`${kpath}: kustomization cycle through ${[...chain, d].join(' -> ')}`);
    const text = files.get(kpath);
    if (text === undefined) throw new FidelityError(`${d || '.'}: no kustomization.yaml in the tree`);
    const doc = parse(text) as unknown;
    if (!isPlainObject(doc)) throw new FidelityError(`${kpath}: not a mapping`);
    for (const key of Object.keys(doc)) {
      if (!KNOWN_KUSTOMIZATION_KEYS.has(key)) throw new FidelityError(`${kpath}: the fidelity harness does not apply "${key}"; teach resolveKustomization what kustomize does with it`);
    }
    const resources = doc.resources ?? [];
    if (!Array.isArray(resources)) throw new FidelityError(`${kpath}: resources is not a list`);
    for (const entry of resources) {
      if (typeof entry !== 'string') throw new FidelityError(`${kpath}: a resource entry is not a string`);
      if (/^[a-z]+:\/\//.test(entry) || posix.isAbsolute(entry)) throw new FidelityError(`${kpath}: resource ${entry} is outside the tree`);
      const target = posix.normalize(posix.join(d, entry)).replace(/\/$/, '');
      if (target === '..' || target.startsWith('../')) throw new FidelityError(`${kpath}: resource ${entry} leaves the mesh tree`);
      const resolved = target === '.' ? '' : target;
      if (files.has(resolved) && resolved !== '') out.push(resolved);
      else if (files.has(resolved === '' ? KUSTOMIZATION : `${resolved}/${KUSTOMIZATION}`)) visit(resolved, [...chain, d]);
      else throw new FidelityError(`${kpath}: resource ${entry} (${resolved || '.'}) is neither a file nor a directory with a kustomization.yaml`);
    }
  };
  visit(dir.replace(/\/$/, ''), []);
  return out;
}

export interface OurObject {
  object: K8sObject;
  /** Tree path of the file it comes from. */
  file: string;
}

/** Every object of clusters/<cluster>/ as kustomize would build it; the same object twice throws (kustomize refuses it). */
export function clusterObjects(files: ReadonlyMap<string, string>, cluster: string): OurObject[] {
  const out: OurObject[] = [];
  const seen = new Map<string, string>();
  for (const file of resolveKustomization(files, `clusters/${cluster}`)) {
    for (const object of parseObjects(files.get(file)!, file)) {
      const key = idKey(objectId(object));
      const other = seen.get(key);
      if (other !== undefined) throw new FidelityError(`clusters/${cluster}: ${describeId(objectId(object))} is in both ${other} and ${file}`);
      seen.set(key, file);
      out.push({ object, file });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// RBAC: every binding names a rendered role

/** ClusterRoles every Kubernetes cluster has: a binding may name them without rendering them. */
export const BUILT_IN_CLUSTER_ROLES: readonly string[] = ['cluster-admin', 'admin', 'edit', 'view'];

/**
 * Bindings whose roleRef names no rendered role: a ClusterRoleBinding must name a ClusterRole of
 * `objects` (or a built-in one: system:* and BUILT_IN_CLUSTER_ROLES); a RoleBinding a Role of its
 * namespace or a ClusterRole. (Upstream's own check in the operator tests never matches anything.)
 */
export function danglingRoleRefs(objects: readonly K8sObject[]): string[] {
  const ids = objects.map(objectId).filter((id) => id.group === 'rbac.authorization.k8s.io');
  const clusterRoles = new Set(ids.filter((id) => id.kind === 'ClusterRole').map((id) => id.name));
  const roles = new Set(ids.filter((id) => id.kind === 'Role').map((id) => `${id.namespace}/${id.name}`));
  const builtIn = (name: string) => name.startsWith('system:') || BUILT_IN_CLUSTER_ROLES.includes(name);
  const out: string[] = [];
  for (const obj of objects) {
    const id = objectId(obj);
    if (id.group !== 'rbac.authorization.k8s.io' || (id.kind !== 'ClusterRoleBinding' && id.kind !== 'RoleBinding')) continue;
    const ref = isPlainObject(obj.roleRef) ? obj.roleRef : {};
    const kind = String(ref.kind ?? '');
    const name = String(ref.name ?? '');
    let ok: boolean;
    if (ref.apiGroup !== 'rbac.authorization.k8s.io') ok = false;
    else if (kind === 'ClusterRole') ok = clusterRoles.has(name) || builtIn(name);
    else if (kind === 'Role' && id.kind === 'RoleBinding') ok = roles.has(`${id.namespace}/${name}`);
    else ok = false;
    if (!ok) out.push(`${describeId(id)}: roleRef ${kind || '?'} ${JSON.stringify(name)} is not rendered`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function isPlainObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
