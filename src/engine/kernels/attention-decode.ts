// Binding for shaders/attention_decode.wgsl: appending new rows' keys and values to a layer's cache, and
// attention of R query rows against it (grouped-query, causal by position).
import { ceilDiv, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';
import { packUniform, type FieldSpec, type KernelContract, type TensorArgs } from '../kernel-contract';

const PARAMS = [['maxLen', 'u32'], ['nHeads', 'u32'], ['nKvHeads', 'u32'], ['scale', 'f32']] as const satisfies readonly FieldSpec[];
const STEP = [['pos', 'u32'], ['rows', 'u32']] as const satisfies readonly FieldSpec[];
const params = { name: 'params', access: 'uniform', fields: PARAMS } as const;
// Written before each submission by the generator, so launches take it as a view.
const step = { name: 'step', access: 'uniform', fields: STEP } as const;

export const KV_APPEND = {
  shader: 'attentionDecode', entry: 'append', overrides: ['WG'],
  bindings: [{ name: 'kCache', access: 'read_write', wgsl: 'k_cache_w' }, { name: 'vCache', access: 'read_write', wgsl: 'v_cache_w' },
    { name: 'k', access: 'read', wgsl: 'k_new' }, { name: 'v', access: 'read', wgsl: 'v_new' }, params, step],
} as const satisfies KernelContract;

export const ATTENTION_DECODE = {
  shader: 'attentionDecode', entry: 'decode', overrides: ['WG', 'GROUP'],
  bindings: [{ name: 'out', access: 'read_write' }, { name: 'q', access: 'read' }, { name: 'kCache', access: 'read' },
    { name: 'vCache', access: 'read' }, params, step],
} as const satisfies KernelContract;

export const ATTENTION_DECODE_CONTRACTS: readonly KernelContract[] = [KV_APPEND, ATTENTION_DECODE];

export interface DecodeAttentionShape {
  readonly rows: number;      // R: query rows planned per call (1 when decoding, a chunk when prefilling)
  readonly maxLen: number;    // L: cache rows per key/value head
  readonly nHeads: number;    // H
  readonly nKvHeads: number;  // KV
  readonly headDim: number;   // D
}

/** The per-call position uniform both entry points read: [pos, rows] as u32, written before each submission. */
export const STEP_UNIFORM_BYTES = 16;
export const stepUniform = (pos: number, rows: number): ArrayBuffer => packUniform(STEP, { pos, rows });

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

const shapeParams = (s: DecodeAttentionShape) =>
  ({ maxLen: s.maxLen, nHeads: s.nHeads, nKvHeads: s.nKvHeads, scale: 1 / Math.sqrt(s.headDim) });

const APPEND_WG = 64;

/** kCache, vCache (KV, L, D) rows pos .. pos + rows - 1 = k, v (R, KV, D). */
export function kvAppend(ctx: KernelContext, label: string, t: TensorArgs<typeof KV_APPEND> & { readonly step: TensorView },
  s: DecodeAttentionShape): Dispatch {
  const n = s.rows * s.nKvHeads * (s.headDim / 4);
  return ctx.launch(KV_APPEND, label, { ...t, params: shapeParams(s) }, ctx.grid(ceilDiv(n, APPEND_WG)), { WG: APPEND_WG },
    { headDim: s.headDim });
}

/** out (R, H, D) from q (R, H, D) after RoPE against kCache, vCache (KV, L, D), rows of `step` only. */
export function attentionDecode(ctx: KernelContext, label: string, t: TensorArgs<typeof ATTENTION_DECODE> & { readonly step: TensorView },
  s: DecodeAttentionShape, wg?: number): Dispatch {
  const lim = ctx.caps.limits;
  const WG = wg ?? decodeWorkgroup(s, lim.maxComputeWorkgroupStorageSize, lim.maxComputeInvocationsPerWorkgroup);
  return ctx.launch(ATTENTION_DECODE, label, { ...t, params: shapeParams(s) }, [s.rows, s.nKvHeads, 1], { WG, GROUP: s.nHeads / s.nKvHeads },
    { headDim: s.headDim });
}
