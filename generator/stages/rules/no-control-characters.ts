import type { Diagnostic } from '../../diagnostics.ts';
import { displayPath, type PathSegment } from '../../yaml/positions.ts';
import type { MeshRule } from './rule.ts';

/**
 * C0 controls other than tab, LF and CR; DEL; C1 controls. Kubernetes tooling and YAML 1.1 readers
 * reject them even escaped, and they hide text on a terminal. load.ts refuses them in the file's bytes.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** The ID under which load.ts reports raw control characters, so both halves of the rule share it. */
export const NO_CONTROL_CHARACTERS_ID = 'MR011';

/** "U+0007" for the first control character of a string, or null. */
export function firstControlCharacter(text: string): string | null {
  const m = new RegExp(CONTROL_CHARACTERS.source).exec(text);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
}

export const noControlCharacters: MeshRule = {
  id: NO_CONTROL_CHARACTERS_ID,
  name: 'no-control-characters',
  explain:
    'No key or value contains a C0 or C1 control character (U+0000-U+001F other than tab, LF and CR, U+007F-U+009F), neither typed into the file nor written as an escape such as "\\x07" or "\\u0085": they would reach rendered objects, which Kubernetes tooling refuses, and they can hide text from a reviewer.',
  check(ctx) {
    const out: Diagnostic[] = [];
    const visit = (value: unknown, path: PathSegment[]): void => {
      if (typeof value === 'string') {
        const code = firstControlCharacter(value);
        if (code) out.push(ctx.error(path, `${displayPath(path)} contains the control character ${code} (written as an escape); remove it`));
      } else if (Array.isArray(value)) {
        value.forEach((v, i) => visit(v, [...path, i]));
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          const code = firstControlCharacter(k);
          if (code) out.push(ctx.errorAtKey([...path, k], `a key in ${displayPath(path)} contains the control character ${code} (written as an escape); remove it`));
          visit(v, [...path, k]);
        }
      }
    };
    visit(ctx.written.loaded.data, []);
    return out;
  },
};
