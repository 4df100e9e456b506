// Benchmark tasks on the current run's weights, in the training worker: task files parsed here with
// src/eval/read-task-file.ts (bad rows reported by file and row, the rest kept), scored by the engine that
// holds the weights (createEngineScorer on the trainer's own engine, so nothing is copied) or, on the tfjs
// fallback, by the reference scorer on a copy of the weights.
import { evaluateTask, type TaskResult } from '../eval/evaluate';
import { FewshotError } from '../eval/fewshot';
import { formatProblem, readTaskFile, type EvalProblem, type TaskRow } from '../eval/read-task-file';
import { evalReport, type EvalReport } from '../eval/report';
import { createEngineScorer } from '../eval/score-engine';
import type { LoglikRequest, LoglikResult, Scorer } from '../eval/scorer';
import { taskByName, TASKS } from '../eval/task-registry';
import type { TaskFamily } from '../eval/tasks/task';
import { baseName } from '../data/source';
import type { TaskScore } from '../runs/run-record';
import { taskScoreFrom } from '../runs/scores';
import type { TrainBackend } from '../train/backend';
import { EngineBackend } from '../train/engine-backend';
import type { Trainer } from '../train/trainer';
import type { EvalTaskFile, EvalTaskRequest, TaskFileCheck } from './train-api';

/** The harness's few-shot seed, and no BOS before contexts (its add_bos_token default), as `npm run eval`. */
const SEED = 1234;
/** Requests per scorer call: a cancel takes effect between calls, so one call is at most a few seconds. */
const CANCEL_CHUNK = 64;
/** Activation memory for the scoring graphs beside the training run's own. */
const SCORE_BUDGET_BYTES = 256 * 2 ** 20;

export class EvalCancelled extends Error {
  constructor() { super('evaluation cancelled'); }
}

export interface ParsedTask {
  readonly key: string;
  readonly task: TaskFamily;
  readonly fileName: string;
  readonly rows: readonly TaskRow[];
  readonly shots: number;
  readonly limit: number | null;
}

function familyOf(name: string): TaskFamily {
  const task = taskByName(name);
  if (!task) throw new Error(`unknown task "${name}"; choose one of ${TASKS.map((t) => t.name).join(', ')}`);
  return task;
}

/** One file's rows as documents of its task; its bad rows go to `problems` by file and row. */
export async function readTask(f: EvalTaskFile, problems: (p: EvalProblem) => void): Promise<TaskRow[]> {
  return readTaskFile(f.file, familyOf(f.task), problems);
}

/** What the page shows beside a dropped file: how many documents it holds and every bad row, by file and row. */
export async function checkTaskFiles(files: readonly EvalTaskFile[]): Promise<TaskFileCheck[]> {
  const out: TaskFileCheck[] = [];
  for (const f of files) {
    const problems: string[] = [];
    try {
      const rows = await readTask(f, (p) => problems.push(formatProblem(p)));
      out.push({ key: f.key, rows: rows.length, problems });
    } catch (e) {
      out.push({ key: f.key, rows: 0, problems: [...problems, `${baseName(f.file.name)}: ${(e as Error).message}`] });
    }
  }
  return out;
}

/** Every request's file parsed; a file with no usable rows is refused by name (nothing to score). */
export async function parseTasks(reqs: readonly EvalTaskRequest[], problems: (p: EvalProblem) => void): Promise<ParsedTask[]> {
  if (reqs.length === 0) throw new Error('choose at least one task to evaluate');
  const keys = new Set<string>();
  const parsed: ParsedTask[] = [];
  for (const r of reqs) {
    if (keys.has(r.key)) throw new Error(`the task "${r.key}" is listed twice`);
    keys.add(r.key);
    if (!Number.isInteger(r.shots) || r.shots < 0) throw new Error(`${r.key}: shots must be a whole number of at least 0, got ${r.shots}`);
    if (r.limit !== null && (!Number.isInteger(r.limit) || r.limit < 1)) throw new Error(`${r.key}: the limit must be a whole number of at least 1, got ${r.limit}`);
    const task = familyOf(r.task);
    const rows = await readTaskFile(r.file, task, problems);
    const fileName = baseName(r.file.name);
    if (rows.length === 0) throw new Error(`${fileName}: no usable ${task.name} rows (fields ${task.layout})`);
    parsed.push({ key: r.key, task, fileName, rows, shots: r.shots, limit: r.limit });
  }
  return parsed;
}

/** A scorer that hands the inner one a few requests at a time and stops between them when asked. */
class ChunkedScorer implements Scorer {
  constructor(private readonly inner: Scorer, private readonly cancelled: () => boolean) {}
  get contextLength(): number { return this.inner.contextLength; }
  async score(requests: readonly LoglikRequest[], onProgress?: (done: number, total: number) => void): Promise<LoglikResult[]> {
    const out: LoglikResult[] = [];
    for (let i = 0; i < requests.length; i += CANCEL_CHUNK) {
      if (this.cancelled()) throw new EvalCancelled();
      out.push(...await this.inner.score(requests.slice(i, i + CANCEL_CHUNK)));
      onProgress?.(out.length, requests.length);
    }
    return out;
  }
}

/** The scorer on the backend's current weights, and how to free it. */
async function openScorer(backend: TrainBackend): Promise<{ scorer: Scorer; close(): void }> {
  if (backend instanceof EngineBackend) {
    const scorer = createEngineScorer(backend.engine, { activationBudgetBytes: SCORE_BUDGET_BYTES });
    return { scorer, close: () => scorer.destroy() }; // its graphs only: the engine is the run's
  }
  // tfjs loads only where WebGPU is missing, as the fallback backend does.
  const { createReferenceScorer } = await import('../eval/score-reference');
  const scorer = createReferenceScorer(backend.config, await backend.getParams());
  return { scorer, close: () => scorer.dispose() };
}

export interface ScoredTasks {
  readonly report: EvalReport;
  readonly scores: Record<string, TaskScore>;
  /** The optimizer step of the weights that were scored. */
  readonly step: number;
}

/**
 * Scores every task on the trainer's weights (the caller holds the backend exclusively); progress per task
 * as (task index, requests done, requests in the task); throws EvalCancelled when `cancelled` turns true.
 */
export async function scoreTasks(trainer: Trainer, tasks: readonly ParsedTask[], problems: (p: EvalProblem) => void,
  progress: (taskIndex: number, done: number, total: number) => void, cancelled: () => boolean): Promise<ScoredTasks> {
  const step = trainer.step;
  const { scorer, close } = await openScorer(trainer.backend);
  try {
    const chunked = new ChunkedScorer(scorer, cancelled);
    const results = new Map<string, TaskResult>();
    const scores: Record<string, TaskScore> = {};
    for (const [k, t] of tasks.entries()) {
      progress(k, 0, 1);
      let r: TaskResult;
      try {
        r = await evaluateTask(t.task, t.fileName, t.rows, trainer.tokenizer, chunked,
          { shots: t.shots, limit: t.limit ?? undefined, seed: SEED, bos: false }, problems, (done, total) => progress(k, done, total));
      } catch (e) {
        if (e instanceof FewshotError) throw new Error(`${e.message}: lower the shots of ${t.key}`);
        throw e;
      }
      results.set(t.key, r);
      const s = taskScoreFrom(r.scores, { shots: t.shots, step, file: t.fileName });
      if (s) scores[t.key] = s;
    }
    return { report: evalReport(results), scores, step };
  } finally {
    close();
  }
}
