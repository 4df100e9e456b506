// The whole engine against the reference model on tfjs's CPU backend: loss, every parameter's gradient,
// three AdamW steps, for grouped-query attention with awkward sizes; multi-head attention with parameters
// split across bindings, logits in chunks and gradient accumulation; and a tied embedding and head.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Batch } from '../../src/engine/engine';
import type { EngineDevice } from '../../src/engine/device';
import { HARE_OPTIMIZER } from '../../src/engine/optimizer';
import type { KernelChoices } from '../../src/engine/kernel-context';
import { validateConfig, type ModelConfig, type TrainShape } from '../../src/model/config';
import { initParams } from '../../src/model/init';
import { ReferenceTrainer } from '../../src/model/reference';
import { describeDiff, diff, engineDevice, randomArray, useCpuBackend } from './harness';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); await useCpuBackend(); });

interface Case {
  name: string;
  config: ModelConfig;
  shape: TrainShape;
  opts: { paramPieceBytes?: number; logitsChunkRows?: number; kernels?: Partial<KernelChoices> };
}

const base = { normEps: 1e-5, ropeTheta: 10000 };
const CASES: Case[] = [
  {
    name: 'grouped-query (4 heads, 2 kv heads), awkward sizes',
    config: validateConfig({ ...base, dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 72, vocabSize: 50, contextLength: 16 }),
    shape: { batchSize: 2, seqLen: 13, accumSteps: 1 },
    opts: {},   // this adapter's kernel layouts (SwiftShader: an invocation per row)
  },
  {
    name: 'grouped-query, GPU kernel layouts (a workgroup per row, tiled matmul)',
    config: validateConfig({ ...base, dim: 32, nLayers: 1, nHeads: 4, nKvHeads: 1, hiddenDim: 72, vocabSize: 45, contextLength: 24 }),
    shape: { batchSize: 2, seqLen: 19, accumSteps: 1 },
    opts: { kernels: { reduce: 'workgroup', matmul: 'tiled' } },
  },
  {
    name: 'multi-head, split embedding and head, logits in chunks, 2 micro-batches',
    config: validateConfig({ ...base, dim: 24, nLayers: 1, nHeads: 2, nKvHeads: 2, hiddenDim: 40, vocabSize: 37, contextLength: 32 }),
    shape: { batchSize: 1, seqLen: 21, accumSteps: 2 },
    opts: { paramPieceBytes: 1024, logitsChunkRows: 8 }, // 1024 B = 10 rows of 24 floats: 4 pieces each
  },
  {
    // The head's weight gradient and the embedding's land in one tensor: split pieces and chunks make sure
    // every chunk's contribution and every token's rows reach the right piece.
    name: 'tied embeddings, split embedding, logits in chunks, 2 micro-batches',
    config: validateConfig({ ...base, dim: 24, nLayers: 1, nHeads: 2, nKvHeads: 1, hiddenDim: 40, vocabSize: 37, contextLength: 32,
      tieWordEmbeddings: true, architecture: 'llama' }),
    shape: { batchSize: 2, seqLen: 11, accumSteps: 2 },
    opts: { paramPieceBytes: 1024, logitsChunkRows: 8 },
  },
];

function randomBatch(c: ModelConfig, s: TrainShape, seed: number): Batch {
  const n = s.batchSize * s.seqLen;
  const r = randomArray(2 * n, seed, 0, 1);
  return {
    inputs: Int32Array.from(r.subarray(0, n), (v) => Math.floor(v * c.vocabSize)),
    targets: Int32Array.from(r.subarray(n), (v) => Math.floor(v * c.vocabSize)),
  };
}

/** ‖a − b‖ / ‖b‖ over every parameter of a map at once. */
function globalDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let num = 0, den = 0;
  for (const [k, w] of b) { const g = a.get(k)!; for (let i = 0; i < w.length; i++) { num += (g[i] - w[i]) ** 2; den += w[i] ** 2; } }
  return Math.sqrt(num / den);
}

describe('engine vs reference model', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      it('loss within 1e-4 and every gradient within 1e-3, relative', async () => {
        const init = initParams(c.config, 1);
        const engine = await Engine.createTrainer(dev, c.config, c.shape, c.opts);
        engine.setParams(init);
        const micro = Array.from({ length: c.shape.accumSteps }, (_, i) => randomBatch(c.config, c.shape, 10 + i));
        const ref = new ReferenceTrainer(c.config, init, HARE_OPTIMIZER);
        const { loss: refLoss, grads } = await ref.lossAndGrads(micro, c.shape.batchSize, c.shape.seqLen);
        const result = await engine.trainStep(micro, 0); // lr 0: the weights stay put, the gradients stay readable
        expect(Math.abs(result.loss - refLoss) / refLoss).toBeLessThan(1e-4);
        let worst = { name: '', rel: 0 };
        for (const s of engine.store.specs) {
          const got = await engine.store.read(s.name, 'grads');
          const d = diff(got, grads[s.name].dataSync());
          if (d.rel > worst.rel) worst = { name: s.name, rel: d.rel };
          if (!(d.rel <= 1e-3)) throw new Error(describeDiff(`gradient of ${s.name}`, d));
        }
        const refNorm = Math.sqrt(Object.values(grads).reduce((a, g) => a + tf.sum(tf.square(g)).dataSync()[0], 0));
        expect(Math.abs(result.gradNorm - refNorm) / refNorm).toBeLessThan(1e-4);
        console.log(`${c.name}: loss ${result.loss.toFixed(6)} (reference ${refLoss.toFixed(6)}), worst gradient ${worst.name} ${worst.rel.toExponential(2)}`);
        for (const g of Object.values(grads)) g.dispose();
        ref.dispose();
        engine.destroy();
      });

      it('three AdamW steps give the reference optimizer\'s weights and moments', async () => {
        const init = initParams(c.config, 2);
        const engine = await Engine.createTrainer(dev, c.config, c.shape, c.opts);
        engine.setParams(init);
        const ref = new ReferenceTrainer(c.config, init, HARE_OPTIMIZER);
        const lrs = [3e-3, 2e-3, 1e-3];
        for (let step = 0; step < 3; step++) {
          const micro = Array.from({ length: c.shape.accumSteps }, (_, i) => randomBatch(c.config, c.shape, 100 * step + i));
          const got = await engine.trainStep(micro, lrs[step]);
          const want = await ref.trainStep(micro, c.shape.batchSize, c.shape.seqLen, lrs[step]);
          expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(1e-4);
        }
        const moments = await ref.moments();
        const engineM = new Map<string, Float32Array>(), engineV = new Map<string, Float32Array>();
        for (const s of engine.store.specs) {
          engineM.set(s.name, await engine.store.read(s.name, 'exp_avg'));
          engineV.set(s.name, await engine.store.read(s.name, 'exp_avg_sq'));
        }
        const dw = globalDiff(await engine.getParams(), await ref.params());
        const dm = globalDiff(engineM, moments.m), dv = globalDiff(engineV, moments.v);
        console.log(`${c.name}: after 3 steps, weights ${dw.toExponential(2)}, exp_avg ${dm.toExponential(2)}, exp_avg_sq ${dv.toExponential(2)}`);
        expect(dw).toBeLessThan(1e-5);
        expect(dm).toBeLessThan(1e-3);
        expect(dv).toBeLessThan(1e-3);
        expect(engine.stepCount).toBe(3);
        ref.dispose();
        engine.destroy();
      });
    });
  }
});
