// Compiling a task template, and refusing one that cannot work: a Jinja syntax error, or a variable the
// layout does not provide (Jinja renders an unknown name as nothing, so a typo such as {{ questoin }}
// would silently drop the question from every sample).
import { Template } from '@huggingface/jinja';

/** Names a template may use without defining them: Jinja's loop object and the few globals it has. */
const GLOBALS = new Set(['loop', 'range', 'namespace', 'true', 'false', 'none', 'True', 'False', 'None', 'row']);

type Node = Record<string, unknown>;

/** Identifiers a parsed template reads, and those it defines itself (for loop variables, set targets). */
function identifiers(node: unknown, used: Set<string>, defined: Set<string>): void {
  if (Array.isArray(node)) { for (const n of node) identifiers(n, used, defined); return; }
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  if (n.type === 'Identifier' && typeof n.value === 'string') { used.add(n.value); return; }
  for (const [key, child] of Object.entries(n)) {
    if (key === 'loopvar' || key === 'assignee') { identifiers(child, defined, defined); continue; }
    // Names that are not variables: filters and tests, attribute names (x.y), keyword argument names.
    if (key === 'filter' || key === 'test') {
      const c = child as Node;
      if (c?.type === 'CallExpression') identifiers(c.args, used, defined);
      continue;
    }
    if (key === 'property' && n.type === 'MemberExpression' && !n.computed) continue;
    if (key === 'key' && n.type === 'KeywordArgumentExpression') continue;
    if (key === 'name' && n.type === 'Macro') { identifiers(child, defined, defined); continue; }
    if (key === 'args' && n.type === 'Macro') { identifiers(child, defined, defined); continue; }
    identifiers(child, used, defined);
  }
}

/** The compiled template, or a message saying what is wrong with it. */
export function compileTemplate(source: string, variables: readonly string[]): Template | { error: string } {
  let t: Template;
  try {
    t = new Template(source);
  } catch (e) {
    // The parser's own messages are sometimes internal ("Cannot read properties of undefined"); say what it was.
    return { error: `Jinja syntax error (${(e as Error).message})` };
  }
  const used = new Set<string>();
  const defined = new Set<string>();
  identifiers(t.parsed, used, defined);
  const known = new Set(variables);
  const unknown = [...used].filter((v) => !known.has(v) && !defined.has(v) && !GLOBALS.has(v));
  if (unknown.length > 0) return { error: `unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (this layout has ${variables.join(', ')}, and row)` };
  return t;
}
