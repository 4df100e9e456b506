// Binding for shaders/matmul.wgsl: C[M,N] = alpha op(A)[M,K] op(B)[K,N] + beta C, offsets and strides in elements.
import { ceilDiv, uniformBytes, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';

export const MATMUL_TILE = { M: 64, N: 64 } as const; // must match TM / TN in matmul.wgsl

export interface MatmulArgs {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly lda?: number;
  readonly ldb?: number;
  readonly ldc?: number;
  readonly aOff?: number;
  readonly bOff?: number;
  readonly cOff?: number;
  readonly alpha?: number;
  readonly beta?: number;   // 0: overwrite C, 1: accumulate into C
}

export function matmul(ctx: KernelContext, label: string, c: TensorView, a: TensorView, b: TensorView, m: MatmulArgs): Dispatch {
  const transA = m.transA ?? false;
  const transB = m.transB ?? false;
  const lda = m.lda ?? (transA ? m.M : m.K);
  const ldb = m.ldb ?? (transB ? m.K : m.N);
  const ldc = m.ldc ?? m.N;
  const pipeline = ctx.pipeline('matmul', 'main', { TRANS_A: transA, TRANS_B: transB });
  const params = ctx.uniform(`${label}.params`, uniformBytes([
    ['u32', m.M], ['u32', m.N], ['u32', m.K], ['u32', lda], ['u32', ldb], ['u32', ldc],
    ['u32', m.aOff ?? 0], ['u32', m.bOff ?? 0], ['u32', m.cOff ?? 0], ['f32', m.alpha ?? 1], ['f32', m.beta ?? 0],
  ]));
  return ctx.dispatch(label, pipeline, [c, a, b, params], [ceilDiv(m.N, MATMUL_TILE.N), ceilDiv(m.M, MATMUL_TILE.M), 1]);
}
