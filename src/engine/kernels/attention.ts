// Bindings for shaders/attention.wgsl and attention_backward.wgsl (causal grouped-query flash attention).
// `pos` (B, T) u32 is each token's place within its example: query i attends to keys i - pos[i] .. i, so a row
// packed with several examples keeps them apart. One document per row: pos[b, t] = t (defaultPositions).
import { ceilDiv, type Dispatch, type KernelContext } from '../kernel-context';
import { packUniform, type FieldSpec, type KernelContract, type TensorArgs } from '../kernel-contract';

const PREP_WG = 64;  // invocations per workgroup of the backward's delta pass

const PARAMS = [['seqLen', 'u32'], ['nHeads', 'u32'], ['nKvHeads', 'u32'], ['scale', 'f32']] as const satisfies readonly FieldSpec[];
const params = { name: 'params', access: 'uniform', fields: PARAMS } as const;

export const ATTENTION_FORWARD = {
  shader: 'attention', entry: 'forward', overrides: ['BQ', 'BK'],
  bindings: [{ name: 'out', access: 'read_write' }, { name: 'lse', access: 'read_write' }, { name: 'q', access: 'read' },
    { name: 'k', access: 'read' }, { name: 'v', access: 'read' }, { name: 'pos', access: 'read' }, params],
} as const satisfies KernelContract;

// The backward's three entry points share one module, so each names its bindings with its own suffix.
export const ATTENTION_PREP = {
  shader: 'attentionBackward', entry: 'prep', overrides: ['WG'],
  bindings: [{ name: 'delta', access: 'read_write', wgsl: 'delta_out' }, { name: 'dOut', access: 'read', wgsl: 'd_out_p' },
    { name: 'out', access: 'read', wgsl: 'out_p' }, params],
} as const satisfies KernelContract;

const saved = (x: string) => [{ name: 'dOut', access: 'read', wgsl: `d_out_${x}` }, { name: 'q', access: 'read', wgsl: `q_${x}` },
  { name: 'k', access: 'read', wgsl: `k_${x}` }, { name: 'v', access: 'read', wgsl: `v_${x}` }, { name: 'pos', access: 'read', wgsl: `pos_${x}` },
  { name: 'lse', access: 'read', wgsl: `lse_${x}` }, { name: 'delta', access: 'read', wgsl: `delta_${x}` }] as const;

export const ATTENTION_DQ = {
  shader: 'attentionBackward', entry: 'dq_main', overrides: ['BQ', 'BK'],
  bindings: [{ name: 'dq', access: 'read_write' }, ...saved('q'), params],
} as const satisfies KernelContract;

export const ATTENTION_DKDV = {
  shader: 'attentionBackward', entry: 'dkdv_main', overrides: ['BK', 'QT'],
  bindings: [{ name: 'dk', access: 'read_write' }, { name: 'dv', access: 'read_write' }, ...saved('k'), params],
} as const satisfies KernelContract;

export const ATTENTION_CONTRACTS: readonly KernelContract[] = [ATTENTION_FORWARD, ATTENTION_PREP, ATTENTION_DQ, ATTENTION_DKDV];

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

const shapeParams = (s: AttentionShape) =>
  ({ seqLen: s.seqLen, nHeads: s.nHeads, nKvHeads: s.nKvHeads, scale: 1 / Math.sqrt(s.headDim) });

/** pos[b, t] = t: every row one causal sequence (pretraining, evaluation). */
export function defaultPositions(batch: number, seqLen: number): Uint32Array {
  const pos = new Uint32Array(batch * seqLen);
  for (let i = 0; i < pos.length; i++) pos[i] = i % seqLen;
  return pos;
}

/** out (B,T,H,D) and lse (B,H,T) from q (B,T,H,D), k, v (B,T,KV,D) and pos (B,T). */
export function attentionForward(ctx: KernelContext, label: string, t: TensorArgs<typeof ATTENTION_FORWARD>,
  s: AttentionShape, tiles: AttentionTiles): Dispatch {
  if (tiles.bk % 4 !== 0) throw new Error(`${label}: key tile ${tiles.bk} must be a multiple of 4 (keys are scored four at a time)`);
  return ctx.launch(ATTENTION_FORWARD, label, { ...t, params: shapeParams(s) }, [ceilDiv(s.seqLen, tiles.bq), s.nHeads, s.batch],
    { BQ: tiles.bq, BK: tiles.bk }, { headDim: s.headDim });
}

export type AttentionBackwardArgs = TensorArgs<typeof ATTENTION_PREP> & TensorArgs<typeof ATTENTION_DQ> & TensorArgs<typeof ATTENTION_DKDV>;

/** The backward: delta (B,H,T) = rowsum(dOut * out), then dq, then dk and dv. */
export function attentionBackward(ctx: KernelContext, label: string, t: AttentionBackwardArgs,
  s: AttentionShape, tiles: AttentionTiles): Dispatch[] {
  const v = { headDim: s.headDim };
  const p = ctx.uniform(`${label}.params`, packUniform(PARAMS, shapeParams(s)));   // one block for the three passes
  const { dq, dk, dv, delta, dOut, out, q, k, v: vv, pos, lse } = t;
  return [
    ctx.launch(ATTENTION_PREP, `${label}.prep`, { delta, dOut, out, params: p }, [ceilDiv(s.seqLen, PREP_WG), s.nHeads, s.batch],
      { WG: PREP_WG }, v),
    ctx.launch(ATTENTION_DQ, `${label}.dq`, { dq, dOut, q, k, v: vv, pos, lse, delta, params: p },
      [ceilDiv(s.seqLen, tiles.bq), s.nHeads, s.batch], { BQ: tiles.bq, BK: tiles.bk }, v),
    ctx.launch(ATTENTION_DKDV, `${label}.dkdv`, { dk, dv, dOut, q, k, v: vv, pos, lse, delta, params: p },
      [ceilDiv(s.seqLen, tiles.bk), s.nKvHeads, s.batch], { BK: tiles.bk, QT: tiles.qt }, v),
  ];
}
