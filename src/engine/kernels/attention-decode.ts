// Binding for shaders/attention_decode.wgsl: appending new rows' keys and values to a layer's cache, and
// attention of R query rows against it (grouped-query, causal by position).
import { ceilDiv, uniformBytes, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';

export interface DecodeAttentionShape {
  readonly rows: number;      // R: query rows planned per call (1 when decoding, a chunk when prefilling)
  readonly maxLen: number;    // L: cache rows per key/value head
  readonly nHeads: number;    // H
  readonly nKvHeads: number;  // KV
  readonly headDim: number;   // D
}

/** The per-call position uniform both entry points read: [pos, rows] as u32, written before each submission. */
export const STEP_UNIFORM_BYTES = 16;
export const stepUniform = (pos: number, rows: number): Uint32Array => new Uint32Array([pos, rows, 0, 0]);

/**
 * Invocations per decode workgroup (= keys per tile): 64, halved while the group's staged queries, outputs and
 * scores would not fit the adapter's workgroup memory.
 */
export function decodeWorkgroup(s: DecodeAttentionShape, workgroupBytes: number, maxInvocations: number): number {
  const group = s.nHeads / s.nKvHeads;
  const fixed = 2 * group * s.headDim * 4 + 3 * group * 4;   // q_s, acc, m/l/corr
  let wg = Math.min(64, maxInvocations);
  while (wg > 4 && fixed + group * wg * 4 > workgroupBytes) wg /= 2;
  if (fixed + group * wg * 4 > workgroupBytes) {
    throw new Error(`decode attention: ${group} query heads of dim ${s.headDim} per key/value head need more than this adapter's ` +
      `${workgroupBytes} bytes of workgroup memory`);
  }
  return wg;
}

const params = (ctx: KernelContext, label: string, s: DecodeAttentionShape) => ctx.uniform(`${label}.params`, uniformBytes([
  ['u32', s.maxLen], ['u32', s.nHeads], ['u32', s.nKvHeads], ['f32', 1 / Math.sqrt(s.headDim)],
]));

const APPEND_WG = 64;

/** kCache, vCache (KV, L, D) rows pos .. pos + rows - 1 = k, v (R, KV, D). */
export function kvAppend(ctx: KernelContext, label: string, kCache: TensorView, vCache: TensorView,
  k: TensorView, v: TensorView, step: TensorView, s: DecodeAttentionShape): Dispatch {
  const pipeline = ctx.pipeline('attentionDecode', 'append', { WG: APPEND_WG }, s.headDim);
  const n = s.rows * s.nKvHeads * (s.headDim / 4);
  return ctx.dispatch(label, pipeline, [kCache, vCache, k, v, params(ctx, label, s), step], ctx.grid(ceilDiv(n, APPEND_WG)));
}

/** out (R, H, D) from q (R, H, D) after RoPE against kCache, vCache (KV, L, D), rows of `step` only. */
export function attentionDecode(ctx: KernelContext, label: string, out: TensorView, q: TensorView,
  kCache: TensorView, vCache: TensorView, step: TensorView, s: DecodeAttentionShape, wg?: number): Dispatch {
  const lim = ctx.caps.limits;
  const WG = wg ?? decodeWorkgroup(s, lim.maxComputeWorkgroupStorageSize, lim.maxComputeInvocationsPerWorkgroup);
  const pipeline = ctx.pipeline('attentionDecode', 'decode', { WG, GROUP: s.nHeads / s.nKvHeads }, s.headDim);
  return ctx.dispatch(label, pipeline, [out, q, kCache, vCache, params(ctx, label, s), step], [s.rows, s.nKvHeads, 1]);
}
