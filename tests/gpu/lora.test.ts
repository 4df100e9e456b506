// The LoRA kernels (shaders/lora.wgsl through kernels/lora.ts) against tfjs's CPU autograd: the adapter's
// forward y = y0 + s (x A^T) B^T and the saved u = x A^T, and the backward through the gradient of
// sum(y * dy) for x, A and B, each added into what the buffer held (as the engine accumulates). Outputs
// are poisoned with NaN first where the kernel overwrites; shapes tiny, awkward (no multiples of 4 or of the
// tiles), a rank above 64 (two workgroups along the rank), both matmul layouts, and an extreme value range.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { loraBackward, loraForward, type LoraShape } from '../../src/engine/kernels/lora';
import type { KernelChoices } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

beforeAll(useCpuBackend);

interface Case { name: string; N: number; in: number; out: number; rank: number; range: number; choices?: Partial<KernelChoices> }

const CASES: Case[] = [
  { name: 'tiny', N: 3, in: 5, out: 4, rank: 2, range: 1 },
  { name: 'awkward', N: 45, in: 65, out: 37, rank: 13, range: 1 },
  { name: 'awkward, GPU matmul layout', N: 45, in: 65, out: 37, rank: 13, range: 1, choices: { matmul: 'tiled' } },
  { name: 'aligned (vec4 matmul for the wide products)', N: 36, in: 48, out: 40, rank: 8, range: 1 },
  { name: 'rank 70 (two rank blocks), K past several stages', N: 19, in: 83, out: 29, rank: 70, range: 1 },
  { name: 'extreme values (1e3)', N: 17, in: 24, out: 20, rank: 4, range: 1e3 },
];

describe('lora kernels vs tfjs autograd', () => {
  for (const c of CASES) {
    it(`${c.name}: N ${c.N}, in ${c.in}, out ${c.out}, r ${c.rank}`, async () => {
      const ctx = await kernelContext({ choices: c.choices });
      const { N, rank: r } = c;
      const s: LoraShape = { rows: N, in: c.in, out: c.out, rank: r, scale: 16 / r };
      const R = c.range;
      const x = randomArray(N * c.in, 1, -R, R), A = randomArray(r * c.in, 2, -R, R), B = randomArray(c.out * r, 3, -R, R);
      const y0 = randomArray(N * c.out, 4), dy = randomArray(N * c.out, 5);
      const dx0 = randomArray(N * c.in, 6), dA0 = randomArray(r * c.in, 7), dB0 = randomArray(c.out * r, 8);

      const gx = gpuBuffer(ctx, x), gA = gpuBuffer(ctx, A), gB = gpuBuffer(ctx, B);
      const gy = gpuBuffer(ctx, y0), gu = gpuBuffer(ctx, N * r), gdu = gpuBuffer(ctx, N * r);
      const gdx = gpuBuffer(ctx, dx0), gdA = gpuBuffer(ctx, dA0), gdB = gpuBuffer(ctx, dB0), gdy = gpuBuffer(ctx, dy);
      await runDispatches(ctx, [
        ...loraForward(ctx, 'lora', { y: gy, u: gu, x: gx, a: gA, b: gB }, s),
        ...loraBackward(ctx, 'lora', { dA: gdA, dB: gdB, dx: gdx, du: gdu, dy: gdy, x: gx, u: gu, a: gA, b: gB }, s),
      ]);

      const want = tf.tidy(() => {
        const tx = tf.tensor2d(x, [N, c.in]), tA = tf.tensor2d(A, [r, c.in]), tB = tf.tensor2d(B, [c.out, r]);
        const tdy = tf.tensor2d(dy, [N, c.out]);
        const u = tf.matMul(tx, tA, false, true);
        const f = (xx: tf.Tensor, aa: tf.Tensor, bb: tf.Tensor) =>
          tf.add(tf.tensor2d(y0, [N, c.out]), tf.mul(tf.matMul(tf.matMul(xx as tf.Tensor2D, aa as tf.Tensor2D, false, true), bb as tf.Tensor2D, false, true), s.scale));
        const y = f(tx, tA, tB);
        const [gX, gAA, gBB] = tf.grads((xx: tf.Tensor, aa: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(xx, aa, bb), tdy)))([tx, tA, tB]);
        return {
          y: y.dataSync() as Float32Array, u: u.dataSync() as Float32Array,
          dx: tf.add(gX, tf.tensor2d(dx0, [N, c.in])).dataSync() as Float32Array,
          dA: tf.add(gAA, tf.tensor2d(dA0, [r, c.in])).dataSync() as Float32Array,
          dB: tf.add(gBB, tf.tensor2d(dB0, [c.out, r])).dataSync() as Float32Array,
        };
      });
      expectClose('u = x A^T', await readBuffer(ctx, gu), want.u, 1e-5);
      expectClose('y', await readBuffer(ctx, gy), want.y, 1e-5);
      expectClose('dB', await readBuffer(ctx, gdB), want.dB, 1e-5);
      expectClose('dA', await readBuffer(ctx, gdA), want.dA, 1e-5);
      expectClose('dx', await readBuffer(ctx, gdx), want.dx, 1e-5);
    });
  }
});
