// Runs side by side: one row per run with its mixture, whether it was decontaminated, how far it trained,
// its final losses and every task's score, the best value of each column marked — the shape of HARE's
// ablation table. The page's Runs view and `npm run compare` both print this.
import { describeMixture, describeParts } from './recipe';
import type { Curve, RunRecord } from './run-record';

export interface CompareColumn {
  title: string;
  /** Higher is better (scores) or lower (losses); undefined for columns that are not compared. */
  better?: 'higher' | 'lower';
}

export interface CompareTable {
  columns: CompareColumn[];
  /** Cell text per row, and for compared columns the value used to pick the best (NaN when absent). */
  rows: { run: RunRecord; cells: string[]; values: number[] }[];
  /** Per column, the row index of the best value (-1 when not compared or fewer than two values). */
  best: number[];
  /** The latest step every run has a validation loss for, with each run's loss there (a fair comparison). */
  commonValStep: number | null;
}

function last(curve: Curve): number | null {
  for (let i = curve.length - 1; i >= 0; i--) if (curve[i][1] !== null) return curve[i][1];
  return null;
}

/** The loss at `step`, or the last point before it. */
function lossAt(curve: Curve, step: number): number | null {
  let v: number | null = null;
  for (const [s, l] of curve) { if (s > step) break; if (l !== null) v = l; }
  return v;
}

const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));

export function compareRuns(runs: readonly RunRecord[]): CompareTable {
  const tasks = [...new Set(runs.flatMap((r) => Object.keys(r.scores)))].sort();
  const valSteps = runs.map((r) => r.curves.val.map(([s]) => s));
  const common = runs.length > 0 && valSteps.every((s) => s.length > 0)
    ? Math.min(...valSteps.map((s) => s[s.length - 1])) : null;
  const columns: CompareColumn[] = [
    { title: 'run' }, { title: 'mixture' }, { title: 'parts' }, { title: 'decontaminated' }, { title: 'steps' }, { title: 'tokens' },
    { title: 'train loss', better: 'lower' }, { title: 'val loss', better: 'lower' },
    ...(common !== null ? [{ title: `val loss @${common}`, better: 'lower' as const }] : []),
    ...tasks.map((t) => ({ title: t, better: 'higher' as const })),
  ];
  const rows = runs.map((run) => {
    const cells = [
      run.name,
      describeMixture(run.recipe),
      describeParts(run.recipe),
      run.recipe ? (run.recipe.decontaminatedAgainst.length ? `yes (${run.recipe.decontaminatedAgainst.length} files)` : 'no') : '?',
      String(run.step),
      run.tokensSeen.toLocaleString('en-US'),
    ];
    const values = cells.map(() => NaN);
    const push = (v: number | null | undefined, text = fmt(v)) => { cells.push(text); values.push(v ?? NaN); };
    push(last(run.curves.train));
    push(last(run.curves.val));
    if (common !== null) push(lossAt(run.curves.val, common));
    for (const t of tasks) {
      const s = run.scores[t];
      // acc_norm where the task has it (what the Leaderboard reports for ARC and HellaSwag), else acc.
      const v = s ? (s.acc_norm ?? s.acc) : undefined;
      const se = s ? (s.acc_norm !== undefined ? s.acc_norm_stderr : s.acc_stderr) : undefined;
      push(v, s ? `${fmt(v)} ± ${fmt(se)}${s.acc_norm !== undefined ? ' (norm)' : ''} n=${s.n}` : '—');
    }
    return { run, cells, values };
  });
  const best = columns.map((c, k) => {
    if (!c.better) return -1;
    let at = -1;
    let count = 0;
    rows.forEach((r, i) => {
      const v = r.values[k];
      if (!Number.isFinite(v)) return;
      count++;
      if (at < 0 || (c.better === 'higher' ? v > rows[at].values[k] : v < rows[at].values[k])) at = i;
    });
    return count >= 2 ? at : -1;
  });
  return { columns, rows, best, commonValStep: common };
}

/** A Markdown table, the best value of each compared column in bold. */
export function formatCompareTable(t: CompareTable): string {
  const head = `| ${t.columns.map((c) => c.title).join(' | ')} |`;
  const rule = `|${t.columns.map(() => '---').join('|')}|`;
  const body = t.rows.map((r, i) => `| ${r.cells.map((c, k) => (t.best[k] === i ? `**${c}**` : c)).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}
