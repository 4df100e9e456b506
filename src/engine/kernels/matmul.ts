// Binding for the matmul kernels: C[M,N] = alpha op(A)[M,K] op(B)[K,N] + beta C, offsets and strides in elements.
// Aligned operands (see `vec4Aligned`) go to shaders/matmul_vec4.wgsl in the adapter's layout (tiled through
// workgroup memory on GPUs, direct on CPU-emulated adapters); anything else to the scalar shaders/matmul.wgsl.
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
  const aOff = m.aOff ?? 0, bOff = m.bOff ?? 0;
  const vec4 = vec4Aligned(transA ? m.M : m.K, transB ? m.K : m.N, lda, ldb, aOff, bOff);
  const constants = { TRANS_A: transA, TRANS_B: transB };
  const direct = vec4 && ctx.choices.matmul === 'direct';
  const f16 = vec4 && !direct && ctx.choices.matmulPrecision === 'f16';
  const pipeline = vec4
    ? ctx.pipeline('matmulVec4', direct ? 'direct' : 'tiled', constants, undefined, f16)
    : ctx.pipeline('matmul', 'main', constants);
  const tile = direct ? DIRECT_TILE : MATMUL_TILE;
  const params = ctx.uniform(`${label}.params`, uniformBytes([
    ['u32', m.M], ['u32', m.N], ['u32', m.K], ['u32', lda], ['u32', ldb], ['u32', ldc],
    ['u32', aOff], ['u32', bOff], ['u32', m.cOff ?? 0], ['f32', m.alpha ?? 1], ['f32', m.beta ?? 0],
  ]));
  return ctx.dispatch(label, pipeline, [c, a, b, params], [ceilDiv(m.N, tile.N), ceilDiv(m.M, tile.M), 1]);
}

const DIRECT_TILE = { M: 32, N: 32 } as const;   // DIRECT_WG * 4 in matmul_vec4.wgsl

/**
 * A and B can be read as vec4 when each one's contiguous dimension (A: K, or M when transposed; B: N, or K
 * when transposed), leading dimension and offset are multiples of 4 floats.
 */
export function vec4Aligned(aContiguous: number, bContiguous: number, lda: number, ldb: number, aOff: number, bOff: number): boolean {
  return [aContiguous, bContiguous, lda, ldb, aOff, bOff].every((x) => x % 4 === 0);
}
