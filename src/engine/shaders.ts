// Every WGSL module of the engine, as text (Vite's `?raw` in the page, an esbuild plugin in Node), and how a
// kernel's module is assembled: optional `enable` directives, then the reduction library the adapter
// supports and the SwiGLU expression where the kernel uses it, then the kernel file itself.
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

export const SHADERS = {
  add, addRmsnorm, adamw, adamwMulti, attention, attentionBackward, attentionDecode, crossEntropy, embedding, gradNorm, gradNormMulti, lora, matmul, matmulVec4, packF16, rmsnorm, rope, splitkReduce, swiglu,
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
  /** The matmul's B operand stored as packed f16 (a frozen half-precision weight): swaps the block between
   *  `// B storage begin` and `// B storage end` for one that unpacks with unpack2x16float (core WGSL, every
   *  adapter; no shader-f16). Binding types cannot be override constants, hence text. */
  readonly bF16?: boolean;
  /** The matmul's A (or B) operand is SwiGLU's silu(gate) * up, computed from two bindings as it is loaded:
   *  swaps the block between `// A storage begin` and `// A storage end` (or B's) for gate and up, moves every
   *  later binding up by one, and puts lib/swiglu_act.wgsl in front. 'a': the down projection's forward
   *  (act W^T); 'b': its weight gradient (dY^T act). */
  readonly swiglu?: 'a' | 'b';
  /** The matmul's RoPE epilogue (the q / k projections): swaps the block between `// C storage begin` and
   *  `// C storage end` for lib/rope_epilogue.wgsl with the tables and positions as three bindings in front of
   *  the uniform block (which moves up by three), and puts lib/rope_turn.wgsl in front. */
  readonly rope?: boolean;
}

/** B as packed halves: element i is half (i & 1) of word i / 2 (little-endian, as ParamStore writes them). */
const B_F16: Partial<Record<ShaderName, string>> = {
  matmul: `@group(0) @binding(2) var<storage, read> b: array<u32>;
fn b_at(i: u32) -> f32 { let pair = unpack2x16float(b[i >> 1u]); return select(pair.x, pair.y, (i & 1u) == 1u); }`,
  matmulVec4: `@group(0) @binding(2) var<storage, read> b: array<vec2u>;
fn b_at4(i: u32) -> vec4f { let h = b[i]; return vec4f(unpack2x16float(h.x), unpack2x16float(h.y)); }`,
};

/** An operand read as silu(gate) * up, for `scalar` (matmul.wgsl, a_at / b_at) or vec4 loads (matmul_vec4.wgsl). */
function swigluOperand(operand: 'a' | 'b', binding: number, vec4: boolean): string {
  const t = vec4 ? 'vec4f' : 'f32', fn = `${operand}_at${vec4 ? '4' : ''}`, act = vec4 ? 'swiglu_act4' : 'swiglu_act';
  return `@group(0) @binding(${binding}) var<storage, read> gate: array<${t}>;
@group(0) @binding(${binding + 1}) var<storage, read> up: array<${t}>;
fn ${fn}(i: u32) -> ${t} { return ${act}(gate[i], up[i]); }`;
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
  if (v.bF16) {
    const re = /\/\/ B storage begin\n[\s\S]*?\/\/ B storage end\n/;
    const block = B_F16[name];
    if (!block || !re.test(body)) throw new Error(`shader ${name} has no B storage block to switch to f16`);
    body = body.replace(re, `${block}\n`);
  }
  if (v.swiglu !== undefined) {
    if (name !== 'matmul' && name !== 'matmulVec4') throw new Error(`shader ${name} has no operand to read as SwiGLU`);
    if (v.swiglu === 'b' && v.bF16) throw new Error('the SwiGLU B operand is an activation: it cannot also be an f16 weight');
    const op = v.swiglu === 'a' ? 'A' : 'B';
    const m = (op === 'A' ? /\/\/ A storage begin\n[\s\S]*?\/\/ A storage end\n/ : /\/\/ B storage begin\n[\s\S]*?\/\/ B storage end\n/).exec(body);
    if (!m) throw new Error(`shader ${name} has no ${op} storage block to read as SwiGLU`);
    // The operand's one binding becomes two: every binding declared after it moves up by one (after the f16
    // swap, so that an f16 B block moves with the rest).
    const after = body.slice(m.index + m[0].length).replace(/@binding\((\d+)\)/g, (_, n: string) => `@binding(${Number(n) + 1})`);
    const binding = Number(/@binding\((\d+)\)/.exec(m[0])![1]);
    body = `${body.slice(0, m.index)}${swigluOperand(v.swiglu, binding, name === 'matmulVec4')}\n${after}`;
  }
  if (v.rope) {
    if (name !== 'matmul' && name !== 'matmulVec4') throw new Error(`shader ${name} has no epilogue to apply RoPE in`);
    if (v.swiglu !== undefined) throw new Error('the RoPE epilogue and a SwiGLU operand are not built together');
    const m = /\/\/ C storage begin\n[\s\S]*?\/\/ C storage end\n/.exec(body);
    const u = /@binding\((\d+)\) var<uniform>/.exec(body);
    if (!m || !u) throw new Error(`shader ${name} has no C storage block and uniform to build the RoPE epilogue`);
    const first = Number(u[1]);
    body = body.replace(/@binding\((\d+)\) var<uniform>/, `@binding(${first + 3}) var<uniform>`)
      .replace(m[0], () => `${ropeBlock(first)}\n`);
  }
  if (v.swiglu !== undefined || NEEDS_SWIGLU.has(name)) body = `${swigluAct}\n${body}`;
  if (v.rope || NEEDS_ROPE.has(name)) body = `${ropeTurn}\n${body}`;
  if (NEEDS_ADAMW.has(name)) body = `${adamwUpdate}\n${body}`;
  if (v.f16Tiles) {
    const re = /alias TileScalar = f32;/;
    if (!re.test(body)) throw new Error(`shader ${name} has no TileScalar alias to switch to f16`);
    body = `enable f16;\n${body.replace(re, 'alias TileScalar = f16;')}`;
  }
  if (!NEEDS_REDUCE.has(name)) return body;
  return v.subgroups ? `enable subgroups;\n${reduceSubgroup}\n${body}` : `${reduceWorkgroup}\n${body}`;
}
