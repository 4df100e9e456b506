// Every WGSL module of the engine, as text (Vite's `?raw` in the page, an esbuild plugin in Node), and how a
// kernel's module is assembled: optional `enable` directives, then the reduction library the adapter
// supports and the shared expressions (SwiGLU, RoPE's turn, AdamW's update) where the kernel uses them, a
// matmul's declarations and bindings in its variant's form, then the kernel file itself.
import add from '../../shaders/add.wgsl?raw';
import addRmsnorm from '../../shaders/add_rmsnorm.wgsl?raw';
import adamw from '../../shaders/adamw.wgsl?raw';
import adamwMulti from '../../shaders/adamw_multi.wgsl?raw';
import attention from '../../shaders/attention.wgsl?raw';
import attentionBackward from '../../shaders/attention_backward.wgsl?raw';
import attentionDecode from '../../shaders/attention_decode.wgsl?raw';
import crossEntropy from '../../shaders/cross_entropy.wgsl?raw';
import embedding from '../../shaders/embedding.wgsl?raw';
import gradNorm from '../../shaders/grad_norm.wgsl?raw';
import gradNormMulti from '../../shaders/grad_norm_multi.wgsl?raw';
import lora from '../../shaders/lora.wgsl?raw';
import matmul from '../../shaders/matmul.wgsl?raw';
import matmulVec4 from '../../shaders/matmul_vec4.wgsl?raw';
import matmulLanesN from '../../shaders/matmul_lanes_n.wgsl?raw';
import matmulLanesK from '../../shaders/matmul_lanes_k.wgsl?raw';
import packF16 from '../../shaders/pack_f16.wgsl?raw';
import rmsnorm from '../../shaders/rmsnorm.wgsl?raw';
import splitkReduce from '../../shaders/splitk_reduce.wgsl?raw';
import rope from '../../shaders/rope.wgsl?raw';
import swiglu from '../../shaders/swiglu.wgsl?raw';
import reduceSubgroup from '../../shaders/lib/reduce_subgroup.wgsl?raw';
import reduceWorkgroup from '../../shaders/lib/reduce_workgroup.wgsl?raw';
import swigluAct from '../../shaders/lib/swiglu_act.wgsl?raw';
import ropeTurn from '../../shaders/lib/rope_turn.wgsl?raw';
import ropeEpilogue from '../../shaders/lib/rope_epilogue.wgsl?raw';
import adamwUpdate from '../../shaders/lib/adamw_update.wgsl?raw';
import matmulParams from '../../shaders/lib/matmul_params.wgsl?raw';
import matmulStore from '../../shaders/lib/matmul_store.wgsl?raw';

export const SHADERS = {
  add, addRmsnorm, adamw, adamwMulti, attention, attentionBackward, attentionDecode, crossEntropy, embedding, gradNorm, gradNormMulti, lora, matmul, matmulVec4, matmulLanesN, matmulLanesK, packF16, rmsnorm, rope, splitkReduce, swiglu,
} as const;

export type ShaderName = keyof typeof SHADERS;

/** Kernels that call workgroupSum / workgroupMax and so need a reduction library in front. */
const NEEDS_REDUCE: ReadonlySet<ShaderName> = new Set(['rmsnorm', 'addRmsnorm', 'crossEntropy', 'gradNorm', 'gradNormMulti']);

export interface ShaderVariant {
  readonly subgroups: boolean;
  /** Stage matmul tiles in f16 (needs shader-f16): replaces `alias TileScalar = f32;`. */
  readonly f16Tiles?: boolean;
  /** Replaces `const HEAD_DIM: u32 = ...;` (private array lengths must be const, not override). */
  readonly headDim?: number;
  /** The matmul's B operand stored as packed f16 (a frozen half-precision weight), unpacked with
   *  unpack2x16float (core WGSL, every adapter; no shader-f16). Binding types cannot be override constants,
   *  hence text (matmulBindings). */
  readonly bF16?: boolean;
  /** The matmul's A (or B) operand is SwiGLU's silu(gate) * up, computed from two bindings (gate, up) as it is
   *  loaded, with lib/swiglu_act.wgsl in front. 'a': the down projection's forward (act W^T); 'b': its weight
   *  gradient (dY^T act). */
  readonly swiglu?: 'a' | 'b';
  /** The matmul's RoPE epilogue (the q / k projections): C is stored through lib/rope_epilogue.wgsl, with the
   *  tables and positions as three bindings in front of the uniform, and lib/rope_turn.wgsl in front. */
  readonly rope?: boolean;
}

/** The matmul kernels: their bindings are not in their files but built here, in the variant's form. */
const MATMULS: ReadonlySet<ShaderName> = new Set(['matmul', 'matmulVec4', 'matmulLanesN', 'matmulLanesK']);
/** Kernels that read their operands as vec4 (a_at4 / b_at4); the others read scalars (a_at / b_at). */
const VEC4_OPERANDS: ReadonlySet<ShaderName> = new Set(['matmulVec4']);
/** Kernels built only with subgroups (the engine does not choose them otherwise). */
const NEEDS_SUBGROUPS: ReadonlySet<ShaderName> = new Set(['matmulLanesK']);
export const needsSubgroups = (name: ShaderName): boolean => NEEDS_SUBGROUPS.has(name);

type OperandKind = 'f32' | 'f16' | 'swiglu';

/**
 * A matmul operand's bindings (from `binding` on; SwiGLU's take two) and its reader, a_at / b_at (scalar) or
 * a_at4 / b_at4 (vec4). f16: a frozen half-precision weight, element i half (i & 1) of word i / 2
 * (little-endian, as ParamStore writes them), unpacked with unpack2x16float (core WGSL, no shader-f16); the
 * products and sums stay f32. SwiGLU: silu(gate) * up computed as it is loaded, the down projection's input
 * (A, act W^T) or its weight gradient's (B, dY^T act), never written.
 */
function operandBlock(op: 'a' | 'b', binding: number, kind: OperandKind, vec4: boolean): string {
  const fn = `${op}_at${vec4 ? '4' : ''}`, t = vec4 ? 'vec4f' : 'f32';
  const at = (n: number) => `@group(0) @binding(${n})`;
  if (kind === 'swiglu') {
    return `${at(binding)} var<storage, read> gate: array<${t}>;
${at(binding + 1)} var<storage, read> up: array<${t}>;
fn ${fn}(i: u32) -> ${t} { return ${vec4 ? 'swiglu_act4' : 'swiglu_act'}(gate[i], up[i]); }`;
  }
  if (kind === 'f16') {
    return vec4 ? `${at(binding)} var<storage, read> ${op}: array<vec2u>;
fn ${fn}(i: u32) -> vec4f { let h = ${op}[i]; return vec4f(unpack2x16float(h.x), unpack2x16float(h.y)); }`
      : `${at(binding)} var<storage, read> ${op}: array<u32>;
fn ${fn}(i: u32) -> f32 { let pair = unpack2x16float(${op}[i >> 1u]); return select(pair.x, pair.y, (i & 1u) == 1u); }`;
  }
  return `${at(binding)} var<storage, read> ${op}: array<${t}>;
fn ${fn}(i: u32) -> ${t} { return ${op}[i]; }`;
}

/**
 * A matmul kernel's shared declarations (lib/matmul_params.wgsl) and its bindings in the contracts' order:
 * C (0), A, B, the RoPE epilogue's tables and positions, the uniform `p`. C is stored through
 * lib/matmul_store.wgsl, or, in the RoPE variant, through lib/rope_epilogue.wgsl.
 */
function matmulBindings(name: ShaderName, v: ShaderVariant): string {
  if (v.swiglu === 'b' && v.bF16) throw new Error('the SwiGLU B operand is an activation: it cannot also be an f16 weight');
  if (v.rope && v.swiglu !== undefined) throw new Error('the RoPE epilogue and a SwiGLU operand are not built together');
  const vec4 = VEC4_OPERANDS.has(name);
  const aKind: OperandKind = v.swiglu === 'a' ? 'swiglu' : 'f32';
  const bKind: OperandKind = v.swiglu === 'b' ? 'swiglu' : v.bF16 ? 'f16' : 'f32';
  const width = (k: OperandKind) => (k === 'swiglu' ? 2 : 1);
  const aAt = 1, bAt = aAt + width(aKind), next = bAt + width(bKind);
  const uniform = v.rope ? next + 3 : next;
  return [matmulParams,
    v.rope ? ropeBlock(next) : matmulStore,
    operandBlock('a', aAt, aKind, vec4),
    operandBlock('b', bAt, bKind, vec4),
    `@group(0) @binding(${uniform}) var<uniform> p: Params;`].join('\n');
}

/** Kernels whose text includes lib/swiglu_act.wgsl always (the matmuls only in their SwiGLU variant). */
const NEEDS_SWIGLU: ReadonlySet<ShaderName> = new Set(['swiglu']);
/** Kernels whose text includes lib/rope_turn.wgsl always (the matmuls only in their RoPE variant). */
const NEEDS_ROPE: ReadonlySet<ShaderName> = new Set(['rope']);
/** Kernels that apply lib/adamw_update.wgsl's update (and take its Step uniform). */
const NEEDS_ADAMW: ReadonlySet<ShaderName> = new Set(['adamw', 'adamwMulti']);

/** The RoPE epilogue's C block: C, then the tables and positions at `first` .. `first` + 2 (the uniform's place). */
const ropeBlock = (first: number): string => `@group(0) @binding(0) var<storage, read_write> c: array<f32>;
@group(0) @binding(${first}) var<storage, read> cos_t: array<f32>;   // (T, D/2)
@group(0) @binding(${first + 1}) var<storage, read> sin_t: array<f32>;   // (T, D/2)
@group(0) @binding(${first + 2}) var<storage, read> pos: array<u32>;     // (N) each row's position
${ropeEpilogue}`;

export function shaderSource(name: ShaderName, v: ShaderVariant): string {
  let body: string = SHADERS[name];
  if (v.headDim !== undefined) {
    const re = /const HEAD_DIM: u32 = \d+u;/;
    if (!re.test(body)) throw new Error(`shader ${name} has no HEAD_DIM constant to specialise`);
    body = body.replace(re, `const HEAD_DIM: u32 = ${v.headDim}u;`);
  }
  if (MATMULS.has(name)) {
    body = `${matmulBindings(name, v)}\n${body}`;
  } else if (v.bF16 || v.swiglu !== undefined || v.rope) {
    throw new Error(`shader ${name} is not a matmul: it has no operand to store as f16 or read as SwiGLU, nor an epilogue for RoPE`);
  }
  if (v.swiglu !== undefined || NEEDS_SWIGLU.has(name)) body = `${swigluAct}\n${body}`;
  if (v.rope || NEEDS_ROPE.has(name)) body = `${ropeTurn}\n${body}`;
  if (NEEDS_ADAMW.has(name)) body = `${adamwUpdate}\n${body}`;
  // Directives go before every declaration: these last.
  if (NEEDS_SUBGROUPS.has(name)) {
    if (!v.subgroups) throw new Error(`shader ${name} needs subgroups, which this adapter or context does not have`);
    body = `enable subgroups;\n${body}`;
  }
  if (v.f16Tiles) {
    const re = /alias TileScalar = f32;/;
    if (!re.test(body)) throw new Error(`shader ${name} has no TileScalar alias to switch to f16`);
    body = `enable f16;\n${body.replace(re, 'alias TileScalar = f16;')}`;
  }
  if (!NEEDS_REDUCE.has(name)) return body;
  return v.subgroups ? `enable subgroups;\n${reduceSubgroup}\n${body}` : `${reduceWorkgroup}\n${body}`;
}
