// add, SwiGLU (forward and backward) and RoPE (forward and backward) against tfjs CPU autograd.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { add, rope, ropeTables, swigluBackward, swigluForward } from '../../src/engine/kernels/elementwise';
import type { KernelContext } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

let ctx: KernelContext;
beforeAll(async () => { ctx = await kernelContext(); await useCpuBackend(); });

describe('add', () => {
  it('adds across a 2-D grid', async () => {
    const n = 70001;
    const a = randomArray(n, 1), b = randomArray(n, 2);
    const out = gpuBuffer(ctx, n);
    await runDispatches(ctx, [add(ctx, 'add', { out, a: gpuBuffer(ctx, a), b: gpuBuffer(ctx, b) }, n)]);
    expectClose('out', await readBuffer(ctx, out), a.map((v, i) => v + b[i]), 1e-7);
  });
});

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
