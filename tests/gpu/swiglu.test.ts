// swiglu.wgsl (forward and backward) against tfjs CPU autograd.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { swigluBackward, swigluForward } from '../../src/engine/kernels/elementwise';
import type { KernelContext } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

let ctx: KernelContext;
beforeAll(async () => { ctx = await kernelContext(); await useCpuBackend(); });

describe('swiglu', () => {
  for (const [name, n, range] of [['tiny', 5, 1], ['awkward', 4099, 4], ['extreme', 1000, 60]] as const) {
    it(`${name} (${n} values in ±${range})`, async () => {
      const g = randomArray(n, 3, -range, range), u = randomArray(n, 4, -range, range), da = randomArray(n, 5);
      const ref = tf.tidy(() => {
        const G = tf.tensor1d(g), U = tf.tensor1d(u), DA = tf.tensor1d(da);
        const f = (x: tf.Tensor, y: tf.Tensor) => tf.mul(tf.mul(x, tf.sigmoid(x)), y);
        const [dg, du] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), DA)))([G, U]);
        return { a: f(G, U).dataSync() as Float32Array, dg: dg.dataSync() as Float32Array, du: du.dataSync() as Float32Array };
      });
      const act = gpuBuffer(ctx, n), dG = gpuBuffer(ctx, n), dU = gpuBuffer(ctx, n);
      const G = gpuBuffer(ctx, g), U = gpuBuffer(ctx, u);
      await runDispatches(ctx, [
        swigluForward(ctx, 'f', { act, gate: G, up: U }, n),
        swigluBackward(ctx, 'b', { dGate: dG, dUp: dU, dAct: gpuBuffer(ctx, da), gate: G, up: U }, n),
      ]);
      expectClose('act', await readBuffer(ctx, act), ref.a, 1e-5);
      expectClose('d gate', await readBuffer(ctx, dG), ref.dg, 1e-5);
      expectClose('d up', await readBuffer(ctx, dU), ref.du, 1e-5);
    });
  }
});
