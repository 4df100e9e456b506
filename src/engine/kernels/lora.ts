// Binding for shaders/lora.wgsl: a LoRA adapter on one linear layer, y = x W^T + s (x A^T) B^T with
// A (r, in), B (out, r), s = alpha / r. The base product is the caller's (linearForward); these add the
// adapter's part forward and its gradients backward: the rank-r strips on lora.wgsl, the two short-K wide
// products on the engine's matmul.
import { ceilDiv, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';
import type { KernelContract, TensorArgs } from '../kernel-contract';
import { matmul } from './matmul';

/** Invocations per workgroup; TM rows x RQ rank quads fill it at every rank. */
const LORA_WG = 256;
/** K per staged block (lora.wgsl's TK). */
const TK = 16;

export interface LoraShape {
  readonly rows: number;   // N: tokens
  readonly in: number;
  readonly out: number;
  readonly rank: number;   // r
  readonly scale: number;  // s = alpha / r
}

/** The workgroup layout for a rank: up to 16 quads (64 ranks) per workgroup, the rest of 256 as rows. */
export function loraTiles(rank: number): { TM: number; RQ: number } {
  const RQ = Math.min(16, ceilDiv(rank, 4));
  // RQ rounded up to a power of two so TM * RQ divides 256: TM is 64 rows up to rank 16, then 32, then 16.
  const rq = 2 ** Math.ceil(Math.log2(RQ));
  return { TM: Math.min(64, LORA_WG / rq), RQ: rq };
}

/** Workgroup memory one LoRA pipeline needs (bytes), for checks against the adapter's limit. */
export const loraWorkgroupBytes = (rank: number): number => { const t = loraTiles(rank); return (TK * t.TM + TK * t.RQ * 4) * 4; };

interface SkinnyArgs {
  readonly M: number; readonly R: number; readonly K: number;
  readonly transA?: boolean; readonly transB?: boolean; readonly transC?: boolean;
  readonly lda: number; readonly ldb: number; readonly ldc: number;
  readonly alpha?: number; readonly beta?: number;
}

export const LORA = {
  shader: 'lora', entry: 'main', overrides: ['TRANS_A', 'TRANS_B', 'TRANS_C', 'TM', 'RQ', 'TK'],
  bindings: [{ name: 'c', access: 'read_write' }, { name: 'a', access: 'read' }, { name: 'b', access: 'read' }, {
    name: 'params', access: 'uniform',
    fields: [['M', 'u32'], ['R', 'u32'], ['K', 'u32'], ['lda', 'u32'], ['ldb', 'u32'], ['ldc', 'u32'],
      ['aOff', 'u32'], ['bOff', 'u32'], ['cOff', 'u32'], ['alpha', 'f32'], ['beta', 'f32']],
  }],
} as const satisfies KernelContract;

/** C[M, R] (or C^T when transC) = alpha op(A) op(B) + beta C on lora.wgsl. */
export function loraSkinny(ctx: KernelContext, label: string, t: TensorArgs<typeof LORA>, m: SkinnyArgs): Dispatch {
  const { TM, RQ } = loraTiles(m.R);
  const params = {
    M: m.M, R: m.R, K: m.K, lda: m.lda, ldb: m.ldb, ldc: m.ldc, aOff: 0, bOff: 0, cOff: 0, alpha: m.alpha ?? 1, beta: m.beta ?? 0,
  };
  return ctx.launch(LORA, label, { ...t, params }, [ceilDiv(m.R, 4 * RQ), ceilDiv(m.M, TM), 1],
    { TRANS_A: m.transA ?? false, TRANS_B: m.transB ?? false, TRANS_C: m.transC ?? false, TM, RQ, TK });
}

/**
 * Forward: u (N, r) = x (N, in) A^T, then y (N, out) += s u B^T. `u` is saved for the backward.
 */
export function loraForward(ctx: KernelContext, label: string, t: {
  readonly y: TensorView; readonly u: TensorView; readonly x: TensorView; readonly a: TensorView; readonly b: TensorView;
}, s: LoraShape): Dispatch[] {
  const r = s.rank, { y, u, x, a, b } = t;
  return [
    loraSkinny(ctx, `${label}.lora_A`, { c: u, a: x, b: a }, { M: s.rows, R: r, K: s.in, transB: true, lda: s.in, ldb: s.in, ldc: r }),
    matmul(ctx, `${label}.lora_B`, { c: y, a: u, b }, {
      M: s.rows, N: s.out, K: r, transB: true, lda: r, ldb: r, ldc: s.out, alpha: s.scale, beta: 1,
    }),
  ];
}

/**
 * Backward, with dy (N, out) the gradient at the layer's output:
 *   dB (out, r) += s dy^T u      du (N, r) = s dy B      dA (r, in) += du^T x      dx (N, in) += du A
 * dA and dB accumulate (micro-batches add up, as every weight gradient does); dx adds to the base's dx,
 * which must already be written; du is scratch.
 */
export function loraBackward(ctx: KernelContext, label: string, t: {
  readonly dA: TensorView; readonly dB: TensorView; readonly dx: TensorView; readonly du: TensorView; readonly dy: TensorView;
  readonly x: TensorView; readonly u: TensorView; readonly a: TensorView; readonly b: TensorView;
}, s: LoraShape): Dispatch[] {
  const r = s.rank, N = s.rows, { dA, dB, dx, du, dy, x, u, a, b } = t;
  return [
    loraSkinny(ctx, `${label}.lora_B.dw`, { c: dB, a: dy, b: u }, { M: s.out, R: r, K: N, transA: true, lda: s.out, ldb: r, ldc: r, alpha: s.scale, beta: 1 }),
    loraSkinny(ctx, `${label}.lora_B.dx`, { c: du, a: dy, b }, { M: N, R: r, K: s.out, lda: s.out, ldb: r, ldc: r, alpha: s.scale }),
    loraSkinny(ctx, `${label}.lora_A.dw`, { c: dA, a: x, b: du }, { M: s.in, R: r, K: N, transA: true, transC: true, lda: s.in, ldb: r, ldc: s.in, beta: 1 }),
    matmul(ctx, `${label}.lora_A.dx`, { c: dx, a: du, b: a }, { M: N, N: s.in, K: r, lda: r, ldb: s.in, ldc: s.in, beta: 1 }),
  ];
}
