// `npm run train -- --save DIR` keeps a run record beside the checkpoint: DIR/run.json (src/runs/run-record.ts)
// with the recipe of the prepared folder's report.json when there is one. A save over an older save keeps
// that run's id, name and scores. The checkpoint writer replaces DIR whole and refuses files it does not
// own, so the older record is read first, set aside while the checkpoint is written, then written again.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PipelineReport } from '../data/report';
import type { FileBody } from '../train/checkpoint/byte-source';
import { writeCheckpointDir } from '../train/checkpoint/dir.node';
import type { TrainerState } from '../train/checkpoint/trainer-state';
import { runFromTrainer } from '../runs/from-trainer';
import { recipeFromReport } from '../runs/recipe';
import { RUN_FILE, type DataRecipe, type RunRecord } from '../runs/run-record';
import { readRunDir, writeRunDir } from '../runs/run-store.node';

/** The recipe of a prepared dataset folder (its report.json), or null when it has none or cannot be read. */
export async function recipeOfDataset(dir: string): Promise<DataRecipe | null> {
  const path = join(dir, 'report.json');
  if (!existsSync(path)) return null;
  try {
    return recipeFromReport(JSON.parse(await readFile(path, 'utf8')) as PipelineReport);
  } catch (e) {
    console.error(`warning: ${path}: no data recipe for run.json (${(e as Error).message})`);
    return null;
  }
}

/** Writes the checkpoint into `dir` and its run record beside it; returns the record. */
export async function saveCheckpointWithRun(dir: string, files: ReadonlyMap<string, FileBody>, state: TrainerState,
  dataDir: string | null): Promise<RunRecord> {
  const runPath = join(dir, RUN_FILE);
  const previous = existsSync(runPath) ? await readRunDir(dir) : null;
  if (previous) await rm(runPath);
  try {
    await writeCheckpointDir(dir, files);
  } catch (e) {
    if (previous) await writeRunDir(dir, previous); // the older save stays as it was, record included
    throw e;
  }
  const recipe = dataDir ? await recipeOfDataset(dataDir) : null;
  const record = runFromTrainer(state, recipe, { previous, ...(previous ? {} : { name: basename(dir) }) });
  await writeRunDir(dir, record);
  return record;
}
