/**
 * The template catalog: templates/<component>/component.yaml describes a component;
 * templates/<component>/*.yaml.hbs are its templates for every Istio minor, and
 * templates/<component>/<minor>/*.yaml.hbs replace a same-named template for that minor only.
 * templates/_partials/*.hbs are partials, named after their file. Everything is read and compiled once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { PlanError } from '../errors.ts';
import { compileTemplate, registerPartial, type CompiledTemplate } from './engine.ts';
import { lintTemplate } from './lint.ts';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export interface ComponentInfo {
  name: string;
  description: string;
}

export interface TemplateRef {
  /** Project-relative path, e.g. templates/namespace/namespace.yaml.hbs, shown in `# Source:` lines. */
  source: string;
  render: CompiledTemplate;
}

export interface TemplateCatalog {
  components: ReadonlyMap<string, ComponentInfo>;
  /** The templates of a component for an Istio minor (null: minor-independent), sorted by file name. */
  templatesFor(component: string, minor: string | null): TemplateRef[];
}

let cached: TemplateCatalog | undefined;

/**
 * The templates under `dir`, linted (lint.ts) and compiled. `lint: false` is for the render worker
 * (stages/stream-worker.ts), which loads the templates the main thread has just linted.
 */
export function loadCatalog(dir: string = TEMPLATES_DIR, options: { lint?: boolean } = {}): TemplateCatalog {
  if (dir === TEMPLATES_DIR && cached) return cached;
  const catalog = readCatalog(dir, options.lint ?? true);
  if (dir === TEMPLATES_DIR) cached = catalog;
  return catalog;
}

function readCatalog(dir: string, lint: boolean): TemplateCatalog {
  const partialsDir = join(dir, '_partials');
  if (existsSync(partialsDir)) {
    for (const f of readdirSync(partialsDir).sort()) {
      if (f.endsWith('.hbs')) registerPartial(f.replace(/\.(yaml\.)?hbs$/, ''), readFileSync(join(partialsDir, f), 'utf8'));
    }
  }
  const components = new Map<string, ComponentInfo>();
  // component → minor ('' for all) → file name → template
  const templates = new Map<string, Map<string, Map<string, TemplateRef>>>();
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('_') || name.startsWith('.')) continue;
    const cdir = join(dir, name);
    const infoFile = join(cdir, 'component.yaml');
    if (!existsSync(infoFile)) continue;
    const info = parse(readFileSync(infoFile, 'utf8')) as { description?: string };
    components.set(name, { name, description: info.description ?? '' });
    const byMinor = new Map<string, Map<string, TemplateRef>>();
    templates.set(name, byMinor);
    for (const entry of readdirSync(cdir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.isDirectory() && /^\d+\.\d+$/.test(entry.name)) {
        byMinor.set(entry.name, readTemplates(join(cdir, entry.name), `templates/${name}/${entry.name}`, lint));
      }
    }
    byMinor.set('', readTemplates(cdir, `templates/${name}`, lint));
  }
  return {
    components,
    templatesFor(component, minor) {
      const byMinor = templates.get(component);
      if (!byMinor) throw new PlanError(`no templates for component ${component} in templates/`);
      const merged = new Map(byMinor.get('') ?? []);
      if (minor !== null) for (const [f, t] of byMinor.get(minor) ?? []) merged.set(f, t);
      return [...merged.keys()].sort().map((f) => merged.get(f)!);
    },
  };
}

function readTemplates(dir: string, sourcePrefix: string, lint: boolean): Map<string, TemplateRef> {
  const out = new Map<string, TemplateRef>();
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.yaml.hbs')) continue;
    const source = `${sourcePrefix}/${f}`;
    const text = readFileSync(join(dir, f), 'utf8');
    const findings = lint ? lintTemplate(text) : [];
    if (findings.length > 0) {
      const first = findings[0]!;
      throw new PlanError(`${source}:${first.line}:${first.col}: ${first.message}`, findings.map((x) => ({ file: source, pos: { line: x.line, col: x.col }, severity: 'error' as const, message: x.message })));
    }
    out.set(f, { source, render: compileTemplate(text) });
  }
  return out;
}
