// `npm run eval -- --checkpoint DIR --task ...` on a Leveret save: the scores go into DIR/run.json (created
// from trainer_state.json for a save older than run records), so `npm run compare` and the page's Runs view
// show them. A Hugging Face folder that is not a Leveret save is left untouched.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TaskScores } from '../eval/evaluate';
import type { RunRecord, TaskScore } from '../runs/run-record';
import { readRunDir, writeRunDir } from '../runs/run-store.node';
import { taskScoreFrom, withScores } from '../runs/scores';

export interface ScoredTask {
  readonly name: string;
  readonly path: string;
  readonly shots: number;
  readonly scores: TaskScores;
}

/** Adds the tasks' scores (at the save's step) to DIR/run.json; null when DIR is no Leveret save. */
export async function recordTaskScores(dir: string, step: number, tasks: readonly ScoredTask[]): Promise<RunRecord | null> {
  if (!existsSync(join(dir, 'trainer_state.json'))) return null;
  const scores: Record<string, TaskScore> = {};
  for (const t of tasks) {
    const s = taskScoreFrom(t.scores, { shots: t.shots, step, file: basename(t.path) });
    if (s) scores[t.name] = s;
  }
  const run = withScores(await readRunDir(dir), scores);
  await writeRunDir(dir, { ...run, updatedAt: new Date().toISOString() });
  return run;
}
