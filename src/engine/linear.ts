// A linear layer Y = X W^T (W stored [out, in]) in its three matmul orientations, over the row pieces a
// large weight may be split into (each piece is a block of output features / columns of Y). The input X may be
// SwiGLU's silu(gate) * up, read from gate and up (a SwigluOperand): the down projection of the fused graph.
// The forward may end in RoPE (a RopeEpilogue: the fused graph's q and k projections), when every piece of the
// weight is whole heads (ropeFits).
import type { Dispatch, KernelContext, TensorView } from './kernel-context';
import type { TablePiece } from './kernels/embedding';
import { matmul, matmulSplitK, type MatmulOperand, type RopeEpilogue } from './kernels/matmul';

export interface LinearShape {
  readonly rows: number;   // N: tokens
  readonly in: number;
  readonly out: number;
  readonly xOff?: number;  // element offset of the first row in X / dX (a chunk of the tokens)
}

/** y (N, out) = x (N, in) W^T, then, with `rope`, each row's heads turned at the row's position. */
export function linearForward(ctx: KernelContext, label: string, y: TensorView, x: MatmulOperand,
  w: readonly TablePiece[], s: LinearShape, yOff = 0, rope?: RopeEpilogue): Dispatch[] {
  return w.map((p, k) => matmul(ctx, `${label}#${k}`, { c: y, a: x, b: p.view }, {
    M: s.rows, N: p.rowEnd - p.rowBegin, K: s.in, transB: true, lda: s.in, ldb: s.in, ldc: s.out,
    aOff: s.xOff ?? 0, cOff: yOff + p.rowBegin,
  }, rope));
}

/** Whether the RoPE epilogue can run on this weight: every row piece whole heads of `headDim`. */
export const ropeFits = (w: readonly TablePiece[], headDim: number): boolean =>
  headDim % 4 === 0 && w.every((p) => p.rowBegin % headDim === 0 && p.rowEnd % headDim === 0);

/** dx (N, in) (+)= dy (N, out) W; `accumulate` adds into dx instead of overwriting it. */
export function linearBackwardInput(ctx: KernelContext, label: string, dx: TensorView, dy: TensorView,
  w: readonly TablePiece[], s: LinearShape, accumulate: boolean, dyOff = 0): Dispatch[] {
  return w.map((p, k) => matmul(ctx, `${label}#${k}`, { c: dx, a: dy, b: p.view }, {
    M: s.rows, N: s.in, K: p.rowEnd - p.rowBegin, lda: s.out, ldb: s.in, ldc: s.in,
    aOff: dyOff + p.rowBegin, cOff: s.xOff ?? 0, beta: accumulate || k > 0 ? 1 : 0,
  }));
}

/** dW (out, in) += dy^T (out, N) x (N, in) */
export function linearBackwardWeight(ctx: KernelContext, label: string, dw: readonly TablePiece[], dy: TensorView,
  x: MatmulOperand, s: LinearShape, dyOff = 0): Dispatch[] {
  return dw.flatMap((p, k) => matmulSplitK(ctx, `${label}#${k}`, { c: p.view, a: dy, b: x }, {
    M: p.rowEnd - p.rowBegin, N: s.in, K: s.rows, transA: true, lda: s.out, ldb: s.in, ldc: s.in,
    aOff: dyOff + p.rowBegin, bOff: s.xOff ?? 0, beta: 1,
  }));
}
