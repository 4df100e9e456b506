// Every WGSL module of the engine, as text (Vite's `?raw` in the page, an esbuild plugin in Node), and how a
// kernel's module is assembled: optional `enable` directives, then the reduction library the adapter
// supports, then the kernel file itself.
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
}

/** B as packed halves: element i is half (i & 1) of word i / 2 (little-endian, as ParamStore writes them). */
const B_F16: Partial<Record<ShaderName, string>> = {
  matmul: `@group(0) @binding(2) var<storage, read> b: array<u32>;
fn b_at(i: u32) -> f32 { let pair = unpack2x16float(b[i >> 1u]); return select(pair.x, pair.y, (i & 1u) == 1u); }`,
  matmulVec4: `@group(0) @binding(2) var<storage, read> b: array<vec2u>;
fn b_at4(i: u32) -> vec4f { let h = b[i]; return vec4f(unpack2x16float(h.x), unpack2x16float(h.y)); }`,
};

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
  if (v.f16Tiles) {
    const re = /alias TileScalar = f32;/;
    if (!re.test(body)) throw new Error(`shader ${name} has no TileScalar alias to switch to f16`);
    body = `enable f16;\n${body.replace(re, 'alias TileScalar = f16;')}`;
  }
  if (!NEEDS_REDUCE.has(name)) return body;
  return v.subgroups ? `enable subgroups;\n${reduceSubgroup}\n${body}` : `${reduceWorkgroup}\n${body}`;
}
