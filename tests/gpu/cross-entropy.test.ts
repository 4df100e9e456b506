// cross_entropy.wgsl's training entry points (loss and gradient in place, ignored targets, a chunk's row
// offset) against tfjs CPU autograd, in each reduction layout. Scoring: cross-entropy-score.test.ts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../../src/engine/kernels/loss';
import type { KernelContext } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

beforeAll(useCpuBackend);

function randomTokens(n: number, vocab: number, seed: number): Int32Array {
  const r = randomArray(n, seed, 0, 1);
  return Int32Array.from(r, (v) => Math.min(vocab - 1, Math.floor(v * vocab)));
}

const LAYOUTS = [
  { name: 'workgroup per row, subgroups', subgroups: true, reduce: 'workgroup' },
  { name: 'workgroup per row, workgroup memory', subgroups: false, reduce: 'workgroup' },
  { name: 'invocation per row', subgroups: true, reduce: 'rows' },
] as const;

for (const layout of LAYOUTS) {
  describe(`cross-entropy (${layout.name})`, () => {
    let ctx: KernelContext;
    beforeAll(async () => { ctx = await kernelContext({ subgroups: layout.subgroups, choices: { reduce: layout.reduce } }); });

    for (const [name, rows, V, range] of [['tiny', 3, 5, 1], ['awkward', 45, 1003, 3], ['extreme', 17, 32000, 80]] as const) {
      it(`cross-entropy ${name}: ${rows} rows, V${V}, logits in ±${range}`, async () => {
        const logits = randomArray(rows * V, 5, -range, range);
        const targets = randomTokens(rows + 2, V, 6);
        targets[2] = -1; // not predicted
        const offset = 2, scale = 1 / 7;
        const ref = tf.tidy(() => {
          const L = tf.tensor2d(logits, [rows, V]);
          const tg = tf.tensor1d(targets.slice(offset, offset + rows), 'int32');
          const f = (l: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.oneHot(tg, V), tf.logSoftmax(l, -1)), -1));
          const loss = f(L).dataSync() as Float32Array;
          const dL = tf.grad((l: tf.Tensor) => tf.mul(tf.sum(f(l)), scale))(L).dataSync() as Float32Array;
          return { loss, dL };
        });
        const L = gpuBuffer(ctx, logits), losses = gpuBuffer(ctx, new Float32Array(rows + offset).fill(-7));
        await runDispatches(ctx, [crossEntropy(ctx, 'ce', { logits: L, losses, targets: gpuBuffer(ctx, targets) },
          { rows, vocab: V, rowOffset: offset, scale })]);
        const got = await readBuffer(ctx, losses);
        expect(got[0]).toBe(-7);   // rows before the offset are not this chunk's
        expectClose('loss', got.subarray(offset), ref.loss, 1e-5);
        expect(got[2]).toBe(0);     // target -1: no loss...
        expectClose('d logits', await readBuffer(ctx, L), ref.dL, 1e-5); // ...and no gradient (tf's one-hot row is zero too)
      });
    }
  });
}
