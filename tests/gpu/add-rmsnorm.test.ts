// add_rmsnorm.wgsl (residual add + RMSNorm in one dispatch) against tfjs CPU autograd in every layout, and
// bit for bit against the unfused pair (add.wgsl, then rmsnorm.wgsl) it replaces in the graph. Its backward is
// rmsnorm's backward_input accumulating into the residual gradient: checked here as the gradient of
// sum(y * dy) with respect to both addends.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addRmsnormForward } from '../../src/engine/kernels/add-norm';
import { add } from '../../src/engine/kernels/elementwise';
import { rmsnormBackwardInput, rmsnormBackwardWeight, rmsnormForward } from '../../src/engine/kernels/norm';
import type { KernelContext } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

beforeAll(useCpuBackend);

function reference(a: Float32Array, b: Float32Array, w: Float32Array, dy: Float32Array, rows: number, dim: number, eps: number) {
  return tf.tidy(() => {
    const A = tf.tensor2d(a, [rows, dim]), B = tf.tensor2d(b, [rows, dim]), Wt = tf.tensor1d(w), DY = tf.tensor2d(dy, [rows, dim]);
    const f = (x: tf.Tensor, y: tf.Tensor, g: tf.Tensor) => {
      const s = tf.add(x, y);
      return tf.mul(tf.mul(s, tf.rsqrt(tf.add(tf.mean(tf.square(s), -1, true), eps))), g);
    };
    const [da, db, dw] = tf.grads((x: tf.Tensor, y: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(f(x, y, g), DY)))([A, B, Wt]);
    return {
      s: tf.add(A, B).dataSync() as Float32Array, y: f(A, B, Wt).dataSync() as Float32Array,
      da: da.dataSync() as Float32Array, db: db.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array,
    };
  });
}

const LAYOUTS = [
  { name: 'workgroup per row, subgroup reduction', subgroups: true, reduce: 'workgroup' },
  { name: 'workgroup per row, workgroup-memory reduction', subgroups: false, reduce: 'workgroup' },
  { name: 'invocation per row', subgroups: true, reduce: 'rows' },
] as const;

for (const layout of LAYOUTS) {
  describe(`add + rmsnorm (${layout.name})`, () => {
    let ctx: KernelContext;
    beforeAll(async () => { ctx = await kernelContext({ subgroups: layout.subgroups, choices: { reduce: layout.reduce } }); });
    const cases: [string, number, number, number][] = [['tiny', 2, 8, 1], ['awkward', 45, 65, 1], ['wide', 7, 1000, 1], ['extreme', 9, 300, 1e3]];
    for (const [name, rows, dim, range] of cases) {
      it(`${name} ${rows}x${dim}`, async () => {
        const eps = 1e-5;
        const a = randomArray(rows * dim, rows + dim, -range, range), b = randomArray(rows * dim, 7, -range, range);
        const w = randomArray(dim, 3, 0.5, 1.5), dy = randomArray(rows * dim, 4);
        const ref = reference(a, b, w, dy, rows, dim, eps);
        const A = gpuBuffer(ctx, a), B = gpuBuffer(ctx, b), Wv = gpuBuffer(ctx, w), DY = gpuBuffer(ctx, dy);
        // Outputs poisoned with NaN: an element the kernel skips fails the comparison.
        const s = gpuBuffer(ctx, rows * dim), y = gpuBuffer(ctx, rows * dim), rstd = gpuBuffer(ctx, rows);
        const sRef = gpuBuffer(ctx, rows * dim), yRef = gpuBuffer(ctx, rows * dim), rstdRef = gpuBuffer(ctx, rows);
        // The residual gradient arrives as dy's other branch: zero here, so it ends up as d(a) = d(b).
        const dS = gpuBuffer(ctx, new Float32Array(rows * dim)), dw = gpuBuffer(ctx, new Float32Array(dim));
        await runDispatches(ctx, [
          addRmsnormForward(ctx, 'fused', { s, y, rstd, a: A, b: B, w: Wv }, { rows, dim, eps }),
          add(ctx, 'add', { out: sRef, a: A, b: B }, rows * dim),
          rmsnormForward(ctx, 'norm', { y: yRef, rstd: rstdRef, x: sRef, w: Wv }, { rows, dim, eps }),
          rmsnormBackwardInput(ctx, 'bx', { dX: dS, dY: DY, x: s, rstd, w: Wv }, { rows, dim, accumulate: true }),
          rmsnormBackwardWeight(ctx, 'bw', { dW: dw, dY: DY, x: s, rstd }, { rows, dim }),
        ]);
        const [gs, gy, gr] = [await readBuffer(ctx, s), await readBuffer(ctx, y), await readBuffer(ctx, rstd)];
        expectClose('s', gs, ref.s, 1e-6);
        expectClose('y', gy, ref.y, 1e-5);
        const dx = await readBuffer(ctx, dS);
        expectClose('d a', dx, ref.da, 1e-4);
        expectClose('d b', dx, ref.db, 1e-4);
        expectClose('dw', await readBuffer(ctx, dw), ref.dw, 1e-4);
        // The graph swaps the pair for the fused kernel: the same bits, not just close.
        const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, 0, v.length));
        expect(bits(gs.subarray(0, rows * dim))).toEqual(bits((await readBuffer(ctx, sRef)).subarray(0, rows * dim)));
        expect(bits(gy.subarray(0, rows * dim))).toEqual(bits((await readBuffer(ctx, yRef)).subarray(0, rows * dim)));
        expect(bits(gr.subarray(0, rows))).toEqual(bits((await readBuffer(ctx, rstdRef)).subarray(0, rows)));
      });
    }
  });
}
