// Benchmarks in the training worker, in Node on a scripted backend (scored by the tfjs reference scorer on
// its weights): dropped files checked by file and row, scores every N steps as typed events and in the run's
// record (latest score and a curve), an evaluation on demand that stops when cancelled, and the records'
// rename, delete and import rules.
import { describe, expect, it } from 'vitest';
import { trainBpe } from '../../../src/data/tokenizer/train-bpe';
import type { ModelConfig } from '../../../src/model/config';
import { serializeRun } from '../../../src/runs/run-record';
import { memoryRunStore } from '../../../src/runs/run-store';
import { HARE_TRAIN_DEFAULTS, validateTrainConfig } from '../../../src/train/config';
import { Trainer } from '../../../src/train/trainer';
import type { EvalTaskRequest, TrainEvent } from '../../../src/worker/train-api';
import { checkTaskFiles, EvalCancelled, parseTasks } from '../../../src/worker/train-evaluate';
import { RunRecords } from '../../../src/worker/train-records';
import { Run } from '../../../src/worker/train-run';
import { scriptedBackend, tinyDataset } from '../train/scripted';

const model: ModelConfig = { dim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1, hiddenDim: 32, vocabSize: 300, normEps: 1e-5, ropeTheta: 10000, contextLength: 32 };
const train = validateTrainConfig({ ...HARE_TRAIN_DEFAULTS, batchSize: 2, seqLen: 8, steps: 6, warmupSteps: 1, evalInterval: 0 });

const MC_ROWS = [
  { context: 'the keeper counted the', choices: ['gulls', 'storm', 'rocks'], gold: 0 },
  { context: 'before the storm came', choices: ['in', 'light'], gold: 0 },
  { context: 'the light on the', choices: ['rocks', 'keeper'], gold: 1 },
  { context: 'the gulls on the', choices: ['rocks', 'storm'], gold: 0 },
];
const mcFile = (rows: unknown[], name = 'mine.jsonl') => new File([rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')], name);
const mcTask = (file: File, limit: number | null = null): EvalTaskRequest => ({ key: 'mc', task: 'mc', file, shots: 0, limit });

async function setup(evaluation?: { everySteps: number; tasks: EvalTaskRequest[] }) {
  const tok = await trainBpe(['the keeper of the light counted the gulls on the rocks before the storm came in'], { vocabSize: 280 });
  const trainer = new Trainer(scriptedBackend(model, train.batchSize * train.seqLen, (call) => 6 - (call + 1) / 10), await tinyDataset(tok, train.seqLen), train, tok, 'ds-test');
  const events: TrainEvent[] = [];
  const records = new RunRecords(memoryRunStore());
  let settle: () => void = () => {};
  const run = new Run({
    trainer, dataset: 'ds-test',
    emit: (e) => { events.push(e); if (e.type === 'state' && ['paused', 'stopped', 'finished', 'failed'].includes(e.state)) settle(); },
    autosave: async (_files, _folder, info) => ({ ...info, bytes: 1, savedAt: 0 }),
    record: { records, id: 'run-a', name: 'run 1', recipe: null },
  }, { sample: { prompt: 'the', maxTokens: 2, temperature: 0, topK: 0, seed: 1, everySteps: 0 }, autosaveSeconds: 0, ...(evaluation ? { evaluation } : {}) }, 'running');
  const settled = () => new Promise<void>((resolve) => { settle = resolve; });
  return { run, trainer, events, records, settled };
}

describe('benchmark files dropped on the page', () => {
  it('are read in the worker: documents counted, a bad row named by file and row, the rest kept', async () => {
    const file = mcFile([MC_ROWS[0], '{"context": "x", "choices": ["a"], "gold": 3}', 'not json', MC_ROWS[1]], 'bench.jsonl');
    const [check] = await checkTaskFiles([{ key: 'mc', task: 'mc', file }]);
    expect(check.rows).toBe(2);
    expect(check.problems).toHaveLength(2);
    expect(check.problems[0]).toMatch(/^bench\.jsonl:2: bad mc row/);
    expect(check.problems[1]).toMatch(/^bench\.jsonl:3: /);
    const [unknown] = await checkTaskFiles([{ key: 'x', task: 'lambada', file }]);
    expect(unknown.problems[0]).toMatch(/bench\.jsonl: unknown task "lambada"/);
  });

  it('with no usable rows, or asked twice, are refused by name before anything is scored', async () => {
    await expect(parseTasks([mcTask(mcFile(['{}'], 'empty.jsonl'))], () => undefined)).rejects.toThrow('empty.jsonl: no usable mc rows (fields context, choices, gold)');
    const f = mcFile(MC_ROWS);
    await expect(parseTasks([mcTask(f), mcTask(f)], () => undefined)).rejects.toThrow('the task "mc" is listed twice');
    await expect(parseTasks([], () => undefined)).rejects.toThrow('choose at least one task');
  });
});

describe('benchmarks during and after a run', () => {
  it('scores the schedule every N steps, sends the scores as events and keeps them, with a curve, in the run record', async () => {
    const { run, events, records, settled } = await setup({ everySteps: 2, tasks: [mcTask(mcFile(MC_ROWS), 3)] });
    const done = settled();
    run.begin();
    await done;
    const scores = events.filter((e): e is Extract<TrainEvent, { type: 'scores' }> => e.type === 'scores');
    expect(scores.map((e) => [e.step, e.auto])).toEqual([[2, true], [4, true], [6, true]]);
    for (const e of scores) {
      expect(e.scores.mc.n).toBe(3);
      expect(e.scores.mc.acc * 3).toBeCloseTo(Math.round(e.scores.mc.acc * 3), 9);
      expect(e.scores.mc.file).toBe('mine.jsonl');
    }
    const progress = events.filter((e) => e.type === 'scoring');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const record = await records.get('run-a');
    expect(record).not.toBeNull();
    expect(record!.name).toBe('run 1');
    expect(record!.step).toBe(6);
    expect(record!.scores.mc.step).toBe(6);
    expect(record!.scoreCurves!.mc.map(([s]) => s)).toEqual([2, 4, 6]);
    expect(record!.curves.train.map(([s]) => s)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.some((e) => e.type === 'run-saved' && e.record.id === 'run-a')).toBe(true);
  });

  it('an evaluation on demand stops when cancelled, and a later one scores every document asked for', async () => {
    const { run, settled } = await setup();
    const done = settled();
    run.begin();
    await done;
    const many = Array.from({ length: 80 }, (_, i) => MC_ROWS[i % MC_ROWS.length]);
    const tasks = await parseTasks([mcTask(mcFile(many))], () => undefined);
    const cancelled = run.evaluateTasks(tasks, 7, false, () => undefined);
    run.cancelEvaluate(7);
    await expect(cancelled).rejects.toBeInstanceOf(EvalCancelled);
    const scored = await run.evaluateTasks(tasks, 8, false, () => undefined);
    expect(scored.scores.mc.n).toBe(80);
    expect(scored.report.samples.mc).toHaveLength(80);
    expect(scored.report.tasks.mc.n).toBe(80);
  });
});

describe('run records in the worker', () => {
  it('keep a rename through later saves, are not written back once deleted, and refuse a bad import by file and field', async () => {
    const { run, records, settled } = await setup();
    const done = settled();
    run.begin();
    await done;
    await records.rename('run-a', '  clean mixture ');
    await run.saveRecord();
    expect((await records.get('run-a'))!.name).toBe('clean mixture');
    await expect(records.rename('run-a', ' ')).rejects.toThrow("a run's name must be 1 to 500 characters");
    const exported = serializeRun((await records.get('run-a'))!);
    await records.remove('run-a');
    await run.saveRecord();
    expect(await records.get('run-a')).toBeNull();
    await expect(records.import(exported.replace('"leveret-run"', '"other"'), 'a.json')).rejects.toThrow('a.json: format: is not a Leveret run record');
    const back = await records.import(exported, 'a.json');
    expect(back.name).toBe('clean mixture');
    expect((await records.list()).runs.map((r) => r.id)).toEqual(['run-a']);
  });
});
