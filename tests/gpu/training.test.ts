// Training for real, through every layer a user's run goes through: the data pipeline on Moby-Dick (a BPE
// tokenizer learned from it), the mixture sampler, the engine, the trainer. The loss must fall clearly; and a
// run saved to a checkpoint and restored into a fresh engine must continue with exactly the losses of a run
// that never stopped.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runPipeline } from '../../src/data/pipeline';
import { readManifest } from '../../src/data/pack/manifest';
import { resolveTokenizer } from '../../src/data/resolve-tokenizer';
import { MixtureSampler } from '../../src/data/sampler';
import { MemoryStore } from '../../src/data/store.memory';
import { loadTokenizerJSON, type Tokenizer } from '../../src/data/tokenizer';
import type { EngineDevice } from '../../src/engine/device';
import { initParams } from '../../src/model/init';
import { preset } from '../../src/model/presets';
import { readCheckpoint } from '../../src/train/checkpoint/checkpoint-read';
import { sourcesInMemory } from '../../src/train/checkpoint/byte-source';
import { HARE_TRAIN_DEFAULTS, validateTrainConfig } from '../../src/train/config';
import { EngineBackend } from '../../src/train/engine-backend';
import { fingerprintOfJSON, Trainer } from '../../src/train/trainer';
import { engineDevice } from './harness';

let dev: EngineDevice;
let store: MemoryStore;
let tokenizer: Tokenizer;

const seqLen = 64;
const train = validateTrainConfig({ ...HARE_TRAIN_DEFAULTS, batchSize: 4, seqLen, steps: 40, warmupSteps: 4, lr: 3e-3, evalBatches: 4 });

beforeAll(async () => {
  dev = await engineDevice();
  store = new MemoryStore();
  const text = readFileSync('../shared/data/moby-dick.jsonl');
  const file = { name: 'moby-dick.jsonl', size: text.length, stream: () => new Blob([text]).stream() };
  await runPipeline({ sources: [{ name: 'moby', category: 'books', weight: 1, files: [file] }], tokenizer: { kind: 'bpe', vocabSize: 512 }, seqLen },
    { store, resolveTokenizer });
  tokenizer = loadTokenizerJSON(JSON.parse(await store.readText('tokenizer.json')));
});

async function trainer(steps: number): Promise<Trainer> {
  const config = preset('tiny', { vocabSize: tokenizer.vocabSize });
  const t = { ...train, steps };
  const backend = await EngineBackend.create(dev, config, t);
  await backend.setParams(initParams(config, t.seed));
  const sampler = new MixtureSampler(await readManifest(store), store, { seed: t.seed, seqLen });
  return new Trainer(backend, sampler, t, tokenizer, 'moby-dick');
}

describe('training the tiny preset on Moby-Dick', () => {
  it('lowers the training and validation loss clearly', async () => {
    const tr = await trainer(train.steps);
    const before = await tr.evaluate();
    const losses: number[] = [];
    while (!tr.done) losses.push((await tr.trainStep()).loss);
    const after = await tr.evaluate();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`validation loss ${before.toFixed(3)} -> ${after.toFixed(3)}; training loss ${mean(losses.slice(0, 5)).toFixed(3)} -> ${mean(losses.slice(-5)).toFixed(3)}`);
    expect(before).toBeGreaterThan(5.8);                       // about ln(512) = 6.24 at initialisation
    expect(after).toBeLessThan(before - 0.5);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) - 0.5);
    expect(tr.history.filter((p) => p.valLoss !== undefined).length).toBe(2);
    tr.backend.destroy();
  });

  it('resumes exactly: N steps, checkpoint, restore into a fresh engine, M steps = N + M straight', async () => {
    const N = 3, M = 3;
    const straight = await trainer(N + M);
    const want: number[] = [];
    for (let i = 0; i < N + M; i++) want.push((await straight.trainStep()).loss);
    straight.backend.destroy();

    const first = await trainer(N + M);
    const got: number[] = [];
    for (let i = 0; i < N; i++) got.push((await first.trainStep()).loss);
    const files = await sourcesInMemory(await first.checkpoint());
    first.backend.destroy();

    const second = await trainer(N + M);
    const ck = await readCheckpoint(files, { fingerprint: fingerprintOfJSON, expected: { config: second.backend.config } });
    await second.restore(ck);
    expect(second.step).toBe(N);
    while (!second.done) got.push((await second.trainStep()).loss);
    second.backend.destroy();
    expect(got).toEqual(want);   // bit for bit: same kernels, same data cursor, same moments
  });
});
