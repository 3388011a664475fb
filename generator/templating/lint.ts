/**
 * Template lint: every {{...}} in a template either calls a value helper (str, quote, int, bool,
 * json, yaml) or is a block (if/unless/each/with) or a partial. A bare {{x}} or a triple-stash
 * {{{x}}} would paste a topology value into YAML unescaped, so the lint rejects it.
 */
import Handlebars from 'handlebars';
import { BLOCK_HELPERS, CONDITION_HELPERS, VALUE_HELPERS } from './helpers.ts';

export interface LintFinding {
  line: number;
  col: number;
  message: string;
}

type Node = hbs.AST.Node & { type: string; loc: hbs.AST.SourceLocation };

export function lintTemplate(source: string): LintFinding[] {
  const findings: LintFinding[] = [];
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (e) {
    const m = /line (\d+)/.exec((e as Error).message);
    return [{ line: m ? Number(m[1]) : 1, col: 1, message: `does not parse: ${(e as Error).message.split('\n')[0]}` }];
  }
  walk(ast as unknown as Node, findings);
  return findings;
}

function walk(node: Node, findings: LintFinding[]): void {
  const at = (n: Node) => ({ line: n.loc.start.line, col: n.loc.start.column + 1 });
  switch (node.type) {
    case 'Program':
      for (const s of (node as unknown as hbs.AST.Program).body) walk(s as Node, findings);
      return;
    case 'MustacheStatement': {
      const m = node as unknown as hbs.AST.MustacheStatement & Node;
      const name = (m.path as hbs.AST.PathExpression).original;
      if (!m.escaped) findings.push({ ...at(node), message: `{{{${name}}}} is not allowed: emit values with a helper such as {{str ${name}}}` });
      else if (!VALUE_HELPERS.has(name) || m.params.length === 0)
        findings.push({ ...at(node), message: `{{${name}${m.params.length ? ' …' : ''}}} is not allowed: emit values with {{str x}}, {{quote x}}, {{int x}}, {{bool x}}, {{json x}} or {{yaml x N}}` });
      for (const p of m.params) checkExpression(p as Node, findings);
      return;
    }
    case 'BlockStatement': {
      const b = node as unknown as hbs.AST.BlockStatement & Node;
      const name = (b.path as hbs.AST.PathExpression).original;
      if (!BLOCK_HELPERS.has(name)) findings.push({ ...at(node), message: `unknown block {{#${name}}}: use if, unless, each or with` });
      for (const p of b.params) checkExpression(p as Node, findings);
      if (b.program) walk(b.program as unknown as Node, findings);
      if (b.inverse) walk(b.inverse as unknown as Node, findings);
      return;
    }
    case 'PartialStatement':
    case 'ContentStatement':
    case 'CommentStatement':
      return;
    default:
      findings.push({ ...at(node), message: `${node.type} is not allowed in templates` });
  }
}

function checkExpression(node: Node, findings: LintFinding[]): void {
  if (node.type !== 'SubExpression') return;
  const s = node as unknown as hbs.AST.SubExpression & Node;
  const name = (s.path as hbs.AST.PathExpression).original;
  if (!CONDITION_HELPERS.has(name)) findings.push({ line: node.loc.start.line, col: node.loc.start.column + 1, message: `unknown helper (${name} …): use eq, ne, and, or or not` });
  for (const p of s.params) checkExpression(p as Node, findings);
}
