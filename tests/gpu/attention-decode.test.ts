// Attention against a KV cache (attention_decode.wgsl): the append into the (KV, L, D) cache and R query rows
// at positions pos .. pos + R - 1 against it, checked against causal grouped-query attention written with
// tfjs on the CPU. Outputs, and every cache row no query may see, are poisoned with NaN first: a kernel that
// reads past a row's position or writes a padding row fails.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KernelContext, TensorView } from '../../src/engine/kernel-context';
import { attentionDecode, kvAppend, stepUniform, STEP_UNIFORM_BYTES, type DecodeAttentionShape } from '../../src/engine/kernels/attention-decode';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

let ctx: KernelContext;
beforeAll(async () => { ctx = await kernelContext(); await useCpuBackend(); });

function stepBuffer(pos: number, rows: number): TensorView {
  const buffer = ctx.device.createBuffer({ label: 'test step', size: STEP_UNIFORM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  ctx.device.queue.writeBuffer(buffer, 0, stepUniform(pos, rows));
  return { buffer, offset: 0, size: STEP_UNIFORM_BYTES, label: 'test step' };
}

/** out (rows, H, D): row r attends keys 0 .. pos + r of cache (KV, L, D), head h using key/value head h / (H / KV). */
function reference(q: Float32Array, kc: Float32Array, vc: Float32Array, s: DecodeAttentionShape, pos: number, rows: number): Float32Array {
  const { nHeads: H, nKvHeads: KV, headDim: D, maxLen: L } = s, n = pos + rows;
  return tf.tidy(() => {
    const idx = tf.tensor1d(Array.from({ length: H }, (_, h) => Math.floor(h / (H / KV))), 'int32');
    const qh = tf.transpose(tf.tensor3d(q.subarray(0, rows * H * D), [rows, H, D]), [1, 0, 2]);                 // (H, rows, D)
    const kh = tf.gather(tf.tensor3d(kc, [KV, L, D]).slice([0, 0, 0], [KV, n, D]), idx, 0);                      // (H, n, D)
    const vh = tf.gather(tf.tensor3d(vc, [KV, L, D]).slice([0, 0, 0], [KV, n, D]), idx, 0);
    const allowed = tf.tensor2d(Array.from({ length: rows * n }, (_, e) => (e % n <= pos + Math.floor(e / n) ? 1 : 0)), [rows, n]);
    const scores = tf.add(tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(D)), tf.mul(tf.sub(1, allowed), -1e9));
    return tf.transpose(tf.matMul(tf.softmax(scores, -1), vh), [1, 0, 2]).dataSync() as Float32Array;
  });
}

interface Case { name: string; H: number; KV: number; D: number; L: number; pos: number; R: number; rows: number; range: number; wg?: number }

const CASES: Case[] = [
  { name: 'first position, one row', H: 2, KV: 1, D: 4, L: 5, pos: 0, R: 1, rows: 1, range: 1 },
  { name: 'grouped-query, keys past one 64-key tile', H: 4, KV: 2, D: 12, L: 77, pos: 66, R: 1, rows: 1, range: 1 },
  { name: 'multi-head (KV = H), last position of the cache', H: 3, KV: 3, D: 8, L: 45, pos: 44, R: 1, rows: 1, range: 1 },
  { name: 'prefill chunk with padding rows, small tiles', H: 6, KV: 2, D: 8, L: 40, pos: 9, R: 7, rows: 5, range: 1, wg: 4 },
  { name: 'prefill from position 0, group of 8', H: 8, KV: 1, D: 16, L: 33, pos: 0, R: 13, rows: 13, range: 1, wg: 8 },
  { name: 'extreme scores', H: 4, KV: 1, D: 16, L: 70, pos: 50, R: 3, rows: 3, range: 6, wg: 16 },
];

describe('decode attention', () => {
  for (const c of CASES) {
    it(`${c.name}: H${c.H} KV${c.KV} D${c.D} L${c.L} pos${c.pos} rows ${c.rows}/${c.R}`, async () => {
      const { H, KV, D, L, pos, R, rows } = c;
      const s: DecodeAttentionShape = { rows: R, maxLen: L, nHeads: H, nKvHeads: KV, headDim: D };
      // The cache before this call: rows 0 .. pos - 1 hold keys, everything from pos on is NaN.
      const kc = randomArray(KV * L * D, 1, -c.range, c.range), vc = randomArray(KV * L * D, 2);
      for (let h = 0; h < KV; h++) { kc.fill(NaN, (h * L + pos) * D, (h + 1) * L * D); vc.fill(NaN, (h * L + pos) * D, (h + 1) * L * D); }
      const kNew = randomArray(R * KV * D, 3, -c.range, c.range), vNew = randomArray(R * KV * D, 4);
      const q = randomArray(R * H * D, 5, -c.range, c.range);
      const kBuf = gpuBuffer(ctx, kc, 'k_cache'), vBuf = gpuBuffer(ctx, vc, 'v_cache');
      const out = gpuBuffer(ctx, R * H * D, 'out');
      const step = stepBuffer(pos, rows);
      await runDispatches(ctx, [
        kvAppend(ctx, 'append', { kCache: kBuf, vCache: vBuf, k: gpuBuffer(ctx, kNew), v: gpuBuffer(ctx, vNew), step }, s),
        attentionDecode(ctx, 'decode', { out, q: gpuBuffer(ctx, q), kCache: kBuf, vCache: vBuf, step }, s, c.wg),
      ]);
      // What the append should have left: the new rows at pos .. pos + rows - 1 of each head, NaN after.
      const wantK = kc.slice(), wantV = vc.slice();
      for (let r = 0; r < rows; r++) for (let h = 0; h < KV; h++) {
        wantK.set(kNew.subarray((r * KV + h) * D, (r * KV + h + 1) * D), (h * L + pos + r) * D);
        wantV.set(vNew.subarray((r * KV + h) * D, (r * KV + h + 1) * D), (h * L + pos + r) * D);
      }
      const gotK = await readBuffer(ctx, kBuf), gotV = await readBuffer(ctx, vBuf);
      expect(Array.from(gotK.subarray(0, KV * L * D))).toEqual(Array.from(wantK));
      expect(Array.from(gotV.subarray(0, KV * L * D))).toEqual(Array.from(wantV));
      const got = await readBuffer(ctx, out);
      expectClose('out', got.subarray(0, rows * H * D), reference(q, wantK, wantV, s, pos, rows), 1e-5);
      // Padding rows are left alone.
      expect(got.subarray(rows * H * D, R * H * D).every((x) => Number.isNaN(x))).toBe(true);
    });
  }
});
