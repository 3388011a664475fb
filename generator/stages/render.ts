/**
 * render: RenderUnit[] (and release documents) → RenderedFile[].
 * Expands each unit's templates with its context, splits the output into YAML documents, parses
 * each back and serialises it canonically. A document that does not parse, or lacks apiVersion,
 * kind or metadata.name, fails the render naming the template and the line of its output.
 */
import { CORE_SCHEMA, load } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import { TemplateError } from '../errors.ts';
import type { RenderedFile } from '../types.ts';
import { canonicalYaml, isPlainObject } from '../yaml/canonical.ts';
import type { RenderUnit } from './plan.ts';
import type { SharedDocuments } from '../components/crds.ts';

/** Renders units and splits release documents; every template problem is reported at once. */
export function renderAll(units: readonly RenderUnit[], shared: readonly SharedDocuments[] = []): RenderedFile[] {
  const out: RenderedFile[] = [];
  const problems: Diagnostic[] = [];
  for (const unit of units) {
    try {
      out.push(...renderUnit(unit));
    } catch (e) {
      if (e instanceof TemplateError) problems.push(...e.diagnostics);
      else throw e;
    }
  }
  for (const doc of shared) {
    try {
      out.push(...parseShared(doc.text, doc.source, doc.dir));
    } catch (e) {
      if (e instanceof TemplateError) problems.push(...e.diagnostics);
      else throw e;
    }
  }
  if (problems.length > 0) throw new TemplateError('templates failed to render', problems);
  return out;
}

export function renderUnit(unit: RenderUnit): RenderedFile[] {
  const out: RenderedFile[] = [];
  for (const template of unit.templates) {
    let text: string;
    try {
      text = template.render(unit.context);
    } catch (e) {
      throw templateError(template.source, undefined, `${(e as Error).message} (rendering ${unit.dir})`);
    }
    out.push(...parseRendered(text, template.source, unit.dir));
  }
  return out;
}

// Release documents (the CRDs, ~870 KB per version) are written verbatim, document by document:
// their bytes are upstream data, and only each document's header is parsed to name its file.
// The same text gives the same files for every render of a process, so they are cached.
const sharedCache = new Map<string, { text: string; files: RenderedFile[] }>();

function parseShared(text: string, source: string, dir: string): RenderedFile[] {
  const key = `${source}\u0000${dir}`;
  const hit = sharedCache.get(key);
  if (hit && hit.text === text) return hit.files;
  const files = splitVerbatim(text, source, dir);
  sharedCache.set(key, { text, files });
  return files;
}

/** Splits a multi-document YAML text into one file per object, keeping each document's bytes. */
export function splitVerbatim(text: string, source: string, dir: string): RenderedFile[] {
  const out: RenderedFile[] = [];
  for (const raw of text.split(/^---[ \t]*$/m)) {
    const body = raw.replace(/^(\s*#[^\n]*\n|\s*\n)+/, '').replace(/\s+$/, '');
    if (body === '') continue;
    // The header (everything before the first top-level spec/status/data key) names the object.
    const header = body.split(/^(?=(?:spec|status|data|stringData|webhooks|rules):)/m)[0]!;
    const head = toFile(parseHeader(header, source, dir), source, dir);
    out.push({ ...head, content: `# Source: ${source}\n${body}\n` });
  }
  return out;
}

function parseHeader(header: string, source: string, dir: string): unknown {
  const docs = parseAllDocuments(header);
  const doc = Array.isArray(docs) ? docs[0] : docs;
  if (!doc || doc.errors.length > 0) throw templateError(source, undefined, `a document does not parse (in ${dir})`);
  return doc.toJS();
}

// Parsing and re-serialising dominate rendering time, and many objects come out byte-identical for
// many clusters (the RBAC of every remote, for one): the canonical form of a document is cached by
// its text, within a memory bound.
const canonicalCache = new Map<string, { head: ObjectHead; yaml: string }>();
let cachedBytes = 0;
// A small bound keeps the hits (86% of documents in a 1,000-cluster fleet at 1, 4 or 24 MiB: the
// repeated documents recur in every cluster) without filling the heap with documents seen once.
const CACHE_LIMIT_BYTES = 4 * 1024 * 1024;

/** Parses the text a template produced into canonical files; exported for objects that do not come from Handlebars. */
export function parseRendered(text: string, source: string, dir: string): RenderedFile[] {
  const out: RenderedFile[] = [];
  let line = 1;
  for (const piece of text.split(/^---[ \t]*$/m)) {
    const startLine = line;
    line += piece.split('\n').length - 1;
    if (piece.trim() === '') continue;
    let hit = canonicalCache.get(piece);
    if (!hit) {
      let value: unknown;
      try {
        value = load(piece, { schema: CORE_SCHEMA });
      } catch (e) {
        const mark = (e as { mark?: { line: number } }).mark;
        const at = mark ? startLine + mark.line : undefined;
        const snippet = at ? ` near output line ${at}: ${JSON.stringify(text.split('\n')[at - 1] ?? '')}` : '';
        throw templateError(source, undefined, `rendered YAML does not parse: ${String((e as { reason?: string }).reason ?? (e as Error).message).split('\n')[0]}${snippet} (in ${dir})`);
      }
      if (value === null || value === undefined) continue;
      checkObject(value, source, dir, startLine);
      // Keep only the identity and the bytes: parsed objects take several times their text in memory.
      hit = { head: headOf(value), yaml: canonicalYaml(value) };
      if (cachedBytes > CACHE_LIMIT_BYTES) {
        canonicalCache.clear();
        cachedBytes = 0;
      }
      canonicalCache.set(piece, hit);
      cachedBytes += piece.length + hit.yaml.length;
    }
    out.push(fileOf(hit.head, source, dir, hit.yaml));
  }
  return out;
}

function checkObject(value: unknown, source: string, dir: string, line: number): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) throw templateError(source, undefined, `output line ${line}: a document is not a mapping (in ${dir})`);
  const meta = value.metadata;
  const name = isPlainObject(meta) ? meta.name : undefined;
  const missing = [
    typeof value.apiVersion !== 'string' ? 'apiVersion' : null,
    typeof value.kind !== 'string' ? 'kind' : null,
    typeof name !== 'string' || name === '' ? 'metadata.name' : null,
  ].filter(Boolean);
  if (missing.length > 0) throw templateError(source, undefined, `output line ${line}: the object has no ${missing.join(', ')} (in ${dir})`);
}

interface ObjectHead {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | null;
}

function headOf(value: Record<string, unknown>): ObjectHead {
  const meta = value.metadata as Record<string, unknown>;
  return {
    apiVersion: value.apiVersion as string,
    kind: value.kind as string,
    name: meta.name as string,
    namespace: typeof meta.namespace === 'string' ? meta.namespace : null,
  };
}

function fileOf(head: ObjectHead, source: string, dir: string, yaml: string): RenderedFile {
  return { dir, source, ...head, content: `# Source: ${source}\n${yaml}` };
}

/** Checks a parsed object and makes its canonical file (used for upstream document headers too). */
export function toFile(value: unknown, source: string, dir: string): RenderedFile {
  checkObject(value, source, dir, 1);
  return fileOf(headOf(value), source, dir, canonicalYaml(value));
}

function templateError(source: string, pos: { line: number; col: number } | undefined, message: string): TemplateError {
  return new TemplateError(`${source}: ${message}`, [{ file: source, severity: 'error', message, ...(pos ? { pos } : {}) }]);
}
