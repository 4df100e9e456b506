// Benchmark results (src/eval/report.ts's per-task scores) into a run record: the latest score of each task
// and, per task, the score at every step it was evaluated, so interval evaluations draw a curve.
import type { TaskScores } from '../eval/evaluate';
import { thinCurve, type RunRecord, type TaskScore } from './run-record';

/** The record's form of one task's scores; null when no document was scored (nothing to record). */
export function taskScoreFrom(s: TaskScores, opts: { shots: number; step: number; file?: string }): TaskScore | null {
  if (s.n === 0 || !Number.isFinite(s.acc)) return null;
  return {
    n: s.n, acc: s.acc, acc_stderr: s.acc_stderr,
    ...(s.acc_norm !== null ? { acc_norm: s.acc_norm } : {}),
    ...(s.acc_norm_stderr !== null ? { acc_norm_stderr: s.acc_norm_stderr } : {}),
    shots: opts.shots, step: opts.step, ...(opts.file !== undefined ? { file: opts.file } : {}),
  };
}

/** The number a task is compared by: acc_norm where the task reports it (ARC, HellaSwag), else acc. */
export function headlineScore(s: TaskScore): number {
  return s.acc_norm ?? s.acc;
}

/** `run` with `scores` as the latest of their tasks and one point each on the tasks' score curves. */
export function withScores(run: RunRecord, scores: Readonly<Record<string, TaskScore>>): RunRecord {
  const curves: Record<string, [number, number | null][]> = { ...(run.scoreCurves ?? {}) };
  for (const [task, s] of Object.entries(scores)) {
    // One point per step: a task scored twice at the same step keeps the later score.
    const points = (curves[task] ?? []).filter(([step]) => step !== s.step);
    points.push([s.step, headlineScore(s)]);
    points.sort((a, b) => a[0] - b[0]);
    curves[task] = thinCurve(points);
  }
  return { ...run, scores: { ...run.scores, ...scores }, scoreCurves: curves };
}
