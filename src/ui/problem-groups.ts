// Input problems grouped for reading: one line per file, kind and message with how many times it happened and
// where, instead of 63 identical "missing-field" lines. Exact counts come from the report's per-file tally
// (problems.files); the listed examples (capped) give the messages and the first lines.
import type { FileProblems } from '../data/problem-tally';
import type { InputProblem, ProblemKind } from '../data/read/problems';

export interface ProblemGroup {
  file: string;
  kind: ProblemKind;
  message: string;
  /** How many problems of this kind the file had (exact), or of this message among the listed ones. */
  count: number;
  /** The first few lines or rows where it happened. */
  lines: number[];
}

const LINES_SHOWN = 5;

/** Groups `list` by file, kind and message; `files` (when given) makes each kind's count exact. */
export function groupProblems(list: readonly InputProblem[], files?: readonly FileProblems[]): ProblemGroup[] {
  const groups = new Map<string, ProblemGroup>();
  for (const p of list) {
    const key = `${p.file}\u0000${p.kind}\u0000${p.message}`;
    let g = groups.get(key);
    if (!g) { g = { file: p.file, kind: p.kind, message: p.message, count: 0, lines: [] }; groups.set(key, g); }
    g.count++;
    if (p.line && g.lines.length < LINES_SHOWN) g.lines.push(p.line);
  }
  const out = [...groups.values()];
  // A kind with a single message in a file gets the file's exact count (the list stops at its cap).
  for (const f of files ?? []) {
    for (const [kind, n] of Object.entries(f.counts) as [ProblemKind, number][]) {
      const same = out.filter((g) => g.file === f.file && g.kind === kind);
      if (same.length === 1) same[0].count = n;
      else if (same.length === 0) out.push({ file: f.file, kind, message: 'not listed (the report lists the first ones only)', count: n, lines: [] });
    }
  }
  return out;
}

/** "missing-field ×63: no string field "text" (rows 1, 2, 3, 4, 5, …)". */
export function describeGroup(g: ProblemGroup, withFile: boolean): string {
  const where = g.lines.length ? ` (line${g.lines.length > 1 ? 's' : ''} ${g.lines.join(', ')}${g.count > g.lines.length ? ', …' : ''})` : '';
  return `${withFile ? `${g.file} ` : ''}${g.kind}${g.count > 1 ? ` ×${g.count}` : ''}: ${g.message}${where}`;
}
