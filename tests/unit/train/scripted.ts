// A training backend and a dataset small enough to script a run in Node without a GPU: the tests of the
// worker's run loop, its evaluations and the CLI's run records drive a real Trainer over these.
import { encodeTokens, MANIFEST_FILE, TOKENIZER_FILE, type DatasetManifest } from '../../../src/data/pack/manifest';
import { MixtureSampler } from '../../../src/data/sampler';
import { MemoryStore } from '../../../src/data/store.memory';
import type { Tokenizer } from '../../../src/data/tokenizer/tokenizer';
import type { ModelConfig } from '../../../src/model/config';
import { initParams } from '../../../src/model/init';
import type { Moments, TrainBackend } from '../../../src/train/backend';

/**
 * A backend whose step `call` (0, 1, ...) reports `lossAt(call)`; a loss that is not finite is a step whose
 * gradient was refused (skipped, the step count unchanged). Its weights stay at their seeded values (a scorer
 * reading them gets a real model), its moments are zeros, and forward losses and logits are zeros.
 */
export function scriptedBackend(model: ModelConfig, tokensPerBatch: number, lossAt: (call: number) => number): TrainBackend {
  const params = initParams(model, 1);
  const zeros = new Map([...params].map(([k, v]) => [k, new Float32Array(v.length)]));
  let call = 0;
  return {
    name: 'scripted', config: model, stepCount: 0,
    async trainStep() {
      const loss = lossAt(call++);
      const skipped = !Number.isFinite(loss);
      if (!skipped) this.stepCount++;
      return { loss, gradNorm: skipped ? NaN : 1, skipped };
    },
    async forwardLosses() { return new Float32Array(tokensPerBatch); },
    async nextLogits() { return new Float32Array(model.vocabSize); },
    async getParams() { return params; },
    async setParams() {},
    async getMoments(): Promise<Moments> { return { m: zeros, v: zeros }; },
    async setMoments() {},
    destroy() {},
  };
}

/** One source of 8 packed sequences of 9 tokens in `tok`'s vocabulary, written the way the pipeline writes them. */
export async function tinyDataset(tok: Tokenizer, seqLen: number): Promise<MixtureSampler> {
  const store = new MemoryStore();
  const tokens = Array.from({ length: 8 * 9 }, (_, i) => 3 + (i % 200));
  const shard = await store.writer('s-train-0.bin');
  await shard.write(encodeTokens(tokens, 'uint16'));
  await shard.close();
  const manifest: DatasetManifest = {
    version: 1, packLength: 9, dtype: 'uint16', vocabSize: tok.vocabSize, tokenizer: TOKENIZER_FILE, bosId: tok.bosId, eosId: tok.eosId,
    seed: 1, valFraction: 0, sources: [{ name: 's', category: 'books', weight: 1, tokens: tokens.length, records: 8, train: [{ file: 's-train-0.bin', sequences: 8 }], val: [] }],
  };
  const m = await store.writer(MANIFEST_FILE);
  await m.write(JSON.stringify(manifest));
  await m.close();
  return MixtureSampler.open(store, { seed: 1, seqLen });
}
