/**
 * render: RenderPlan → RenderedFile[].
 * Expands each unit's templates with its context, splits the output into YAML documents, parses
 * each back and serialises it canonically. A document that does not parse, or lacks apiVersion,
 * kind or metadata.name, fails the render naming the template and the line of its output.
 */
import { parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import { TemplateError } from '../errors.ts';
import type { RenderedFile } from '../types.ts';
import { canonicalYaml, isPlainObject } from '../yaml/canonical.ts';
import type { RenderPlan, RenderUnit } from './plan.ts';

export function renderTemplates(plan: RenderPlan): RenderedFile[] {
  const out: RenderedFile[] = [];
  const problems: Diagnostic[] = [];
  for (const unit of plan.units) {
    try {
      out.push(...renderUnit(unit));
    } catch (e) {
      if (e instanceof TemplateError) problems.push(...e.diagnostics);
      else throw e;
    }
  }
  for (const doc of plan.shared) {
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

/** Parses the text a template produced into canonical files; exported for objects that do not come from Handlebars. */
export function parseRendered(text: string, source: string, dir: string): RenderedFile[] {
  const out: RenderedFile[] = [];
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0]!;
      const line = err.linePos?.[0]?.line;
      const snippet = line ? ` near output line ${line}: ${JSON.stringify(text.split('\n')[line - 1] ?? '')}` : '';
      throw templateError(source, undefined, `rendered YAML does not parse: ${err.message.split('\n')[0]}${snippet} (in ${dir})`);
    }
    const value = doc.toJS({ maxAliasCount: -1 });
    if (value === null || value === undefined) continue;
    out.push(toFile(value, source, dir, doc.range[0], text));
  }
  return out;
}

export function toFile(value: unknown, source: string, dir: string, offset = 0, text = ''): RenderedFile {
  const line = text.slice(0, offset).split('\n').length;
  if (!isPlainObject(value)) throw templateError(source, undefined, `output line ${line}: a document is not a mapping (in ${dir})`);
  const meta = value.metadata;
  const name = isPlainObject(meta) ? meta.name : undefined;
  const missing = [
    typeof value.apiVersion !== 'string' ? 'apiVersion' : null,
    typeof value.kind !== 'string' ? 'kind' : null,
    typeof name !== 'string' || name === '' ? 'metadata.name' : null,
  ].filter(Boolean);
  if (missing.length > 0) throw templateError(source, undefined, `output line ${line}: the object has no ${missing.join(', ')} (in ${dir})`);
  const namespace = isPlainObject(meta) && typeof meta.namespace === 'string' ? meta.namespace : null;
  return {
    dir,
    source,
    apiVersion: value.apiVersion as string,
    kind: value.kind as string,
    name: name as string,
    namespace,
    content: `# Source: ${source}\n${canonicalYaml(value)}`,
  };
}

function templateError(source: string, pos: { line: number; col: number } | undefined, message: string): TemplateError {
  return new TemplateError(`${source}: ${message}`, [{ file: source, severity: 'error', message, ...(pos ? { pos } : {}) }]);
}
