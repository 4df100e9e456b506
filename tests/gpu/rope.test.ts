// rope.wgsl (forward and backward, by place in the row) against tfjs CPU autograd.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { rope, ropeTables } from '../../src/engine/kernels/elementwise';
import type { KernelContext } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

let ctx: KernelContext;
beforeAll(async () => { ctx = await kernelContext(); await useCpuBackend(); });

describe('rope', () => {
  const ropeRef = (x: tf.Tensor4D, T: number, D: number, theta: number) => {
    const t = ropeTables(T, D, theta);
    const c = tf.tensor4d(t.cos, [1, T, 1, D / 2]), s = tf.tensor4d(t.sin, [1, T, 1, D / 2]);
    const [x1, x2] = tf.split(x, 2, 3);
    return tf.concat([tf.sub(tf.mul(x1, c), tf.mul(x2, s)), tf.add(tf.mul(x2, c), tf.mul(x1, s))], 3);
  };
  for (const [name, B, T, heads, D] of [['tiny', 1, 3, 1, 4], ['awkward', 3, 45, 3, 12], ['long', 1, 2048, 2, 64]] as const) {
    it(`${name} B${B} T${T} heads${heads} D${D}`, async () => {
      const n = B * T * heads * D, theta = 10000;
      const x = randomArray(n, 7), dy = randomArray(n, 8);
      const ref = tf.tidy(() => {
        const X = tf.tensor4d(x, [B, T, heads, D]), DY = tf.tensor4d(dy, [B, T, heads, D]);
        const y = ropeRef(X, T, D, theta).dataSync() as Float32Array;
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(ropeRef(a as tf.Tensor4D, T, D, theta), DY)))(X).dataSync() as Float32Array;
        return { y, dx };
      });
      const tables = ropeTables(T, D, theta);
      const cos = gpuBuffer(ctx, tables.cos), sin = gpuBuffer(ctx, tables.sin);
      const X = gpuBuffer(ctx, x), DY = gpuBuffer(ctx, dy);
      const shape = { nTokens: B * T, seqLen: T, nHeads: heads, headDim: D };
      await runDispatches(ctx, [rope(ctx, 'f', { x: X, cos, sin }, shape, 1), rope(ctx, 'b', { x: DY, cos, sin }, shape, -1)]);
      expectClose('rotated', await readBuffer(ctx, X), ref.y, 1e-5);
      expectClose('d x', await readBuffer(ctx, DY), ref.dx, 1e-5);
    });
  }
});
