/**
 * One isolated Handlebars instance for meshrender: strict (missing keys throw), no HTML escaping
 * (values are made safe by the helpers instead), known helpers only. Templates are compiled once.
 */
import Handlebars from 'handlebars';
import { HELPERS } from './helpers.ts';

export type CompiledTemplate = (context: unknown) => string;

const instance = Handlebars.create();
for (const [name, fn] of Object.entries(HELPERS)) instance.registerHelper(name, fn as Handlebars.HelperDelegate);

// Strict mode does not check the arguments of block helpers, so a misspelt key in {{#if x}} or
// {{#each x}} would silently render nothing. Wrap the built-ins to refuse undefined.
for (const name of ['if', 'unless', 'each', 'with']) {
  const builtin = instance.helpers[name] as (this: unknown, ...args: unknown[]) => unknown;
  instance.registerHelper(name, function (this: unknown, ...args: unknown[]) {
    if (args.length < 2 || args[0] === undefined) {
      throw new Error(`{{#${name}}} got an undefined value: the template names a key the context does not have`);
    }
    return builtin.apply(this, args);
  });
}

const KNOWN_HELPERS = Object.fromEntries(Object.keys(HELPERS).map((h) => [h, true])) as Record<string, true>;

export function compileTemplate(source: string): CompiledTemplate {
  const fn = instance.compile(source, {
    strict: true,
    noEscape: true,
    knownHelpers: KNOWN_HELPERS,
    knownHelpersOnly: true,
    preventIndent: false,
  });
  return (context) => fn(context, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
}

export function registerPartial(name: string, source: string): void {
  instance.registerPartial(name, source);
}
