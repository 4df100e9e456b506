// matmul.wgsl in its three orientations against tf.matMul on tfjs's CPU backend, at shapes that are not
// multiples of the 64 x 64 x 16 tile, with accumulation (beta = 1), offsets and strides, and large values.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { matmul } from '../../src/engine/kernels/matmul';
import type { KernelContext } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

beforeAll(useCpuBackend);

const SHAPES: [string, number, number, number][] = [
  ['tiny', 3, 5, 7],
  ['awkward', 130, 70, 37],
  ['tall', 45, 65, 200],
];

function reference(a: Float32Array, b: Float32Array, M: number, N: number, K: number, transA: boolean, transB: boolean): Float32Array {
  return tf.tidy(() => {
    const A = tf.tensor2d(a, transA ? [K, M] : [M, K]);
    const B = tf.tensor2d(b, transB ? [N, K] : [K, N]);
    return tf.matMul(A, B, transA, transB).dataSync() as Float32Array;
  });
}

describe('matmul', () => {
  let ctx: KernelContext;
  beforeAll(async () => { ctx = await kernelContext(); });

  for (const [transA, transB, name] of [[false, true, 'forward X W^T'], [false, false, 'backward dY W'], [true, false, 'backward dY^T X']] as const) {
    for (const [shapeName, M, N, K] of SHAPES) {
      it(`${name}, ${shapeName} ${M}x${N}x${K}`, async () => {
        const a = randomArray(M * K, 1 + M), b = randomArray(N * K, 2 + N);
        const c = gpuBuffer(ctx, M * N);
        await runDispatches(ctx, [matmul(ctx, 'mm', c, gpuBuffer(ctx, a), gpuBuffer(ctx, b), { M, N, K, transA, transB })]);
        expectClose('C', await readBuffer(ctx, c), reference(a, b, M, N, K, transA, transB), 1e-5);
      });
    }
  }

  it('accumulates with beta = 1 and scales with alpha', async () => {
    const M = 70, N = 66, K = 19;
    const a = randomArray(M * K, 3), b = randomArray(K * N, 4), c0 = randomArray(M * N, 5);
    const c = gpuBuffer(ctx, c0);
    await runDispatches(ctx, [matmul(ctx, 'mm', c, gpuBuffer(ctx, a), gpuBuffer(ctx, b), { M, N, K, alpha: 0.5, beta: 1 })]);
    const ab = reference(a, b, M, N, K, false, false);
    expectClose('C', await readBuffer(ctx, c), ab.map((v, i) => 0.5 * v + c0[i]), 1e-5);
  });

  it('reads and writes blocks through offsets and leading dimensions', async () => {
    // C[:, 10:10+N] of a (M, 90) matrix = A[:, 3:3+K] of a (M, 50) matrix times B (K, N).
    const M = 33, N = 41, K = 29, ldA = 50, ldC = 90;
    const aFull = randomArray(M * ldA, 6), b = randomArray(K * N, 7);
    const c = gpuBuffer(ctx, new Float32Array(M * ldC).fill(7));
    await runDispatches(ctx, [matmul(ctx, 'mm', c, gpuBuffer(ctx, aFull), gpuBuffer(ctx, b), { M, N, K, lda: ldA, ldc: ldC, aOff: 3, cOff: 10 })]);
    const a = new Float32Array(M * K);
    for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) a[m * K + k] = aFull[m * ldA + 3 + k];
    const want = reference(a, b, M, N, K, false, false);
    const got = await readBuffer(ctx, c);
    const block = new Float32Array(M * N);
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) block[m * N + n] = got[m * ldC + 10 + n];
    expectClose('C block', block, want, 1e-5);
    expect(got[0]).toBe(7);            // outside the block: untouched
    expect(got[M * ldC - 1]).toBe(7);
  });

  it('stays accurate with large values', async () => {
    const M = 64, N = 65, K = 130;
    const a = randomArray(M * K, 8, -1e3, 1e3), b = randomArray(N * K, 9, -1e3, 1e3);
    const c = gpuBuffer(ctx, M * N);
    await runDispatches(ctx, [matmul(ctx, 'mm', c, gpuBuffer(ctx, a), gpuBuffer(ctx, b), { M, N, K, transB: true })]);
    expectClose('C', await readBuffer(ctx, c), reference(a, b, M, N, K, false, true), 1e-5);
  });
});
