// rmsnorm.wgsl forward and backward (input and weight gradients) against tfjs CPU autograd, with both
// reduction libraries (subgroups and workgroup memory).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { rmsnormBackwardInput, rmsnormBackwardWeight, rmsnormForward } from '../../src/engine/kernels/norm';
import type { KernelContext } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

beforeAll(useCpuBackend);

function reference(x: Float32Array, w: Float32Array, dy: Float32Array, rows: number, dim: number, eps: number) {
  return tf.tidy(() => {
    const X = tf.tensor2d(x, [rows, dim]), Wt = tf.tensor1d(w), DY = tf.tensor2d(dy, [rows, dim]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.mul(tf.mul(a, tf.rsqrt(tf.add(tf.mean(tf.square(a), -1, true), eps))), b);
    const y = f(X, Wt).dataSync() as Float32Array;
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), DY)))([X, Wt]);
    return { y, dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

const LAYOUTS = [
  { name: 'workgroup per row, subgroup reduction', subgroups: true, reduce: 'workgroup' },
  { name: 'workgroup per row, workgroup-memory reduction', subgroups: false, reduce: 'workgroup' },
  { name: 'invocation per row', subgroups: true, reduce: 'rows' },
] as const;

for (const layout of LAYOUTS) {
  describe(`rmsnorm (${layout.name})`, () => {
    let ctx: KernelContext;
    beforeAll(async () => { ctx = await kernelContext({ subgroups: layout.subgroups, choices: { reduce: layout.reduce } }); });
    const cases: [string, number, number, number][] = [['tiny', 2, 8, 1], ['awkward', 45, 65, 1], ['wide', 7, 1000, 1], ['extreme', 9, 300, 1e3]];
    for (const [name, rows, dim, range] of cases) {
      it(`${name} ${rows}x${dim}`, async () => {
        const eps = 1e-5;
        const x = randomArray(rows * dim, rows + dim, -range, range), w = randomArray(dim, 3, 0.5, 1.5);
        const dy = randomArray(rows * dim, 4), res = randomArray(rows * dim, 5);
        const ref = reference(x, w, dy, rows, dim, eps);
        const y = gpuBuffer(ctx, rows * dim), rstd = gpuBuffer(ctx, rows);
        const X = gpuBuffer(ctx, x), Wv = gpuBuffer(ctx, w), DY = gpuBuffer(ctx, dy);
        const dxOver = gpuBuffer(ctx, rows * dim), dxAcc = gpuBuffer(ctx, res), dw = gpuBuffer(ctx, new Float32Array(dim));
        await runDispatches(ctx, [
          rmsnormForward(ctx, 'f', { y, rstd, x: X, w: Wv }, { rows, dim, eps }),
          rmsnormBackwardInput(ctx, 'bx', { dX: dxOver, dY: DY, x: X, rstd, w: Wv }, { rows, dim, accumulate: false }),
          rmsnormBackwardInput(ctx, 'bxa', { dX: dxAcc, dY: DY, x: X, rstd, w: Wv }, { rows, dim, accumulate: true }),
          rmsnormBackwardWeight(ctx, 'bw', { dW: dw, dY: DY, x: X, rstd }, { rows, dim }),
        ]);
        expectClose('y', await readBuffer(ctx, y), ref.y, 1e-5);
        expectClose('dx', await readBuffer(ctx, dxOver), ref.dx, 1e-4);
        expectClose('dx accumulated', await readBuffer(ctx, dxAcc), ref.dx.map((v, i) => v + res[i]), 1e-4);
        expectClose('dw', await readBuffer(ctx, dw), ref.dw, 1e-4);
      });
    }
  });
}
