// Helpers for tests that run one engine configuration beside another (fused or not, recomputing or not) on
// the same weights and batches and compare them bit for bit.
import { Engine, type Batch, type EngineOptions } from '../../src/engine/engine';
import type { EngineDevice } from '../../src/engine/device';
import { validateConfig, type ModelConfig, type TrainShape } from '../../src/model/config';
import { initParams } from '../../src/model/init';
import { initLora, LORA_TARGETS, loraSpecs, validateLora } from '../../src/model/lora';
import { randomArray } from './harness';

export interface PairCase { name: string; config: ModelConfig; shape: TrainShape; opts: EngineOptions }

const base = { normEps: 1e-5, ropeTheta: 10000 };
/** The cases every way of keeping activations (recomputing, f16) is checked on: untied with three layers; tied
 *  with split embedding pieces, chunked logits and two micro-batches; LoRA on every target. */
export const ACTIVATION_CASES = {
  untied: {
    name: 'untied, 3 layers',
    config: validateConfig({ ...base, dim: 32, nLayers: 3, nHeads: 4, nKvHeads: 2, hiddenDim: 72, vocabSize: 50, contextLength: 16 }),
    shape: { batchSize: 2, seqLen: 13, accumSteps: 1 },
    opts: {},
  },
  tied: {
    name: 'tied, split embedding, logits in chunks, 2 micro-batches',
    config: validateConfig({ ...base, dim: 24, nLayers: 2, nHeads: 2, nKvHeads: 1, hiddenDim: 40, vocabSize: 37, contextLength: 32,
      tieWordEmbeddings: true, architecture: 'llama' }),
    shape: { batchSize: 2, seqLen: 11, accumSteps: 2 },
    opts: { paramPieceBytes: 1024, logitsChunkRows: 8 },
  },
  lora: {
    name: 'LoRA on every target at rank 3, 3 layers',
    config: validateConfig({ ...base, dim: 32, nLayers: 3, nHeads: 4, nKvHeads: 2, hiddenDim: 72, vocabSize: 50, contextLength: 16 }),
    shape: { batchSize: 2, seqLen: 13, accumSteps: 1 },
    opts: { lora: validateLora({ rank: 3, alpha: 5, targets: [...LORA_TARGETS] }) },
  },
} as const satisfies Record<string, PairCase>;

export function randomBatch(c: ModelConfig, s: TrainShape, seed: number): Batch {
  const n = s.batchSize * s.seqLen;
  const r = randomArray(2 * n, seed, 0, 1);
  return {
    inputs: Int32Array.from(r.subarray(0, n), (v) => Math.floor(v * c.vocabSize)),
    targets: Int32Array.from(r.subarray(n), (v) => Math.floor(v * c.vocabSize)),
  };
}

/** A trainer for the case with `extra` options on top of its own, seeded weights (and a seeded adapter). */
export async function pairEngine(dev: EngineDevice, c: PairCase, extra: EngineOptions): Promise<Engine> {
  const engine = await Engine.createTrainer(dev, c.config, c.shape, { ...c.opts, ...extra });
  engine.setParams(initParams(c.config, 7));
  if (c.opts.lora) {
    const adapter = initLora(c.config, c.opts.lora, 3);
    // B non-zero too, so that every adapter gradient (dA included) is exercised.
    for (const s of loraSpecs(c.config, c.opts.lora)) if (s.part === 'B') adapter.set(s.name, randomArray(s.shape[0] * s.shape[1], 11 + s.layer, -0.3, 0.3));
    for (const [name, v] of adapter) engine.adapter!.write(name, v);
  }
  return engine;
}

/** Indices where two arrays differ in their bits (NaN compared as bits too). */
export function bitDiffs(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) n++;
  return n;
}
