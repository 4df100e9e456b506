// trainer_state.json of a real tiny checkpoint, mutated (bytes, any field, the sampler cursor, a long loss
// history), imported with the rest of the checkpoint as the worker does, restored into a Trainer on a
// one-source dataset and run for one step: a cursor that passes the checks must also draw a batch.
import { encodeTokens, MANIFEST_FILE, TOKENIZER_FILE, type DatasetManifest } from '../../../src/data/pack/manifest';
import { MixtureSampler } from '../../../src/data/sampler';
import { MemoryStore } from '../../../src/data/store.memory';
import { loadTokenizerJSON } from '../../../src/data/tokenizer/load-tokenizer-json';
import type { Moments, TrainBackend } from '../../../src/train/backend';
import { HARE_TRAIN_DEFAULTS, validateTrainConfig } from '../../../src/train/config';
import { Trainer } from '../../../src/train/trainer';
import type { FuzzCase, FuzzFamily, Rng } from '../family';
import { mutateJson } from '../json-mutate';
import { anyByteMutation, pick, utf8 } from '../mutate';
import { checkpointBytes, importCheckpoint, input, withFile } from './checkpoint-base';

const FILE = 'trainer_state.json';
const train = validateTrainConfig({ ...HARE_TRAIN_DEFAULTS, batchSize: 2, seqLen: 8, steps: 1_000_000 });

/** A backend that accepts any weights: the trainer's own state is what is under test. */
const backend = (): TrainBackend => ({
  name: 'null', config: input.config, stepCount: 0,
  async trainStep() { return { loss: 1, gradNorm: 1, skipped: false }; },
  async forwardLosses() { return new Float32Array(0); },
  async nextLogits() { return new Float32Array(input.config.vocabSize); },
  async getParams() { return new Map(); },
  async setParams() {},
  async getMoments(): Promise<Moments> { return { m: new Map(), v: new Map() }; },
  async setMoments() {},
  destroy() {},
});

/** The source the saved cursor points into: "web", 4 packed sequences of 9 tokens (4 windows of 8 + 1). */
async function sampler(): Promise<MixtureSampler> {
  const store = new MemoryStore();
  const shard = await store.writer('web-train-0.bin');
  await shard.write(encodeTokens(Array.from({ length: 36 }, (_, i) => 3 + (i % 20)), 'uint16'));
  await shard.close();
  const manifest: DatasetManifest = {
    version: 1, packLength: 9, dtype: 'uint16', vocabSize: 32, tokenizer: TOKENIZER_FILE, bosId: 1, eosId: 2, seed: 1, valFraction: 0,
    sources: [{ name: 'web', category: 'web', weight: 1, tokens: 36, records: 4, train: [{ file: 'web-train-0.bin', sequences: 4 }], val: [] }],
  };
  const m = await store.writer(MANIFEST_FILE);
  await m.write(JSON.stringify(manifest));
  await m.close();
  return MixtureSampler.open(store, { seed: 1, seqLen: train.seqLen });
}

function samplerCase(rng: Rng, j: Record<string, any>): string {
  const field = pick(rng, ['position', 'epoch', 'name', 'version', 'rng', 'sources', 'whole']);
  const value = pick<unknown>(rng, [-1, 1.5, 4, 5, 2 ** 53, 1e308, '2', null, [], {}, [1, 2, 3], [0, 0, 0, 0], [-1, 0, 0, 0], [2 ** 32, 0, 0, 0]]);
  if (field === 'version' || field === 'rng' || field === 'sources') j.sampler[field] = value;
  else if (field === 'whole') j.sampler = pick<unknown>(rng, [{ version: 1 }, null, 5, 'cursor', [], { version: 1, rng: [1, 2, 3, 4], sources: [] }]);
  else j.sampler.sources[0][field] = value;
  return `sampler ${field} = ${JSON.stringify(field === 'whole' ? j.sampler : value)}`;
}

export const trainerStateFamily: FuzzFamily = {
  name: 'trainer-state',
  describe: 'trainer_state.json of a real checkpoint (sampler, loss history, fields, bytes) through readCheckpoint, Trainer.restore and one step',
  async make(rng): Promise<FuzzCase> {
    const text = new TextDecoder().decode((await checkpointBytes()).get(FILE));
    const j = JSON.parse(text) as Record<string, any>;
    // Long histories are slow to build and read (a second or two each), so one input in ten.
    const kind = rng.nextInt(10);
    let label: string;
    let out: string;
    if (kind < 2) {
      const m = anyByteMutation(rng, utf8(text));
      return { label: m.label, fileName: FILE, bytes: m.bytes };
    } else if (kind < 5) {
      label = samplerCase(rng, j);
      out = JSON.stringify(j);
    } else if (kind === 5) {
      // A long run's history (past the ~125,000 points that once overflowed the stack), sometimes with one bad point.
      const n = 130_000;
      j.lossHistory = Array.from({ length: n }, (_, i) => ({ step: i + 1, loss: 3 + 1 / (i + 1) }));
      const bad = rng.nextInt(2) === 0 ? rng.nextInt(n) : -1;
      if (bad >= 0) j.lossHistory[bad] = pick<unknown>(rng, [{ step: -1, loss: 1 }, { step: 1 }, null, { step: 1, loss: 'x' }]);
      label = `lossHistory of ${n} points${bad >= 0 ? `, point ${bad} = ${JSON.stringify(j.lossHistory[bad])}` : ''}`;
      out = JSON.stringify(j);
    } else {
      const m = mutateJson(rng, j, ['sampler', 'lossHistory', 'step', 'schedulePosition', 'tokensSeen', 'modelConfig', 'trainConfig', 'rng']);
      label = m.label;
      out = m.text;
    }
    return { label, fileName: FILE, bytes: utf8(out) };
  },
  async run(c) {
    const { ck } = await importCheckpoint(await withFile(FILE, c.bytes));
    const trainer = new Trainer(backend(), await sampler(), train, loadTokenizerJSON(ck.tokenizerJSON), ck.trainerState.datasetId);
    await trainer.restore(ck);
    const violations: string[] = [];
    if (trainer.history.length !== ck.trainerState.lossHistory.length) {
      violations.push(`restored ${trainer.history.length} of ${ck.trainerState.lossHistory.length} loss points`);
    }
    // Only a run that is not done steps; one step draws a batch at the restored cursor.
    if (!trainer.done) {
      const before = trainer.step;
      const m = await trainer.trainStep();
      if (m.step !== before + 1) violations.push(`a step from ${before} ended at ${m.step}`);
    }
    return { messages: [...ck.warnings], kept: 1, violations };
  },
};
