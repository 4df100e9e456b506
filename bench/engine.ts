// End-to-end training throughput: our engine as it was before issue 10 (`fuse: false`, and on a CPU-emulated
// adapter the vec4 `direct` matmuls it had then), unfused with today's kernels, and fused (the default),
// against the same reference model on tfjs-backend-webgpu's stock kernels, same config, same batches, same
// adapter, same process. Each side gets warm-up steps (pipeline compilation, first-use allocation) before the
// timed ones; the engines' steps alternate, so a machine whose load drifts (a shared CI box) slows all alike
// and their ratios hold.
import * as tf from '@tensorflow/tfjs';
import type { EngineDevice } from '../src/engine/device';
import { choicesFor } from '../src/engine/kernel-context';
import type { Batch, Engine } from '../src/engine/engine';
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

/** The median: a step slowed by another process's burst on a shared machine does not move it. */
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Tokens per second at the median step of `steps` after `warmup` steps; also the final loss, to show both trained. */
async function timeBackend(b: TrainBackend, data: Batch[], t: TrainConfig, warmup: number, steps: number):
  Promise<{ tokensPerSecond: number; loss: number }> {
  return (await timeAlternating([b], data, t, warmup, steps))[0];
}

/** Tokens per second of each backend at its median step of `steps`, their steps alternating, after `warmup` each. */
async function timeAlternating(bs: readonly TrainBackend[], data: Batch[], t: TrainConfig, warmup: number, steps: number):
  Promise<{ tokensPerSecond: number; loss: number }[]> {
  const loss = bs.map(() => NaN), ms: number[][] = bs.map(() => []);
  for (let s = 0; s < warmup; s++) for (const [i, b] of bs.entries()) loss[i] = (await b.trainStep([data[s % data.length]], 1e-3)).loss;
  for (let s = 0; s < steps; s++) {
    for (const [i, b] of bs.entries()) {
      const t0 = performance.now();
      loss[i] = (await b.trainStep([data[(warmup + s) % data.length]], 1e-3)).loss;
      ms[i].push(performance.now() - t0);
    }
  }
  return bs.map((_, i) => ({ tokensPerSecond: tokensPerStep(t) / (median(ms[i]) / 1000), loss: loss[i] }));
}

/** The matmul layout the adapter ran before issue 10: the vec4 direct one where today's default is the lanes layouts. */
const emulatedBefore = (dev: EngineDevice): 'direct' | 'tiled' => (choicesFor(dev.caps).matmul === 'lanes' ? 'direct' : 'tiled');

/** Kernel launches in one training step of a single micro-batch: forward, head, backward, optimizer. */
export const dispatchesPerStep = (e: Engine): number =>
  e.graph.forward.length + e.graph.head.length + e.graph.backward.length + (e.optimizer?.dispatches.length ?? 0);

/**
 * `useTfjs` switches tfjs to its WebGPU backend on the same adapter (it opens a device of its own).
 * Returns one row per case: dispatches per step, the engine before issue 10, unfused and fused, tfjs, and
 * the ratios.
 */
export async function benchEngine(dev: EngineDevice, cases: readonly EngineBenchCase[], adapterName: string,
  useTfjs: () => Promise<void>): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  await useTfjs();
  for (const c of cases) {
    const t = validateTrainConfig({ ...HARE_TRAIN_DEFAULTS, batchSize: c.batchSize, seqLen: c.seqLen, accumSteps: 1, steps: 1000, warmupSteps: 0 });
    const data = batches(c.config, t, c.warmup + c.steps);
    const init = initParams(c.config, 1);
    // Before issue 10 a CPU-emulated adapter ran the vec4 direct matmuls; a GPU ran today's tiled ones.
    const before = await EngineBackend.create(dev, c.config, t, { fuse: false, kernels: { matmul: emulatedBefore(dev) } });
    const unfused = await EngineBackend.create(dev, c.config, t, { fuse: false });
    const fused = await EngineBackend.create(dev, c.config, t);
    for (const e of [before, unfused, fused]) await e.setParams(init);
    const [o, u, f] = await timeAlternating([before, unfused, fused], data, t, c.warmup, c.steps);
    const counts = `${dispatchesPerStep(unfused.engine)} / ${dispatchesPerStep(fused.engine)}`;
    for (const e of [before, unfused, fused]) e.destroy();
    const ref = new ReferenceBackend(c.config, t, init);
    const b = await timeBackend(ref, data, t, c.warmup, c.steps);
    ref.destroy();
    tf.disposeVariables();
    const x = (n: number, d: number) => `${(n / d).toFixed(2)}x`;
    rows.push([c.name, `${c.batchSize}x${c.seqLen}`, counts, Math.round(o.tokensPerSecond), Math.round(u.tokensPerSecond),
      Math.round(f.tokensPerSecond), x(f.tokensPerSecond, o.tokensPerSecond), x(f.tokensPerSecond, u.tokensPerSecond),
      Math.round(b.tokensPerSecond), x(f.tokensPerSecond, b.tokensPerSecond),
      `${o.loss.toFixed(3)} / ${u.loss.toFixed(3)} / ${f.loss.toFixed(3)} / ${b.loss.toFixed(3)}`]);
  }
  return {
    title: `Training throughput, tokens/s (${adapterName})`,
    columns: ['preset', 'batch', 'dispatches per step (unfused / fused)', 'leveret before issue 10', 'leveret unfused', 'leveret fused',
      'fused / before', 'fused / unfused', 'tfjs-webgpu', 'fused / tfjs', 'loss after (before / unfused / fused / tfjs)'],
    rows,
    note: 'Same config, batches and initial weights; AdamW steps included; each side warmed up first; the three engines\' steps ' +
      'alternate; tokens/s at the median step. "Before issue 10": unfused, with the matmuls the adapter had then (on a CPU-emulated ' +
      'adapter the vec4 direct layout, since replaced by the lanes layouts).',
  };
}
