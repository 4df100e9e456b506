// The forward matmul with RoPE as its epilogue (a RopeEpilogue: the fused graph's q and k projections, whose
// tile columns are permuted so that each head's pairs (i, i + D/2) meet in one invocation): every layout
// (scalar matmul.wgsl with K a multiple of nothing, matmul_vec4.wgsl tiled and direct), heads that do and do
// not divide the 64-column tile, a block of C's columns through an offset, extreme values. Each against
// tf.matMul of tfjs's CPU backend followed by the rotation in double precision (tables computed here, not by
// the engine's ropeTables), and bit for bit against the plain matmul followed by rope.wgsl's at_positions:
// the identity the fused graph's equality with the unfused one rests on.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { rope, ropeTables } from '../../src/engine/kernels/elementwise';
import { matmul, type MatmulArgs } from '../../src/engine/kernels/matmul';
import type { KernelContext } from '../../src/engine/kernel-context';
import { bitDiffs } from './engine-pair';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

beforeAll(useCpuBackend);

interface Case { name: string; rows: number; K: number; heads: number; D: number; T: number; range: number; before?: number; after?: number }

/** Y = X W^T with each row's heads turned by its position: `before` / `after` heads of C left untouched. */
function reference(c: Case, x: Float32Array, w: Float32Array, pos: Int32Array): Float64Array {
  const cols = c.heads * c.D, half = c.D / 2, ldc = ((c.before ?? 0) + c.heads + (c.after ?? 0)) * c.D, off = (c.before ?? 0) * c.D;
  const y = tf.tidy(() => tf.matMul(tf.tensor2d(x, [c.rows, c.K]), tf.tensor2d(w, [cols, c.K]), false, true).dataSync() as Float32Array);
  const out = new Float64Array(c.rows * ldc).fill(NaN);
  for (let r = 0; r < c.rows; r++) {
    for (let h = 0; h < c.heads; h++) {
      for (let i = 0; i < half; i++) {
        const angle = pos[r] * Math.pow(10000, (-2 * i) / c.D);
        const cs = Math.fround(Math.cos(angle)), sn = Math.fround(Math.sin(angle));
        const a = y[r * cols + h * c.D + i], b = y[r * cols + h * c.D + i + half];
        out[r * ldc + off + h * c.D + i] = a * cs - b * sn;
        out[r * ldc + off + h * c.D + i + half] = b * cs + a * sn;
      }
    }
  }
  return out;
}

const KERNELS = [
  { name: 'scalar', matmul: 'tiled', K: 37 },
  { name: 'vec4 tiled', matmul: 'tiled', K: 36 },
  { name: 'vec4 direct', matmul: 'direct', K: 36 },
  { name: 'lanes', matmul: 'lanes', K: 37 },
] as const;

for (const kernel of KERNELS) {
  describe(`matmul with the RoPE epilogue (${kernel.name})`, () => {
    let ctx: KernelContext;
    beforeAll(async () => { ctx = await kernelContext({ choices: { matmul: kernel.matmul } }); });
    const cases: Case[] = [
      { name: 'heads of 12 (not dividing the tile), 45 rows', rows: 45, K: kernel.K, heads: 7, D: 12, T: 20, range: 1 },
      { name: 'heads of 8 over two tiles', rows: 9, K: kernel.K, heads: 10, D: 8, T: 9, range: 1 },
      { name: 'heads of 16, a block of C through an offset', rows: 13, K: kernel.K, heads: 3, D: 16, T: 30, range: 1, before: 2, after: 1 },
      { name: 'extreme values (±1e3)', rows: 20, K: kernel.K, heads: 4, D: 8, T: 64, range: 1e3 },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const cols = c.heads * c.D, ldc = ((c.before ?? 0) + c.heads + (c.after ?? 0)) * c.D, cOff = (c.before ?? 0) * c.D;
        const x = randomArray(c.rows * c.K, 1 + c.rows, -c.range, c.range), w = randomArray(cols * c.K, 2 + cols, -c.range, c.range);
        // Positions as packed rows have them: runs restarting at 0, not the row index.
        const pos = Int32Array.from({ length: c.rows }, (_, r) => (r * 7) % c.T);
        const t = ropeTables(c.T, c.D, 10000);
        const cos = gpuBuffer(ctx, t.cos), sin = gpuBuffer(ctx, t.sin), positions = gpuBuffer(ctx, pos);
        const X = gpuBuffer(ctx, x), W = gpuBuffer(ctx, w);
        const fused = gpuBuffer(ctx, c.rows * ldc), plain = gpuBuffer(ctx, c.rows * ldc);
        const m: MatmulArgs = { M: c.rows, N: cols, K: c.K, transB: true, ldc, cOff };
        await runDispatches(ctx, [
          matmul(ctx, 'q+rope', { c: fused, a: X, b: W }, m, { cos, sin, positions, headDim: c.D }),
          matmul(ctx, 'q', { c: plain, a: X, b: W }, m),
          // rope.wgsl turns whole rows of heads: the plain C's columns from the block's first, as rows of ldc / D heads.
          rope(ctx, 'rope_q', { x: plain, cos, sin, positions }, { nTokens: c.rows, seqLen: c.T, nHeads: ldc / c.D, headDim: c.D }, 1),
        ]);
        const got = await readBuffer(ctx, fused), want = reference(c, x, w, pos);
        const inBlock = (i: number) => i % ldc >= cOff && i % ldc < cOff + cols;
        expectClose('C', got.filter((_, i) => inBlock(i)), want.filter((_, i) => inBlock(i)), 1e-5);
        expect(got.filter((_, i) => !inBlock(i)).every(Number.isNaN), 'columns outside the block untouched').toBe(true);
        const plainGot = await readBuffer(ctx, plain);
        const block = (a: Float32Array) => a.filter((_, i) => inBlock(i));
        expect(bitDiffs(block(got), block(plainGot)), 'values differing from the matmul then rope.wgsl').toBe(0);
      });
    }

    it('refuses what the epilogue cannot do: another orientation, accumulation, a head split at the block\'s start', () => {
      const v = gpuBuffer(ctx, 64), r = { cos: v, sin: v, positions: v, headDim: 8 };
      expect(() => matmul(ctx, 'x', { c: v, a: v, b: v }, { M: 4, N: 8, K: 4 }, r)).toThrow(/forward X W\^T alone/);
      expect(() => matmul(ctx, 'x', { c: v, a: v, b: v }, { M: 4, N: 8, K: 4, transB: true, beta: 1 }, r)).toThrow(/forward X W\^T alone/);
      expect(() => matmul(ctx, 'x', { c: v, a: v, b: v }, { M: 4, N: 8, K: 4, transB: true, cOff: 4, ldc: 16 }, r)).toThrow(/whole heads of 8/);
    });
  });
}
