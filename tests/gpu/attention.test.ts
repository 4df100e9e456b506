// Flash attention (attention.wgsl, attention_backward.wgsl) against causal grouped-query attention written
// with a materialised T x T score matrix in tfjs on the CPU, forward and gradients of sum(out * dOut); with
// rows packed from several examples (per-token positions), the reference masks every pair across examples.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { attentionBackward, attentionForward, attentionTiles, defaultPositions, type AttentionShape, type AttentionTiles } from '../../src/engine/kernels/attention';
import type { KernelContext } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

let ctx: KernelContext;
beforeAll(async () => { ctx = await kernelContext(); await useCpuBackend(); });

/** Allowed (query, key) pairs per row, (B, 1, T, T): causal, and the key in the query's example. */
function pairMask(pos: Uint32Array, B: number, T: number): tf.Tensor4D {
  const m = new Float32Array(B * T * T);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < T; i++) {
      const first = i - pos[b * T + i];
      for (let j = first; j <= i; j++) m[(b * T + i) * T + j] = 1;
    }
  }
  return tf.tensor4d(m, [B, 1, T, T]);
}

function referenceAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, H: number, KV: number, pos: Uint32Array) {
  const [B, T, , D] = q.shape;
  const idx = tf.tensor1d(Array.from({ length: H }, (_, h) => Math.floor(h / (H / KV))), 'int32');
  const qh = tf.transpose(q, [0, 2, 1, 3]);
  const kh = tf.gather(tf.transpose(k, [0, 2, 1, 3]), idx, 1);
  const vh = tf.gather(tf.transpose(v, [0, 2, 1, 3]), idx, 1);
  const mask = pairMask(pos, B, T);
  const scores = tf.add(tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(D)), tf.mul(tf.sub(1, mask), -1e9));
  const out = tf.transpose(tf.matMul(tf.softmax(scores, -1), vh), [0, 2, 1, 3]).reshape([B, T, H, D]);
  return { out, lse: tf.logSumExp(scores, -1) }; // lse: (B, H, T)
}

interface Case {
  name: string; B: number; T: number; H: number; KV: number; D: number; range: number; tiles?: AttentionTiles;
  /** Example lengths of each row (summing to T); absent: one causal sequence per row. */
  segments?: number[][];
}

function positionsOf(c: Case): Uint32Array {
  if (!c.segments) return defaultPositions(c.B, c.T);
  const pos = new Uint32Array(c.B * c.T);
  c.segments.forEach((row, b) => {
    if (row.reduce((n, x) => n + x, 0) !== c.T) throw new Error(`${c.name}: row ${b}'s segments do not sum to T`);
    let t = 0;
    for (const len of row) for (let p = 0; p < len; p++) pos[b * c.T + t++] = p;
  });
  return pos;
}

const CASES: Case[] = [
  { name: 'tiny', B: 1, T: 3, H: 2, KV: 1, D: 4, range: 1 },
  { name: 'awkward, small tiles', B: 2, T: 45, H: 4, KV: 2, D: 12, range: 1, tiles: { bq: 16, bk: 8, qt: 4 } },
  { name: 'multi-head attention (KV = H)', B: 1, T: 37, H: 3, KV: 3, D: 8, range: 1, tiles: { bq: 8, bk: 16, qt: 8 } },
  { name: 'default tiles, T not a multiple', B: 1, T: 130, H: 4, KV: 1, D: 64, range: 1 },
  { name: 'extreme scores', B: 1, T: 50, H: 2, KV: 1, D: 16, range: 6, tiles: { bq: 16, bk: 8, qt: 8 } },
  // Packed rows: examples start inside tiles and inside groups of four keys, one of length 1, one spanning
  // several key tiles; the second row has other boundaries than the first.
  { name: 'packed examples, small tiles', B: 2, T: 45, H: 4, KV: 2, D: 12, range: 1, tiles: { bq: 16, bk: 8, qt: 4 },
    segments: [[7, 1, 18, 5, 14], [1, 1, 30, 13]] },
  { name: 'packed examples, default tiles', B: 1, T: 130, H: 4, KV: 1, D: 64, range: 1, segments: [[3, 64, 1, 61, 1]] },
  { name: 'packed examples, extreme scores', B: 1, T: 50, H: 2, KV: 1, D: 16, range: 6, tiles: { bq: 16, bk: 8, qt: 8 },
    segments: [[9, 2, 1, 38]] },
];

describe('flash attention', () => {
  for (const c of CASES) {
    it(`${c.name}: B${c.B} T${c.T} H${c.H} KV${c.KV} D${c.D}`, async () => {
      const { B, T, H, KV, D } = c;
      const pos = positionsOf(c);
      const q = randomArray(B * T * H * D, 1, -c.range, c.range), k = randomArray(B * T * KV * D, 2, -c.range, c.range);
      const v = randomArray(B * T * KV * D, 3), dOut = randomArray(B * T * H * D, 4);
      const ref = tf.tidy(() => {
        const Q = tf.tensor4d(q, [B, T, H, D]), K = tf.tensor4d(k, [B, T, KV, D]), Vv = tf.tensor4d(v, [B, T, KV, D]);
        const DO = tf.tensor4d(dOut, [B, T, H, D]);
        const r = referenceAttention(Q, K, Vv, H, KV, pos);
        const [dq, dk, dv] = tf.grads((a: tf.Tensor, b: tf.Tensor, e: tf.Tensor) =>
          tf.sum(tf.mul(referenceAttention(a as tf.Tensor4D, b as tf.Tensor4D, e as tf.Tensor4D, H, KV, pos).out, DO)))([Q, K, Vv]);
        return {
          out: r.out.dataSync() as Float32Array, lse: r.lse.dataSync() as Float32Array,
          dq: dq.dataSync() as Float32Array, dk: dk.dataSync() as Float32Array, dv: dv.dataSync() as Float32Array,
        };
      });
      const shape: AttentionShape = { batch: B, seqLen: T, nHeads: H, nKvHeads: KV, headDim: D };
      const lim = ctx.caps.limits;
      const tiles = c.tiles ?? attentionTiles(D, lim.maxComputeWorkgroupStorageSize, lim.maxComputeInvocationsPerWorkgroup);
      const Q = gpuBuffer(ctx, q), K = gpuBuffer(ctx, k), Vb = gpuBuffer(ctx, v), DO = gpuBuffer(ctx, dOut), P = gpuBuffer(ctx, pos);
      const out = gpuBuffer(ctx, B * T * H * D), lse = gpuBuffer(ctx, B * H * T), delta = gpuBuffer(ctx, B * H * T);
      const dq = gpuBuffer(ctx, B * T * H * D), dk = gpuBuffer(ctx, B * T * KV * D), dv = gpuBuffer(ctx, B * T * KV * D);
      await runDispatches(ctx, [
        attentionForward(ctx, 'att', { out, lse, q: Q, k: K, v: Vb, pos: P }, shape, tiles),
        ...attentionBackward(ctx, 'att.b', { dq, dk, dv, delta, dOut: DO, out, q: Q, k: K, v: Vb, pos: P, lse }, shape, tiles),
      ]);
      expectClose('out', await readBuffer(ctx, out), ref.out, 1e-5);
      expectClose('lse', await readBuffer(ctx, lse), ref.lse, 1e-5);
      expectClose('dq', await readBuffer(ctx, dq), ref.dq, 1e-4);
      expectClose('dk', await readBuffer(ctx, dk), ref.dk, 1e-4);
      expectClose('dv', await readBuffer(ctx, dv), ref.dv, 1e-4);
    });
  }
});
