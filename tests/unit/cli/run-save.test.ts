// Run records from Node: `npm run train -- --save DIR` writes DIR/run.json beside the checkpoint with the
// prepared folder's recipe, and a save over an older one keeps its id, name and scores; `npm run eval --task`
// adds scores (and a point on each task's curve) to a Leveret save's run.json, and leaves other folders alone.
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordTaskScores } from '../../../src/cli/eval-record.node';
import { saveCheckpointWithRun } from '../../../src/cli/run-save.node';
import { checkSaveDir } from '../../../src/cli/train-inputs.node';
import { trainBpe } from '../../../src/data/tokenizer/train-bpe';
import type { ModelConfig } from '../../../src/model/config';
import { parseRun } from '../../../src/runs/run-record';
import { HARE_TRAIN_DEFAULTS, validateTrainConfig } from '../../../src/train/config';
import { Trainer } from '../../../src/train/trainer';
import { scriptedBackend, tinyDataset } from '../train/scripted';

const model: ModelConfig = { dim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1, hiddenDim: 32, vocabSize: 300, normEps: 1e-5, ropeTheta: 10000, contextLength: 16 };
const train = validateTrainConfig({ ...HARE_TRAIN_DEFAULTS, batchSize: 2, seqLen: 8, steps: 4, warmupSteps: 1, evalInterval: 0 });

async function trainer(): Promise<Trainer> {
  const tok = await trainBpe(['the keeper of the light counted the gulls on the rocks before the storm came in'], { vocabSize: 280 });
  const backend = scriptedBackend(model, train.batchSize * train.seqLen, (call) => 5 - (call + 1) / 10);
  return new Trainer(backend, await tinyDataset(tok, train.seqLen), train, tok, 'ds-test');
}

/** A report.json with just what recipeFromReport reads. */
const REPORT = {
  sources: [{ rules: [{ rule: 'exact-dup', enabled: true, before: { docs: 10 }, after: { docs: 9 } }, { rule: 'decontam', enabled: true, before: { docs: 9 }, after: { docs: 9 } }] }],
  mixture: [{ source: 'moby', category: 'books', weight: 2, share: 1, tokens: 72, records: 8 }],
  tokenizer: { name: 'bpe', vocabSize: 280 },
  decontamination: { benchmarkFiles: ['arc.jsonl'] },
  totals: { read: { docs: 10 }, keptDocuments: 9, tokens: 72 },
};

const MC = { n: 4, acc: 0.5, acc_stderr: 0.2887, acc_norm: 0.75, acc_norm_stderr: 0.25 };

describe('run.json from the CLI', () => {
  it('--save writes run.json with the recipe; a save over it keeps id, name and scores; the folder stays a valid --save', async () => {
    const root = await mkdtemp(join(tmpdir(), 'leveret-runsave-'));
    const data = join(root, 'data');
    await mkdir(data);
    await writeFile(join(data, 'report.json'), JSON.stringify(REPORT));
    const save = join(root, 'ck');
    const t = await trainer();
    await t.trainStep();
    await t.trainStep();
    const first = await saveCheckpointWithRun(save, await t.checkpoint(), t.trainerState(), data);
    expect(first).toMatchObject({ name: 'ck', step: 2, recipe: { sources: [{ name: 'moby', weight: 2 }], decontaminatedAgainst: ['arc.jsonl'] } });
    expect(parseRun(await readFile(join(save, 'run.json'), 'utf8'))).toEqual(first);

    const scored = await recordTaskScores(save, 2, [{ name: 'mc', path: '/x/mine.jsonl', shots: 0, scores: MC }]);
    expect(scored!.scores.mc).toMatchObject({ n: 4, acc_norm: 0.75, step: 2, file: 'mine.jsonl', shots: 0 });
    expect(scored!.scoreCurves!.mc).toEqual([[2, 0.75]]);

    await expect(checkSaveDir(save)).resolves.toBeUndefined(); // run.json is the save's own file
    await t.trainStep();
    const second = await saveCheckpointWithRun(save, await t.checkpoint(), t.trainerState(), data);
    expect(second.id).toBe(first.id);
    expect(second.name).toBe('ck');
    expect(second.step).toBe(3);
    expect(second.scores.mc.acc_norm).toBe(0.75);
    expect(second.curves.train.map(([s]) => s)).toEqual([1, 2, 3]);
  });

  it('eval --task leaves a folder that is no Leveret save alone, and starts run.json from trainer_state.json in an older save', async () => {
    const root = await mkdtemp(join(tmpdir(), 'leveret-evalrec-'));
    expect(await recordTaskScores(root, 0, [{ name: 'mc', path: 'a.jsonl', shots: 0, scores: MC }])).toBeNull();
    const t = await trainer();
    await t.trainStep();
    const files = await t.checkpoint();
    await mkdir(join(root, 'old'));
    await writeFile(join(root, 'old', 'trainer_state.json'), files.get('trainer_state.json') as Uint8Array);
    const run = await recordTaskScores(join(root, 'old'), 1, [{ name: 'mc', path: 'a.jsonl', shots: 0, scores: { ...MC, n: 1, acc_stderr: null, acc_norm_stderr: null } }]);
    expect(run).toMatchObject({ name: 'old', step: 1, recipe: null, scores: { mc: { n: 1, acc_stderr: null } } });
    expect(parseRun(await readFile(join(root, 'old', 'run.json'), 'utf8')).scores.mc.acc_stderr).toBeNull();
  });
});
