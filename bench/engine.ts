// End-to-end training throughput: our engine against the same reference model on tfjs-backend-webgpu's
// stock kernels, same config, same batches, same adapter, same process. Each side gets warm-up steps
// (pipeline compilation, first-use allocation) before the timed ones.
import * as tf from '@tensorflow/tfjs';
import type { EngineDevice } from '../src/engine/device';
import type { Batch } from '../src/engine/engine';
import type { ModelConfig } from '../src/model/config';
import { initParams } from '../src/model/init';
import { HARE_TRAIN_DEFAULTS, tokensPerStep, validateTrainConfig, type TrainConfig } from '../src/train/config';
import type { TrainBackend } from '../src/train/backend';
import { EngineBackend } from '../src/train/engine-backend';
import { ReferenceBackend } from '../src/train/reference-backend';
import type { BenchTable } from './table';

export interface EngineBenchCase {
  readonly name: string;
  readonly config: ModelConfig;
  readonly batchSize: number;
  readonly seqLen: number;
  readonly warmup: number;
  readonly steps: number;
}

function batches(c: ModelConfig, t: TrainConfig, count: number): Batch[] {
  const n = t.batchSize * t.seqLen;
  return Array.from({ length: count }, (_, s) => ({
    inputs: Int32Array.from({ length: n }, (_, i) => (i * 7919 + s * 31) % c.vocabSize),
    targets: Int32Array.from({ length: n }, (_, i) => (i * 104729 + s * 17 + 3) % c.vocabSize),
  }));
}

/** Tokens per second over `steps` steps after `warmup` steps; also the final loss, to show both trained. */
async function timeBackend(b: TrainBackend, data: Batch[], t: TrainConfig, warmup: number, steps: number):
  Promise<{ tokensPerSecond: number; loss: number }> {
  let loss = NaN;
  for (let s = 0; s < warmup; s++) loss = (await b.trainStep([data[s % data.length]], 1e-3)).loss;
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) loss = (await b.trainStep([data[(warmup + s) % data.length]], 1e-3)).loss;
  const secs = (performance.now() - t0) / 1000;
  return { tokensPerSecond: (steps * tokensPerStep(t)) / secs, loss };
}

/**
 * `useTfjs` switches tfjs to its WebGPU backend on the same adapter (it opens a device of its own).
 * Returns one row per case: ours, tfjs, ratio.
 */
export async function benchEngine(dev: EngineDevice, cases: readonly EngineBenchCase[], adapterName: string,
  useTfjs: () => Promise<void>): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  await useTfjs();
  for (const c of cases) {
    const t = validateTrainConfig({ ...HARE_TRAIN_DEFAULTS, batchSize: c.batchSize, seqLen: c.seqLen, accumSteps: 1, steps: 1000, warmupSteps: 0 });
    const data = batches(c.config, t, c.warmup + c.steps);
    const init = initParams(c.config, 1);
    const ours = await EngineBackend.create(dev, c.config, t);
    await ours.setParams(init);
    const a = await timeBackend(ours, data, t, c.warmup, c.steps);
    ours.destroy();
    const ref = new ReferenceBackend(c.config, t, init);
    const b = await timeBackend(ref, data, t, c.warmup, c.steps);
    ref.destroy();
    tf.disposeVariables();
    rows.push([c.name, `${c.batchSize}x${c.seqLen}`, Math.round(a.tokensPerSecond), Math.round(b.tokensPerSecond),
      `${(a.tokensPerSecond / b.tokensPerSecond).toFixed(1)}x`, `${a.loss.toFixed(3)} / ${b.loss.toFixed(3)}`]);
  }
  return {
    title: `Training throughput, tokens/s (${adapterName})`,
    columns: ['preset', 'batch', 'leveret', 'tfjs-webgpu', 'ratio', 'loss after (leveret / tfjs)'],
    rows,
    note: 'Same config, batches and initial weights; AdamW steps included; each side warmed up first.',
  };
}
