// `npm run eval -- --checkpoint DIR --task NAME=FILE [...]`: benchmark tasks scored as lm-evaluation-harness
// scores them (src/eval), a table on stdout and, with --out, every request and log-likelihood as JSON.
// Arguments, task files and the checkpoint are all checked before the GPU is touched.
import { stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeAdapter, openDevice } from '../engine/device';
import { nodeGPU } from '../engine/node-gpu.node';
import { nodeSourceFile } from '../data/source-file.node';
import type { Tokenizer } from '../data/tokenizer';
import { evaluateTask, type TaskResult } from '../eval/evaluate';
import { FewshotError } from '../eval/fewshot';
import { formatProblem, readTaskFile, type EvalProblem, type TaskRow } from '../eval/read-task-file';
import { evalReport, scoresTable } from '../eval/report';
import { openEngineScorer } from '../eval/score-engine';
import type { Scorer } from '../eval/scorer';
import { describeTasks, taskByName, TASKS } from '../eval/task-registry';
import type { TaskFamily } from '../eval/tasks/task';
import { paramSpecs } from '../model/params';
import { readCheckpoint, type LoadedCheckpoint } from '../train/checkpoint/checkpoint-read';
import { openCheckpointDir, type OpenedDir } from '../train/checkpoint/dir.node';
import { mergedWeight } from '../train/lora-merge';
import { openAdapterArg, type AdapterArg } from './adapter-arg.node';
import { fingerprintOfJSON } from '../train/trainer';
import { ArgError, Args, InputError } from './args';
import { loadTokenizerFile } from './dataset.node';
import { recordTaskScores } from './eval-record.node';

export const TASKS_USAGE = `usage: npm run eval -- --checkpoint DIR --task NAME=FILE [--task NAME=FILE ...] [--shots K] [--limit N]
                        [--out FILE] [--bos] [--seed 1234] [--adapter DIR] [--swiftshader]
  FILE: JSONL or Parquet in the Hugging Face dataset's own fields. --shots overrides each task's default,
  the Open LLM Leaderboard's; examples are drawn (seeded by --seed) from the file's other rows.
  --limit scores the first N documents; --bos puts BOS before every context (off, as in the harness).
tasks, default shots and fields:
${describeTasks()}`;

export interface TaskSpec {
  readonly name: string;
  readonly task: TaskFamily;
  readonly path: string;
  readonly rows: readonly TaskRow[];
}

export interface TasksRun {
  readonly tasks: readonly TaskSpec[];
  readonly shots?: number;
  readonly limit?: number;
  readonly out?: string;
  readonly bos: boolean;
  readonly seed: number;
  readonly swiftshader: boolean;
  readonly opened: OpenedDir;
  readonly ck: LoadedCheckpoint;
  readonly tokenizer: Tokenizer;
  /** --checkpoint's folder: a Leveret save's run.json gets the scores. */
  readonly dir: string;
  /** --adapter DIR: a PEFT LoRA adapter, merged into the weights the scorer gets (W + s B A). */
  readonly adapter?: AdapterArg;
}

function wholeNumber(a: Args, name: string, min: number): number | undefined {
  const v = a.number(name);
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new ArgError(`--${name} must be an integer of at least ${min}, got ${v}`);
  return v;
}

/** Every argument, every task file (bad rows reported through `problems`) and the checkpoint. */
export async function validateTasksRun(argv: readonly string[], problems: (p: EvalProblem) => void): Promise<TasksRun> {
  const a = new Args(argv, new Set(['swiftshader', 'bos']));
  const dir = a.required('checkpoint');
  const specs = a.strings('task').map((s) => {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1) throw new ArgError(`--task must be NAME=FILE, got "${s}"`);
    const name = s.slice(0, eq), task = taskByName(name);
    if (!task) throw new ArgError(`--task ${name}: unknown task; choose one of ${TASKS.map((t) => t.name).join(', ')}`);
    return { name, task, path: s.slice(eq + 1) };
  });
  if (specs.length === 0) throw new ArgError('--task is required');
  const twice = specs.find((s, i) => specs.findIndex((t) => t.name === s.name) !== i);
  if (twice) throw new ArgError(`--task ${twice.name} is given twice`);
  const shots = wholeNumber(a, 'shots', 0);
  const limit = wholeNumber(a, 'limit', 1);
  const seed = wholeNumber(a, 'seed', 0) ?? 1234;
  const out = a.string('out');
  const bos = a.flag('bos'), swiftshader = a.flag('swiftshader');
  const adapterDir = a.string('adapter');
  a.checkAllUsed();
  if (out !== undefined && !(await stat(dirname(out)).then((i) => i.isDirectory(), () => false))) {
    throw new InputError(`--out ${out}: the folder ${dirname(out)} does not exist`);
  }
  const tasks: TaskSpec[] = [];
  for (const s of specs) {
    if (!(await stat(s.path).then((i) => i.isFile(), () => false))) throw new InputError(`--task ${s.name}=${s.path}: no such file`);
    const rows = await readTaskFile(await nodeSourceFile(s.path), s.task, problems);
    if (rows.length === 0) throw new InputError(`--task ${s.name}=${s.path}: no usable ${s.task.name} rows (${s.task.layout})`);
    tasks.push({ ...s, rows });
  }
  const named = (e: unknown) => (e instanceof InputError ? e : new InputError(`--checkpoint ${dir}: ${(e as Error).message}`));
  const opened = await openCheckpointDir(dir).catch((e) => { throw named(e); });
  try {
    const ck = await readCheckpoint(opened.files, { fingerprint: fingerprintOfJSON });
    const tokenizer = loadTokenizerFile(ck.tokenizerJSON, join(dir, 'tokenizer.json'));
    const adapter = adapterDir !== undefined ? await openAdapterArg(adapterDir, ck.config) : undefined;
    return { dir, tasks, shots, limit, out, bos, seed, swiftshader, opened, ck, tokenizer, adapter };
  } catch (e) {
    await opened.close();
    throw named(e);
  }
}

/** Scores every task with `scorer`, prints the table, writes --out; 2 when a task cannot be built. */
export async function scoreTasks(run: TasksRun, scorer: Scorer, problems: (p: EvalProblem) => void): Promise<number> {
  const results = new Map<string, TaskResult>();
  for (const t of run.tasks) {
    const shots = run.shots ?? t.task.defaultShots;
    let last = -1;
    const progress = (done: number, total: number) => {
      const tenth = Math.floor((10 * done) / total);
      if (tenth !== last) { last = tenth; console.error(`${t.name}: ${done}/${total} requests`); }
    };
    try {
      results.set(t.name, await evaluateTask(t.task, t.path, t.rows, run.tokenizer, scorer,
        { shots, limit: run.limit, seed: run.seed, bos: run.bos }, problems, progress));
    } catch (e) {
      if (e instanceof FewshotError) { console.error(`${e.message} (lower --shots)`); return 2; }
      throw e;
    }
  }
  const report = evalReport(results);
  console.log(scoresTable(report.tasks));
  // With --adapter the scores are the adapter's: recorded in its folder's run record (a LoRA run's), not the base's.
  const recordDir = run.adapter?.dir ?? run.dir;
  const recordStep = run.adapter ? run.adapter.adapter.training?.trainerState.step ?? 0 : run.ck.trainerState.step;
  const recorded = await recordTaskScores(recordDir, recordStep, run.tasks.flatMap((t) => {
    const r = results.get(t.name);
    return r ? [{ name: t.name, path: t.path, shots: run.shots ?? t.task.defaultShots, scores: r.scores }] : [];
  }));
  if (recorded) console.error(`added the scores to ${join(recordDir, 'run.json')} (run "${recorded.name}")`);
  if (run.out) {
    await writeFile(run.out, JSON.stringify(report) + '\n');
    console.error(`wrote ${run.out}`);
  }
  return 0;
}

export async function runTasks(argv: readonly string[]): Promise<number> {
  const problems: string[] = [];
  const report = (p: EvalProblem) => problems.push(formatProblem(p));
  const flush = () => {
    for (const p of problems.slice(0, 20)) console.error(`skipped: ${p}`);
    if (problems.length > 20) console.error(`skipped: ${problems.length - 20} more`);
    problems.length = 0;
  };
  let run: TasksRun;
  try {
    run = await validateTasksRun(argv, report);
  } catch (e) {
    flush();
    if (e instanceof ArgError) { console.error(`${e.message}\n\n${TASKS_USAGE}`); return 2; }
    if (e instanceof InputError) { console.error(e.message); return 2; }
    throw e;
  }
  flush();
  try {
    for (const w of run.ck.warnings) console.error(`warning: ${w}`);
    const dev = await openDevice(await nodeGPU({ swiftshader: run.swiftshader }));
    console.error(`adapter: ${describeAdapter(dev.caps)}`);
    const params = new Map<string, Float32Array>();
    const lora = run.adapter?.adapter;
    for (const s of paramSpecs(run.ck.config)) {
      const w = await run.ck.readParam(s.name);
      params.set(s.name, lora ? await mergedWeight(run.ck.config, lora.lora, s.name, w, lora.readTensor) : w);
    }
    const scorer = await openEngineScorer(dev, run.ck.config, params);
    try {
      const code = await scoreTasks(run, scorer, report);
      flush();
      return code;
    } finally {
      scorer.destroy();
    }
  } finally {
    await run.adapter?.close();
    await run.opened.close();
  }
}
