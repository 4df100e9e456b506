// Bindings for the element-wise kernels: residual add, SwiGLU, RoPE.
import { ceilDiv, uniformBytes, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';

const WG = 256;

/** out = a + b over n elements. */
export function add(ctx: KernelContext, label: string, out: TensorView, a: TensorView, b: TensorView, n: number): Dispatch {
  const params = ctx.uniform(`${label}.params`, uniformBytes([['u32', n]]));
  return ctx.dispatch(label, ctx.pipeline('add', 'main', { WG }), [out, a, b, params], ctx.grid(ceilDiv(n, WG)));
}

/** act = silu(gate) * up over n elements. */
export function swigluForward(ctx: KernelContext, label: string, act: TensorView, gate: TensorView, up: TensorView, n: number): Dispatch {
  const params = ctx.uniform(`${label}.params`, uniformBytes([['u32', n]]));
  return ctx.dispatch(label, ctx.pipeline('swiglu', 'forward', { WG }), [act, gate, up, params], ctx.grid(ceilDiv(n, WG)));
}

export function swigluBackward(ctx: KernelContext, label: string, dGate: TensorView, dUp: TensorView, dAct: TensorView,
  gate: TensorView, up: TensorView, n: number): Dispatch {
  const params = ctx.uniform(`${label}.params`, uniformBytes([['u32', n]]));
  return ctx.dispatch(label, ctx.pipeline('swiglu', 'backward', { WG }), [dGate, dUp, dAct, gate, up, params], ctx.grid(ceilDiv(n, WG)));
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
export function rope(ctx: KernelContext, label: string, x: TensorView, cos: TensorView, sin: TensorView,
  s: RopeShape, direction: 1 | -1, positions?: TensorView): Dispatch {
  const params = ctx.uniform(`${label}.params`, uniformBytes([
    ['u32', s.nTokens], ['u32', s.seqLen], ['u32', s.nHeads], ['u32', s.headDim], ['f32', direction],
  ]));
  const n = s.nTokens * s.nHeads * (s.headDim / 2);
  if (positions) {
    return ctx.dispatch(label, ctx.pipeline('rope', 'at_positions', { WG }), [x, cos, sin, positions, params], ctx.grid(ceilDiv(n, WG)));
  }
  return ctx.dispatch(label, ctx.pipeline('rope', 'main', { WG }), [x, cos, sin, params], ctx.grid(ceilDiv(n, WG)));
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
