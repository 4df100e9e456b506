// The matmuls with one operand read as SwiGLU's silu(gate) * up (a SwigluOperand: the fused graph's down
// projection, whose input act is never written): A in the forward act W^T, B in the weight gradient dY^T act,
// each layout (scalar matmul.wgsl at shapes that are multiples of nothing, matmul_vec4.wgsl tiled and direct
// at aligned shapes that are not multiples of their tiles) in the three orientations, split-K for the weight
// gradient. Each against tf.matMul of tfjs CPU's silu(g) * u, and bit for bit against the plain matmul of the
// act that swiglu.wgsl writes: the identity the fused graph's equality with the unfused one rests on.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { swigluForward } from '../../src/engine/kernels/elementwise';
import { matmul, matmulSplitK, splitKLayers, type MatmulArgs, type MatmulTensors } from '../../src/engine/kernels/matmul';
import type { KernelContext, TensorView } from '../../src/engine/kernel-context';
import { bitDiffs } from './engine-pair';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

beforeAll(useCpuBackend);

/** op(A) op(B) with the SwiGLU operand's matrix silu(g) * u computed by tfjs. */
function reference(x: Float32Array, g: Float32Array, u: Float32Array, operand: 'a' | 'b', m: MatmulArgs): Float32Array {
  const { M, N, K } = m, transA = m.transA ?? false, transB = m.transB ?? false;
  return tf.tidy(() => {
    const act = tf.mul(tf.mul(tf.tensor1d(g), tf.sigmoid(tf.tensor1d(g))), tf.tensor1d(u));
    const aShape: [number, number] = transA ? [K, M] : [M, K], bShape: [number, number] = transB ? [N, K] : [K, N];
    const A = operand === 'a' ? act.reshape(aShape) : tf.tensor2d(x, aShape);
    const B = operand === 'b' ? act.reshape(bShape) : tf.tensor2d(x, bShape);
    return tf.matMul(A, B, transA, transB).dataSync() as Float32Array;
  });
}

interface Run { fused: Float32Array; plain: Float32Array }

/** The fused matmul, and the plain one on swiglu.wgsl's act, each from C's initial values c0. */
async function runBoth(ctx: KernelContext, x: Float32Array, g: Float32Array, u: Float32Array, operand: 'a' | 'b', m: MatmulArgs,
  c0: Float32Array | number, splitK = false): Promise<Run> {
  const X = gpuBuffer(ctx, x), G = gpuBuffer(ctx, g), U = gpuBuffer(ctx, u), act = gpuBuffer(ctx, g.length);
  const cFused = gpuBuffer(ctx, c0), cPlain = gpuBuffer(ctx, c0);
  const mm = (t: MatmulTensors) => splitK ? matmulSplitK(ctx, 'mm', t, m) : [matmul(ctx, 'mm', t, m)];
  const gu = { gate: G, up: U };
  const pair = (o: TensorView | typeof gu): MatmulTensors => operand === 'a' ? { c: cFused, a: o, b: X } : { c: cFused, a: X, b: o };
  await runDispatches(ctx, [
    ...mm(pair(gu)),
    swigluForward(ctx, 'act', { act, gate: G, up: U }, g.length),
    ...mm({ ...pair(act), c: cPlain }),
  ]);
  return { fused: await readBuffer(ctx, cFused), plain: await readBuffer(ctx, cPlain) };
}

const ORIENTATIONS = [[false, true, 'X W^T'], [false, false, 'dY W'], [true, false, 'dY^T X']] as const;

const KERNELS = [
  { name: 'scalar', matmul: 'tiled', shapes: [['awkward', 45, 65, 37], ['tiny', 3, 5, 7]] },
  { name: 'vec4 tiled', matmul: 'tiled', shapes: [['aligned', 68, 72, 36], ['tiny', 4, 8, 4]] },
  { name: 'vec4 direct', matmul: 'direct', shapes: [['aligned', 68, 72, 36], ['tiny', 4, 8, 4]] },
  { name: 'lanes', matmul: 'lanes', shapes: [['awkward', 45, 65, 37], ['aligned', 68, 72, 36], ['tiny', 3, 5, 7]] },
] as const;

for (const kernel of KERNELS) {
  describe(`matmul with a SwiGLU operand (${kernel.name})`, () => {
    let ctx: KernelContext;
    beforeAll(async () => { ctx = await kernelContext({ choices: { matmul: kernel.matmul } }); });

    for (const operand of ['a', 'b'] as const) {
      for (const [transA, transB, name] of ORIENTATIONS) {
        for (const [shapeName, M, N, K] of kernel.shapes) {
          it(`${operand.toUpperCase()} = silu(gate) * up, ${name}, ${shapeName} ${M}x${N}x${K}`, async () => {
            const m = { M, N, K, transA, transB };
            const nOp = operand === 'a' ? M * K : K * N, nX = operand === 'a' ? K * N : M * K;
            const g = randomArray(nOp, 1 + M, -4, 4), u = randomArray(nOp, 2 + N, -2, 2), x = randomArray(nX, 3 + K);
            const r = await runBoth(ctx, x, g, u, operand, m, M * N);
            expectClose('C', r.fused, reference(x, g, u, operand, m), 1e-5);
            expect(bitDiffs(r.fused, r.plain), 'values differing from the matmul of swiglu.wgsl\'s act').toBe(0);
          });
        }
      }
    }

    it('extreme gate values (±60), accumulating into C with alpha and an offset A', async () => {
      const [M, N, K] = kernel.name === 'scalar' ? [33, 41, 29] : [36, 40, 28];
      for (const operand of ['a', 'b'] as const) {
        const m = operand === 'a' ? { M, N, K, transB: true, alpha: 0.5, beta: 1 } : { M, N, K, transA: true, alpha: 0.5, beta: 1 };
        const nOp = operand === 'a' ? M * K : K * N;
        const g = randomArray(nOp, 5, -60, 60), u = randomArray(nOp, 6, -60, 60), x = randomArray(M * K + K * N - nOp, 7);
        const c0 = randomArray(M * N, 8);
        const r = await runBoth(ctx, x, g, u, operand, m, c0);
        const ab = reference(x, g, u, operand, m);
        expectClose(`C (${operand})`, r.fused, ab.map((v, i) => 0.5 * v + c0[i]), 1e-5);
        expect(bitDiffs(r.fused, r.plain)).toBe(0);
      }
    });
  });
}

describe('matmul with a SwiGLU B operand and split-K (the down projection\'s weight gradient over many tokens)', () => {
  for (const [name, M, N, K] of [['vec4', 44, 72, 2000], ['scalar', 45, 70, 1301]] as const) {
    it(`dW += dY^T act, ${name} ${M}x${N}x${K}`, async () => {
      const ctx = await kernelContext({ choices: { matmul: 'tiled' } });
      const m = { M, N, K, transA: true, beta: 1 };
      expect(splitKLayers(ctx, m)).toBeGreaterThan(2);
      const g = randomArray(K * N, 31, -4, 4), u = randomArray(K * N, 32), x = randomArray(K * M, 33), c0 = randomArray(M * N, 34);
      const r = await runBoth(ctx, x, g, u, 'b', m, c0, true);
      const ab = reference(x, g, u, 'b', m);
      expectClose('C', r.fused, ab.map((v, i) => v + c0[i]), 1e-5);
      expect(bitDiffs(r.fused, r.plain)).toBe(0);
    });
  }
});
