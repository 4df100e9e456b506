// Binding for the matmul kernels: C[M,N] = alpha op(A)[M,K] op(B)[K,N] + beta C, offsets and strides in elements.
// On GPUs, aligned operands (see `vec4Aligned`) go to shaders/matmul_vec4.wgsl's `tiled` layout (staged in
// workgroup memory), anything else to the scalar shaders/matmul.wgsl. CPU-emulated adapters take the `lanes`
// layouts (matmul_lanes_n.wgsl, matmul_lanes_k.wgsl: scalar reads arranged for a CPU's SIMD lanes, any
// alignment), or, where an adapter lacks subgroups of four for lanes_k, matmul_vec4.wgsl's `direct`.
// `matmulSplitK` adds split-K for outputs with too few tiles to fill a GPU (weight gradients of small layers).
// Either operand may be SwiGLU's silu(gate) * up (a SwigluOperand), computed from gate and up as it is loaded:
// the down projection's input, which the fused graph never writes (each layout has a SwiGLU-A and a SwiGLU-B
// variant of its text, shaders.ts). The forward orientation may take RoPE as its epilogue (a RopeEpilogue: the
// q / k projections, C's columns whole heads, each row turned at its position as it is stored; the RoPE
// variant). The tile sizes live here only: the shaders take them as override constants.
import { ceilDiv, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';
import type { FieldSpec, KernelArgs, KernelContract } from '../kernel-contract';

/** The tiled layouts' tile (TM, TN, TK): 256 invocations of 4 x 4 outputs; vec4 staging needs M = N = 4 K. */
export const MATMUL_TILE = { M: 64, N: 64, K: 16 } as const;
/** The direct layout's workgroup is DIRECT_WG x DIRECT_WG invocations of 4 x 4 outputs: a 32 x 32 tile. */
const DIRECT_WG = 8;
const DIRECT_TILE = { M: 4 * DIRECT_WG, N: 4 * DIRECT_WG } as const;
const REDUCE_WG = 256;
/** The lanes layouts' blocks (the shaders' constants): lanes_n, X invocations along n, each N_ROWS rows at 4
 *  columns X apart; lanes_k, four invocations (one subgroup) per K_ROWS x COLS block. */
export const LANES = { X: 16, N_ROWS: 16, K_ROWS: 8, COLS: 8 } as const;

const PARAMS = [['M', 'u32'], ['N', 'u32'], ['K', 'u32'], ['lda', 'u32'], ['ldb', 'u32'], ['ldc', 'u32'],
  ['aOff', 'u32'], ['bOff', 'u32'], ['cOff', 'u32'], ['alpha', 'f32'], ['beta', 'f32'], ['kSplit', 'u32'], ['cSplit', 'u32'],
] as const satisfies readonly FieldSpec[];
// b is f32, or packed f16 pairs when the weight is stored in half precision (the shader's bF16 variant).
const params = { name: 'params', access: 'uniform', fields: PARAMS } as const;
const c = { name: 'c', access: 'read_write' } as const;
const gateUp = [{ name: 'gate', access: 'read' }, { name: 'up', access: 'read' }] as const;
const operands = [c, { name: 'a', access: 'read' }, { name: 'b', access: 'read' }, params] as const;
// A (or B) as silu(gate) * up: its one binding becomes gate and up (ShaderVariant.swiglu).
const swigluA = [c, ...gateUp, { name: 'b', access: 'read' }, params] as const;
const swigluB = [c, { name: 'a', access: 'read' }, ...gateUp, params] as const;
// The RoPE epilogue's tables (T, D/2) and each row's position (N) in front of the uniform (ShaderVariant.rope).
const ropeOperands = [c, { name: 'a', access: 'read' }, { name: 'b', access: 'read' }, { name: 'cos', access: 'read', wgsl: 'cos_t' },
  { name: 'sin', access: 'read', wgsl: 'sin_t' }, { name: 'positions', access: 'read', wgsl: 'pos' }, params] as const;

export const MATMUL = {
  shader: 'matmul', entry: 'main', overrides: ['TRANS_A', 'TRANS_B', 'TM', 'TN', 'TK'], bindings: operands,
} as const satisfies KernelContract;

export const MATMUL_VEC4_TILED = {
  shader: 'matmulVec4', entry: 'tiled', overrides: ['TRANS_A', 'TRANS_B', 'TM', 'TN', 'TK'], bindings: operands,
} as const satisfies KernelContract;

export const MATMUL_VEC4_DIRECT = {
  shader: 'matmulVec4', entry: 'direct', overrides: ['TRANS_A', 'TRANS_B', 'DIRECT_WG'], bindings: operands,
} as const satisfies KernelContract;

export const MATMUL_LANES_N = {
  shader: 'matmulLanesN', entry: 'lanes_n', overrides: ['TRANS_A', 'LANES_X'], bindings: operands,
} as const satisfies KernelContract;

export const MATMUL_LANES_K = {
  shader: 'matmulLanesK', entry: 'lanes_k', overrides: [], bindings: operands,
} as const satisfies KernelContract;

export const SPLITK_REDUCE = {
  shader: 'splitkReduce', entry: 'main', overrides: ['WG'],
  bindings: [{ name: 'c', access: 'read_write' }, { name: 'scratch', access: 'read' }, {
    name: 'params', access: 'uniform', fields: [['M', 'u32'], ['N', 'u32'], ['ldc', 'u32'], ['cOff', 'u32'], ['layers', 'u32'], ['beta', 'f32']],
  }],
} as const satisfies KernelContract;

/** Each layout's contracts: plain, A read as SwiGLU (act W^T), B read as SwiGLU (dY^T act), RoPE epilogue. */
export type MatmulLayout = 'scalar' | 'tiled' | 'direct' | 'lanesN' | 'lanesK';
type Layout = MatmulLayout;
type Variant = 'plain' | 'swigluA' | 'swigluB' | 'rope';
const variants = (k: KernelContract): Record<Variant, KernelContract> => ({
  plain: k,
  swigluA: { ...k, bindings: swigluA, variant: { swiglu: 'a' } },
  swigluB: { ...k, bindings: swigluB, variant: { swiglu: 'b' } },
  rope: { ...k, bindings: ropeOperands, overrides: [...k.overrides, 'ROPE_HALF'], variant: { rope: true } },
});
const LAYOUTS: Record<Layout, Partial<Record<Variant, KernelContract>>> = {
  scalar: variants(MATMUL), tiled: variants(MATMUL_VEC4_TILED), direct: variants(MATMUL_VEC4_DIRECT),
  // lanes_n stores columns one at a time, so it has no RoPE epilogue (the forward X W^T is lanes_k's).
  lanesN: (({ rope: _, ...v }) => v)(variants(MATMUL_LANES_N)), lanesK: variants(MATMUL_LANES_K),
};

export const MATMUL_CONTRACTS: readonly KernelContract[] = [
  ...Object.values(LAYOUTS).flatMap((l) => Object.values(l)), SPLITK_REDUCE,
];

const TILE_CONSTANTS = { TM: MATMUL_TILE.M, TN: MATMUL_TILE.N, TK: MATMUL_TILE.K };
if (MATMUL_TILE.M !== MATMUL_TILE.N || MATMUL_TILE.M !== 4 * MATMUL_TILE.K) {
  throw new Error('matmul_vec4.wgsl stages one vec4 of each operand per invocation: its tile needs M = N = 4 K');
}

/** SwiGLU's silu(gate) * up (both (N, F), the same layout) as a matmul operand: computed as it is loaded,
 *  with lib/swiglu_act.wgsl's expression, so it equals the `act` that swiglu.wgsl would have written. */
export interface SwigluOperand {
  readonly gate: TensorView;
  readonly up: TensorView;
}

export type MatmulOperand = TensorView | SwigluOperand;

const isSwiglu = (x: MatmulOperand): x is SwigluOperand => 'gate' in x;

/**
 * RoPE as the forward's epilogue (q or k = X W^T, then rope.wgsl's at_positions): C's columns are heads of
 * `headDim`, row r turned by the angle of positions[r] with the (T, D/2) tables, as it is stored.
 */
export interface RopeEpilogue {
  readonly cos: TensorView;
  readonly sin: TensorView;
  readonly positions: TensorView;
  readonly headDim: number;
}

/** C = op(A) op(B); at most one of A and B a SwigluOperand. */
export interface MatmulTensors {
  readonly c: TensorView;
  readonly a: MatmulOperand;
  readonly b: MatmulOperand;
}

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
function matmulDispatch(ctx: KernelContext, label: string, t: MatmulTensors, m: MatmulArgs,
  split = { layers: 1, kSplit: m.K, cSplit: 0 }, rope?: RopeEpilogue): Dispatch {
  const transA = m.transA ?? false;
  const transB = m.transB ?? false;
  const lda = m.lda ?? (transA ? m.M : m.K);
  const ldb = m.ldb ?? (transB ? m.K : m.N);
  const ldc = m.ldc ?? m.N;
  const aOff = m.aOff ?? 0, bOff = m.bOff ?? 0;
  const layout = matmulLayout(ctx, m);
  const f16Tiles = layout === 'tiled' && ctx.choices.matmulPrecision === 'f16';
  // A half-precision B (a frozen weight stored as f16) is unpacked to f32 as it is loaded; A never is.
  if (isSwiglu(t.a) && isSwiglu(t.b)) throw new Error(`${label}: at most one operand may be read as SwiGLU`);
  const f32Only = [t.c, ...(isSwiglu(t.a) ? [t.a.gate, t.a.up] : [t.a]), ...(isSwiglu(t.b) ? [t.b.gate, t.b.up] : [])];
  if (f32Only.some((v) => v.dtype === 'f16')) throw new Error(`${label}: only a plain B operand may be stored as f16`);
  const bF16 = !isSwiglu(t.b) && t.b.dtype === 'f16';
  if (rope) {
    // The epilogue permutes C's columns within each head and reads B's rows through the same map (along k).
    const D = rope.headDim;
    if (!transB || transA || isSwiglu(t.a) || isSwiglu(t.b) || (m.alpha ?? 1) !== 1 || (m.beta ?? 0) !== 0 || split.layers !== 1) {
      throw new Error(`${label}: the RoPE epilogue is for the forward X W^T alone (alpha 1, beta 0, no split-K)`);
    }
    if (D % 4 !== 0 || m.N % D !== 0 || (m.cOff ?? 0) % D !== 0) {
      throw new Error(`${label}: the RoPE epilogue needs C's columns to be whole heads of ${D} (a multiple of 4)`);
    }
  }
  const variant: Variant = rope ? 'rope' : isSwiglu(t.a) ? 'swigluA' : isSwiglu(t.b) ? 'swigluB' : 'plain';
  const tensors = { c: t.c, ...(isSwiglu(t.a) ? t.a : { a: t.a }), ...(isSwiglu(t.b) ? t.b : { b: t.b }),
    ...(rope ? { cos: rope.cos, sin: rope.sin, positions: rope.positions } : {}) };
  const args = { ...tensors, params: {
    M: m.M, N: m.N, K: m.K, lda, ldb, ldc, aOff, bOff, cOff: m.cOff ?? 0, alpha: m.alpha ?? 1, beta: m.beta ?? 0,
    kSplit: split.kSplit, cSplit: split.cSplit,
  } } as KernelArgs<KernelContract>;
  const orient = { TRANS_A: transA, TRANS_B: transB, ...(rope ? { ROPE_HALF: rope.headDim / 2 } : {}) };
  const grid = (tile: { readonly M: number; readonly N: number }): [number, number, number] =>
    [ceilDiv(m.N, tile.N), ceilDiv(m.M, tile.M), split.layers];
  const launch = (layout: Layout, constants: Record<string, number | boolean>, tile: { readonly M: number; readonly N: number },
    v: { f16Tiles?: boolean; bF16: boolean }) => {
    const contract = LAYOUTS[layout][variant];
    if (!contract) throw new Error(`${label}: the ${layout} matmul has no ${variant} variant`);
    return ctx.launch(contract, label, args, grid(tile), constants, v);
  };
  switch (layout) {
    case 'lanesK': return launch(layout, rope ? { ROPE_HALF: rope.headDim / 2 } : {}, { M: LANES.K_ROWS, N: LANES.COLS }, { bF16 });
    case 'lanesN': return launch(layout, { TRANS_A: transA, LANES_X: LANES.X }, { M: LANES.N_ROWS, N: 4 * LANES.X }, { bF16 });
    case 'direct': return launch(layout, { ...orient, DIRECT_WG }, DIRECT_TILE, { bF16 });
    default: return launch(layout, { ...orient, ...TILE_CONSTANTS }, MATMUL_TILE, { f16Tiles, bF16 });
  }
}

/**
 * The layout a matmul runs in. 'lanes' (CPU-emulated adapters): lanes_n for op(B) along n, lanes_k for X W^T
 * where subgroups hold at least four invocations (its four-invocation workgroup is then one subgroup), and
 * otherwise (both operands transposed, or no such subgroups) what 'direct' takes. 'direct': the vec4 direct
 * layout for aligned operands. 'tiled' (GPUs), and 'direct' for unaligned operands: vec4 tiled when aligned,
 * the scalar tiled matmul otherwise.
 */
export function matmulLayout(ctx: KernelContext, m: MatmulArgs): Layout {
  const transA = m.transA ?? false, transB = m.transB ?? false;
  const choice = ctx.choices.matmul;
  if (choice === 'lanes' && !(transA && transB)) {
    if (!transB) return 'lanesN';
    if (ctx.subgroups && ctx.caps.subgroupMinSize >= 4) return 'lanesK';
  }
  const vec4 = vec4Aligned(transA ? m.M : m.K, transB ? m.K : m.N, m.lda ?? (transA ? m.M : m.K), m.ldb ?? (transB ? m.K : m.N),
    m.aOff ?? 0, m.bOff ?? 0);
  if (!vec4) return 'scalar';
  return choice === 'tiled' ? 'tiled' : 'direct';
}

/** One matmul; with `rope`, the forward's RoPE epilogue. */
export function matmul(ctx: KernelContext, label: string, t: MatmulTensors, m: MatmulArgs, rope?: RopeEpilogue): Dispatch {
  return matmulDispatch(ctx, label, t, m, undefined, rope);
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
export function matmulSplitK(ctx: KernelContext, label: string, t: MatmulTensors, m: MatmulArgs): Dispatch[] {
  const want = splitKLayers(ctx, m);
  if (want <= 1) return [matmul(ctx, label, t, m)];
  const kSplit = Math.ceil(m.K / want / MATMUL_TILE.K) * MATMUL_TILE.K;   // a whole number of K tiles (and of vec4)
  const layers = ceilDiv(m.K, kSplit);
  const mn = m.M * m.N;
  const scratch = ctx.splitKScratch();
  const partial = matmulDispatch(ctx, `${label}.splitk`, { c: scratch, a: t.a, b: t.b },
    { ...m, ldc: m.N, cOff: 0, beta: 0 }, { layers, kSplit, cSplit: mn });
  const reduce = ctx.launch(SPLITK_REDUCE, `${label}.reduce`, {
    c: t.c, scratch, params: { M: m.M, N: m.N, ldc: m.ldc ?? m.N, cOff: m.cOff ?? 0, layers, beta: m.beta ?? 0 },
  }, ctx.grid(ceilDiv(mn, REDUCE_WG)), { WG: REDUCE_WG });
  return [partial, reduce];
}
