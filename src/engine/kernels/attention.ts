// Bindings for shaders/attention.wgsl and attention_backward.wgsl (causal grouped-query flash attention).
// `pos` (B, T) u32 is each token's place within its example: query i attends to keys i - pos[i] .. i, so a row
// packed with several examples keeps them apart. One document per row: pos[b, t] = t (defaultPositions).
import { ceilDiv, uniformBytes, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';

export interface AttentionShape {
  readonly batch: number;    // B
  readonly seqLen: number;   // T
  readonly nHeads: number;   // H
  readonly nKvHeads: number; // KV
  readonly headDim: number;  // D
}

/** Tile sizes; powers of two. Chosen from the head dim and the adapter's workgroup memory unless given. */
export interface AttentionTiles {
  readonly bq: number;   // query rows per workgroup (forward, dq)
  readonly bk: number;   // key rows per staged tile (forward, dq) and per workgroup (dkdv)
  readonly qt: number;   // query rows per staged tile (dkdv)
}

export function attentionTiles(headDim: number, workgroupBytes: number, maxInvocations: number): AttentionTiles {
  const rowBytes = headDim * 4;
  let bk = 32;
  while (bk > 4 && 2 * bk * rowBytes > workgroupBytes) bk /= 2;
  let qt = 16;
  while (qt > 4 && qt * (2 * rowBytes + 12) > workgroupBytes) qt /= 2;   // q and dO rows, lse, delta, example start
  return { bq: Math.min(64, maxInvocations), bk, qt };
}

const params = (ctx: KernelContext, label: string, s: AttentionShape) => ctx.uniform(`${label}.params`, uniformBytes([
  ['u32', s.seqLen], ['u32', s.nHeads], ['u32', s.nKvHeads], ['f32', 1 / Math.sqrt(s.headDim)],
]));

/** pos[b, t] = t: every row one causal sequence (pretraining, evaluation). */
export function defaultPositions(batch: number, seqLen: number): Uint32Array {
  const pos = new Uint32Array(batch * seqLen);
  for (let i = 0; i < pos.length; i++) pos[i] = i % seqLen;
  return pos;
}

/** out (B,T,H,D) and lse (B,H,T) from q (B,T,H,D), k, v (B,T,KV,D) and pos (B,T). */
export function attentionForward(ctx: KernelContext, label: string, out: TensorView, lse: TensorView,
  q: TensorView, k: TensorView, v: TensorView, pos: TensorView, s: AttentionShape, t: AttentionTiles): Dispatch {
  if (t.bk % 4 !== 0) throw new Error(`${label}: key tile ${t.bk} must be a multiple of 4 (keys are scored four at a time)`);
  const pipeline = ctx.pipeline('attention', 'forward', { BQ: t.bq, BK: t.bk }, s.headDim);
  return ctx.dispatch(label, pipeline, [out, lse, q, k, v, pos, params(ctx, label, s)], [ceilDiv(s.seqLen, t.bq), s.nHeads, s.batch]);
}

/** The backward: delta = rowsum(dO * O), then dQ, then dK and dV. */
export function attentionBackward(ctx: KernelContext, label: string,
  dq: TensorView, dk: TensorView, dv: TensorView, delta: TensorView,
  dOut: TensorView, out: TensorView, q: TensorView, k: TensorView, v: TensorView, pos: TensorView, lse: TensorView,
  s: AttentionShape, t: AttentionTiles): Dispatch[] {
  const c = { BQ: t.bq, BK: t.bk, QT: t.qt, WG: 64 };
  const p = params(ctx, label, s);
  return [
    ctx.dispatch(`${label}.prep`, ctx.pipeline('attentionBackward', 'prep', c, s.headDim),
      [delta, dOut, out, p], [ceilDiv(s.seqLen, 64), s.nHeads, s.batch]),
    ctx.dispatch(`${label}.dq`, ctx.pipeline('attentionBackward', 'dq_main', c, s.headDim),
      [dq, dOut, q, k, v, pos, lse, delta, p], [ceilDiv(s.seqLen, t.bq), s.nHeads, s.batch]),
    ctx.dispatch(`${label}.dkdv`, ctx.pipeline('attentionBackward', 'dkdv_main', c, s.headDim),
      [dk, dv, dOut, q, k, v, pos, lse, delta, p], [ceilDiv(s.seqLen, t.bk), s.nKvHeads, s.batch]),
  ];
}
