// Binding for the matmul kernels: C[M,N] = alpha op(A)[M,K] op(B)[K,N] + beta C, offsets and strides in elements.
// Aligned operands (see `vec4Aligned`) go to shaders/matmul_vec4.wgsl in the adapter's layout (tiled through
// workgroup memory on GPUs, direct on CPU-emulated adapters); anything else to the scalar shaders/matmul.wgsl.
// `matmulSplitK` adds split-K for outputs with too few tiles to fill a GPU (weight gradients of small layers).
import { ceilDiv, uniformBytes, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';
import type { KernelContract } from '../kernel-contract';

export const MATMUL_TILE = { M: 64, N: 64, K: 16 } as const; // must match TM / TN / TK in the matmul shaders
const DIRECT_TILE = { M: 32, N: 32 } as const;               // DIRECT_WG * 4 in matmul_vec4.wgsl
const REDUCE_WG = 256;

export const SPLITK_REDUCE = {
  shader: 'splitkReduce', entry: 'main', overrides: ['WG'],
  bindings: [{ name: 'c', access: 'read_write' }, { name: 'scratch', access: 'read' }, {
    name: 'params', access: 'uniform', fields: [['M', 'u32'], ['N', 'u32'], ['ldc', 'u32'], ['cOff', 'u32'], ['layers', 'u32'], ['beta', 'f32']],
  }],
} as const satisfies KernelContract;

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

/**
 * A and B can be read as vec4 when each one's contiguous dimension (A: K, or M when transposed; B: N, or K
 * when transposed), leading dimension and offset are multiples of 4 floats.
 */
export function vec4Aligned(aContiguous: number, bContiguous: number, lda: number, ldb: number, aOff: number, bOff: number): boolean {
  return [aContiguous, bContiguous, lda, ldb, aOff, bOff].every((x) => x % 4 === 0);
}

/** One matmul dispatch; `split` layers of K (each `kSplit` long) write partials `cSplit` floats apart. */
function matmulDispatch(ctx: KernelContext, label: string, c: TensorView, a: TensorView, b: TensorView, m: MatmulArgs,
  split = { layers: 1, kSplit: m.K, cSplit: 0 }): Dispatch {
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
  // A half-precision B (a frozen weight stored as f16) is unpacked to f32 as it is loaded; A never is.
  if (a.dtype === 'f16' || c.dtype === 'f16') throw new Error(`${label}: only the B operand may be stored as f16`);
  const bF16 = b.dtype === 'f16';
  const pipeline = vec4
    ? ctx.pipeline('matmulVec4', direct ? 'direct' : 'tiled', constants, undefined, f16, bF16)
    : ctx.pipeline('matmul', 'main', constants, undefined, false, bF16);
  const tile = direct ? DIRECT_TILE : MATMUL_TILE;
  const params = ctx.uniform(`${label}.params`, uniformBytes([
    ['u32', m.M], ['u32', m.N], ['u32', m.K], ['u32', lda], ['u32', ldb], ['u32', ldc],
    ['u32', aOff], ['u32', bOff], ['u32', m.cOff ?? 0], ['f32', m.alpha ?? 1], ['f32', m.beta ?? 0],
    ['u32', split.kSplit], ['u32', split.cSplit],
  ]));
  return ctx.dispatch(label, pipeline, [c, a, b, params], [ceilDiv(m.N, tile.N), ceilDiv(m.M, tile.M), split.layers]);
}

export function matmul(ctx: KernelContext, label: string, c: TensorView, a: TensorView, b: TensorView, m: MatmulArgs): Dispatch {
  return matmulDispatch(ctx, label, c, a, b, m);
}

/** Workgroups a GPU wants in flight; fewer output tiles than this call for split-K. */
const TARGET_WORKGROUPS = 256;
/** Shortest K range worth a layer of its own. */
const MIN_K_PER_LAYER = 256;

/** How many layers to split K into (1: no split), within the context's split-K scratch. */
export function splitKLayers(ctx: KernelContext, m: MatmulArgs): number {
  if (ctx.choices.matmul !== 'tiled') return 1;   // a CPU-emulated adapter has no idle cores to fill
  const tiles = ceilDiv(m.M, MATMUL_TILE.M) * ceilDiv(m.N, MATMUL_TILE.N);
  const byOccupancy = Math.ceil(TARGET_WORKGROUPS / tiles);
  const byLength = Math.floor(m.K / MIN_K_PER_LAYER);
  const byScratch = Math.floor(ctx.splitKScratchBytes / (m.M * m.N * 4));
  return Math.max(1, Math.min(byOccupancy, byLength, byScratch));
}

/**
 * C = alpha op(A) op(B) + beta C, with K split across workgroup layers when the output alone has too few
 * tiles for the GPU: the layers write partial products to the context's scratch, then splitk_reduce.wgsl
 * adds them into C in a fixed order (deterministic).
 */
export function matmulSplitK(ctx: KernelContext, label: string, c: TensorView, a: TensorView, b: TensorView, m: MatmulArgs): Dispatch[] {
  const want = splitKLayers(ctx, m);
  if (want <= 1) return [matmul(ctx, label, c, a, b, m)];
  const kSplit = Math.ceil(m.K / want / MATMUL_TILE.K) * MATMUL_TILE.K;   // a whole number of K tiles (and of vec4)
  const layers = ceilDiv(m.K, kSplit);
  const mn = m.M * m.N;
  const scratch = ctx.splitKScratch();
  const partial = matmulDispatch(ctx, `${label}.splitk`, scratch, a, b,
    { ...m, ldc: m.N, cOff: 0, beta: 0 }, { layers, kSplit, cSplit: mn });
  const reduce = ctx.launch(SPLITK_REDUCE, `${label}.reduce`, {
    c, scratch, params: { M: m.M, N: m.N, ldc: m.ldc ?? m.N, cOff: m.cOff ?? 0, layers, beta: m.beta ?? 0 },
  }, ctx.grid(ceilDiv(mn, REDUCE_WG)), { WG: REDUCE_WG });
  return [partial, reduce];
}
