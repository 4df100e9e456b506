// Bindings for the element-wise kernels: residual add, SwiGLU, RoPE.
import { ceilDiv, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';
import type { KernelContract, TensorArgs } from '../kernel-contract';

const WG = 256;

const count = { name: 'params', access: 'uniform', fields: [['n', 'u32']] } as const;

export const ADD = {
  shader: 'add', entry: 'main', overrides: ['WG'],
  bindings: [{ name: 'out', access: 'read_write' }, { name: 'a', access: 'read' }, { name: 'b', access: 'read' }, count],
} as const satisfies KernelContract;

export const SWIGLU_FORWARD = {
  shader: 'swiglu', entry: 'forward', overrides: ['WG'],
  bindings: [{ name: 'act', access: 'read_write' }, { name: 'gate', access: 'read' }, { name: 'up', access: 'read' }, count],
} as const satisfies KernelContract;

export const SWIGLU_BACKWARD = {
  shader: 'swiglu', entry: 'backward', overrides: ['WG'],
  bindings: [{ name: 'dGate', access: 'read_write' }, { name: 'dUp', access: 'read_write' }, { name: 'dAct', access: 'read' },
    { name: 'gate', access: 'read', wgsl: 'gate_s' }, { name: 'up', access: 'read', wgsl: 'up_s' }, count],
} as const satisfies KernelContract;

const ropeParams = {
  name: 'params', access: 'uniform',
  fields: [['nTokens', 'u32'], ['seqLen', 'u32'], ['nHeads', 'u32'], ['headDim', 'u32'], ['sign', 'f32']],
} as const;

export const ROPE = {
  shader: 'rope', entry: 'main', overrides: ['WG'],
  bindings: [{ name: 'x', access: 'read_write' }, { name: 'cos', access: 'read', wgsl: 'cos_t' },
    { name: 'sin', access: 'read', wgsl: 'sin_t' }, ropeParams],
} as const satisfies KernelContract;

export const ROPE_AT_POSITIONS = {
  shader: 'rope', entry: 'at_positions', overrides: ['WG'],
  bindings: [...ROPE.bindings.slice(0, 3), { name: 'positions', access: 'read', wgsl: 'pos' }, ropeParams],
} as const satisfies KernelContract;

export const ELEMENTWISE_CONTRACTS: readonly KernelContract[] = [ADD, SWIGLU_FORWARD, SWIGLU_BACKWARD, ROPE, ROPE_AT_POSITIONS];

/** out = a + b over n elements. */
export function add(ctx: KernelContext, label: string, t: TensorArgs<typeof ADD>, n: number): Dispatch {
  return ctx.launch(ADD, label, { ...t, params: { n } }, ctx.grid(ceilDiv(n, WG)), { WG });
}

/** act = silu(gate) * up over n elements. */
export function swigluForward(ctx: KernelContext, label: string, t: TensorArgs<typeof SWIGLU_FORWARD>, n: number): Dispatch {
  return ctx.launch(SWIGLU_FORWARD, label, { ...t, params: { n } }, ctx.grid(ceilDiv(n, WG)), { WG });
}

export function swigluBackward(ctx: KernelContext, label: string, t: TensorArgs<typeof SWIGLU_BACKWARD>, n: number): Dispatch {
  return ctx.launch(SWIGLU_BACKWARD, label, { ...t, params: { n } }, ctx.grid(ceilDiv(n, WG)), { WG });
}

export interface RopeShape {
  readonly nTokens: number;  // N = B * T
  readonly seqLen: number;   // T: positions restart at each sequence
  readonly nHeads: number;   // heads in this buffer (H for q, KV for k)
  readonly headDim: number;  // D
}

/**
 * Rotates q or k in place; direction 1 is the forward rotation, -1 its transpose (the backward). Token n
 * turns by its place in its row (n mod T), or by positions[n] (N u32) when given: packed examples each
 * start again at 0.
 */
export function rope(ctx: KernelContext, label: string, t: TensorArgs<typeof ROPE> & { readonly positions?: TensorView },
  s: RopeShape, direction: 1 | -1): Dispatch {
  const params = { nTokens: s.nTokens, seqLen: s.seqLen, nHeads: s.nHeads, headDim: s.headDim, sign: direction };
  const grid = ctx.grid(ceilDiv(s.nTokens * s.nHeads * (s.headDim / 2), WG));
  const { x, cos, sin, positions } = t;
  if (positions) return ctx.launch(ROPE_AT_POSITIONS, label, { x, cos, sin, positions, params }, grid, { WG });
  return ctx.launch(ROPE, label, { x, cos, sin, params }, grid, { WG });
}

/** cos/sin tables (T, D/2) of the half-split rotary embedding, computed in double precision. */
export function ropeTables(seqLen: number, headDim: number, theta: number): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const cos = new Float32Array(seqLen * half);
  const sin = new Float32Array(seqLen * half);
  for (let t = 0; t < seqLen; t++) {
    for (let i = 0; i < half; i++) {
      const angle = t * Math.pow(theta, (-2 * i) / headDim);
      cos[t * half + i] = Math.cos(angle);
      sin[t * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}
