// The results of a benchmark run in two shapes: the --out JSON (every task's scores and every document's
// requests with their log-likelihoods, so each number can be checked by hand) and the printed table.
import type { Sample, TaskResult, TaskScores } from './evaluate';

export interface EvalReport {
  tasks: Record<string, TaskScores>;
  samples: Record<string, Sample[]>;
}

export function evalReport(results: ReadonlyMap<string, TaskResult>): EvalReport {
  const report: EvalReport = { tasks: {}, samples: {} };
  for (const [name, r] of results) {
    report.tasks[name] = r.scores;
    report.samples[name] = r.samples;
  }
  return report;
}

const num = (x: number | null): string => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(4));

/** task, n, acc, acc_norm and their standard errors, one row per task, columns aligned. */
export function scoresTable(tasks: Readonly<Record<string, TaskScores>>): string {
  const rows = [['task', 'n', 'acc', 'acc_stderr', 'acc_norm', 'acc_norm_stderr']];
  for (const [name, s] of Object.entries(tasks)) {
    rows.push([name, String(s.n), num(s.acc), num(s.acc_stderr), num(s.acc_norm), num(s.acc_norm_stderr)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ')).join('\n');
}
