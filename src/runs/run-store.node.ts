// Runs in Node: a run is a saved checkpoint folder with a run.json beside its weights. A folder saved before
// run records existed (trainer_state.json only) still compares, with its recipe unknown.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseTrainerState } from '../train/checkpoint/trainer-state';
import { runFromTrainer } from './from-trainer';
import { parseRun, RUN_FILE, serializeRun, type RunRecord, type TaskScore } from './run-record';

export async function readRunDir(dir: string): Promise<RunRecord> {
  const runPath = join(dir, RUN_FILE);
  if (existsSync(runPath)) return parseRun(await readFile(runPath, 'utf8'), runPath);
  const statePath = join(dir, 'trainer_state.json');
  if (!existsSync(statePath)) throw new Error(`${dir}: not a run (no ${RUN_FILE} and no trainer_state.json)`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(statePath, 'utf8'));
  } catch (e) {
    throw new Error(`${statePath}: is not JSON (${(e as Error).message})`);
  }
  return runFromTrainer(parseTrainerState(json, statePath), null, { name: basename(dir) });
}

export async function writeRunDir(dir: string, run: RunRecord): Promise<void> {
  await writeFile(join(dir, RUN_FILE), serializeRun(run));
}

/** Adds scores to the run saved in `dir` (creating run.json from trainer_state.json when needed). */
export async function recordScores(dir: string, scores: Record<string, TaskScore>): Promise<RunRecord> {
  const run = await readRunDir(dir);
  const updated: RunRecord = { ...run, scores: { ...run.scores, ...scores }, updatedAt: new Date().toISOString() };
  await writeRunDir(dir, updated);
  return updated;
}
