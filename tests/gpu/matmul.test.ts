// The matmul kernels in the three orientations of a linear layer, against tf.matMul on tfjs's CPU backend:
// the scalar matmul.wgsl at shapes that are not multiples of anything, matmul_vec4.wgsl (tiled and direct
// layouts) at aligned shapes that are still not multiples of its tiles, and the CPU-emulated adapters' lanes
// layouts (matmul_lanes_n.wgsl, matmul_lanes_k.wgsl) at both; with accumulation (beta = 1), offsets and
// leading dimensions, and large values.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { matmul, matmulLayout, matmulSplitK, splitKLayers, vec4Aligned } from '../../src/engine/kernels/matmul';
import type { KernelContext } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

beforeAll(useCpuBackend);

function reference(a: Float32Array, b: Float32Array, M: number, N: number, K: number, transA: boolean, transB: boolean): Float32Array {
  return tf.tidy(() => {
    const A = tf.tensor2d(a, transA ? [K, M] : [M, K]);
    const B = tf.tensor2d(b, transB ? [N, K] : [K, N]);
    return tf.matMul(A, B, transA, transB).dataSync() as Float32Array;
  });
}

const ORIENTATIONS = [[false, true, 'forward X W^T'], [false, false, 'backward dY W'], [true, false, 'backward dY^T X']] as const;

const KERNELS = [
  { name: 'scalar', matmul: 'tiled', shapes: [['tiny', 3, 5, 7], ['awkward', 130, 70, 37], ['tall', 45, 65, 201]] },
  { name: 'vec4 tiled', matmul: 'tiled', shapes: [['tiny', 4, 8, 4], ['aligned', 132, 68, 36], ['tall', 44, 72, 200]] },
  { name: 'vec4 direct', matmul: 'direct', shapes: [['tiny', 4, 8, 4], ['aligned', 132, 68, 36], ['tall', 44, 72, 200]] },
  { name: 'lanes', matmul: 'lanes', shapes: [['tiny', 3, 5, 7], ['aligned', 132, 68, 36], ['awkward', 130, 70, 37], ['tall', 45, 65, 201]] },
] as const;

for (const kernel of KERNELS) {
  describe(`matmul (${kernel.name})`, () => {
    let ctx: KernelContext;
    beforeAll(async () => { ctx = await kernelContext({ choices: { matmul: kernel.matmul } }); });

    for (const [transA, transB, name] of ORIENTATIONS) {
      for (const [shapeName, M, N, K] of kernel.shapes) {
        it(`${name}, ${shapeName} ${M}x${N}x${K}`, async () => {
          if (kernel.name === 'lanes') {
            expect(matmulLayout(ctx, { M, N, K, transA, transB })).toBe(transB ? 'lanesK' : 'lanesN');
          } else {
            expect(vec4Aligned(transA ? M : K, transB ? K : N, transA ? M : K, transB ? K : N, 0, 0)).toBe(kernel.name !== 'scalar');
          }
          const a = randomArray(M * K, 1 + M), b = randomArray(N * K, 2 + N);
          const c = gpuBuffer(ctx, M * N);
          await runDispatches(ctx, [matmul(ctx, 'mm', { c, a: gpuBuffer(ctx, a), b: gpuBuffer(ctx, b) }, { M, N, K, transA, transB })]);
          expectClose('C', await readBuffer(ctx, c), reference(a, b, M, N, K, transA, transB), 1e-5);
        });
      }
    }

    it('accumulates with beta = 1 and scales with alpha', async () => {
      const [M, N, K] = kernel.name === 'vec4 tiled' || kernel.name === 'vec4 direct' ? [68, 64, 20] : [70, 66, 19];
      const a = randomArray(M * K, 3), b = randomArray(K * N, 4), c0 = randomArray(M * N, 5);
      const c = gpuBuffer(ctx, c0);
      await runDispatches(ctx, [matmul(ctx, 'mm', { c, a: gpuBuffer(ctx, a), b: gpuBuffer(ctx, b) }, { M, N, K, alpha: 0.5, beta: 1 })]);
      const ab = reference(a, b, M, N, K, false, false);
      expectClose('C', await readBuffer(ctx, c), ab.map((v, i) => 0.5 * v + c0[i]), 1e-5);
    });

    it('reads and writes blocks through offsets and leading dimensions', async () => {
      // C[:, 12:12+N] of a (M, 92) matrix = A[:, 4:4+K] of a (M, 52) matrix times B (K, N) (+1 on each for scalar).
      const s = kernel.name === 'scalar' || kernel.name === 'lanes' ? 1 : 0;
      const M = 33, N = 40 + s, K = 28 + s, ldA = 52 + s, ldC = 92 + s, aOff = 4 + s, cOff = 12 + s;
      const aFull = randomArray(M * ldA, 6), b = randomArray(K * N, 7);
      const c = gpuBuffer(ctx, new Float32Array(M * ldC).fill(7));
      await runDispatches(ctx, [matmul(ctx, 'mm', { c, a: gpuBuffer(ctx, aFull), b: gpuBuffer(ctx, b) }, { M, N, K, lda: ldA, ldc: ldC, aOff, cOff })]);
      const a = new Float32Array(M * K);
      for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) a[m * K + k] = aFull[m * ldA + aOff + k];
      const want = reference(a, b, M, N, K, false, false);
      const got = await readBuffer(ctx, c);
      const block = new Float32Array(M * N);
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) block[m * N + n] = got[m * ldC + cOff + n];
      expectClose('C block', block, want, 1e-5);
      expect(got[0]).toBe(7);            // outside the block: untouched
      expect(got[M * ldC - 1]).toBe(7);
    });

    it('stays accurate with large values', async () => {
      const M = 64, N = 68, K = 132;
      const a = randomArray(M * K, 8, -1e3, 1e3), b = randomArray(N * K, 9, -1e3, 1e3);
      const c = gpuBuffer(ctx, M * N);
      await runDispatches(ctx, [matmul(ctx, 'mm', { c, a: gpuBuffer(ctx, a), b: gpuBuffer(ctx, b) }, { M, N, K, transB: true })]);
      expectClose('C', await readBuffer(ctx, c), reference(a, b, M, N, K, false, true), 1e-5);
    });
  });
}

describe('the lanes layouts\' choice', () => {
  it('takes lanes_k for X W^T only with subgroups, and the vec4 direct or scalar layout without them', async () => {
    const sub = await kernelContext({ choices: { matmul: 'lanes' } });
    expect(sub.caps.subgroupMinSize).toBeGreaterThanOrEqual(4);   // SwiftShader's subgroups are four wide
    const none = await kernelContext({ subgroups: false, choices: { matmul: 'lanes' } });
    expect(matmulLayout(sub, { M: 64, N: 68, K: 132, transB: true })).toBe('lanesK');
    expect(matmulLayout(none, { M: 64, N: 68, K: 132, transB: true })).toBe('direct');
    expect(matmulLayout(none, { M: 64, N: 68, K: 131, transB: true })).toBe('scalar');
    expect(matmulLayout(none, { M: 64, N: 68, K: 131 })).toBe('lanesN');
    const a = randomArray(64 * 132, 31), b = randomArray(68 * 132, 32);
    const c = gpuBuffer(none, 64 * 68);
    await runDispatches(none, [matmul(none, 'mm', { c, a: gpuBuffer(none, a), b: gpuBuffer(none, b) }, { M: 64, N: 68, K: 132, transB: true })]);
    expectClose('C', await readBuffer(none, c), reference(a, b, 64, 68, 132, false, true), 1e-5);
  });
});

describe('matmul with split-K (weight gradients of small layers over many tokens)', () => {
  let ctx: KernelContext;
  beforeAll(async () => { ctx = await kernelContext({ choices: { matmul: 'tiled' } }); });
  for (const [name, M, N, K] of [['vec4', 44, 72, 2000], ['scalar', 45, 70, 1301]] as const) {
    it(`dW += dY^T X, ${name} ${M}x${N}x${K}, accumulating into C`, async () => {
      const m = { M, N, K, transA: true, beta: 1 };
      expect(splitKLayers(ctx, m)).toBeGreaterThan(2);
      const a = randomArray(K * M, 21), b = randomArray(K * N, 22), c0 = randomArray(M * N, 23);
      const c = gpuBuffer(ctx, c0);
      const list = matmulSplitK(ctx, 'dw', { c, a: gpuBuffer(ctx, a), b: gpuBuffer(ctx, b) }, m);
      expect(list.length).toBe(2);   // the layered product, then the reduction
      await runDispatches(ctx, list);
      const ab = reference(a, b, M, N, K, true, false);
      expectClose('C', await readBuffer(ctx, c), ab.map((v, i) => v + c0[i]), 1e-5);
    });
  }
  it('does not split on a CPU-emulated layout, or when the output already fills the GPU', async () => {
    const direct = await kernelContext({ choices: { matmul: 'direct' } });
    expect(splitKLayers(direct, { M: 44, N: 72, K: 2000, transA: true })).toBe(1);
    expect(splitKLayers(ctx, { M: 2048, N: 2048, K: 4096, transA: true })).toBe(1);
  });
});
