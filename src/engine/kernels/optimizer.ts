// Bindings for shaders/grad_norm.wgsl and shaders/adamw.wgsl.
import { ceilDiv, uniformBytes, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';

const WG = 256;
/** Workgroups (= slots) per tensor for the partial sums of squares: enough to fill a GPU, few to add up. */
export const gradNormGroups = (n: number): number => Math.max(1, Math.min(256, ceilDiv(n, WG * 8)));

export function gradNormPartial(ctx: KernelContext, label: string, slots: TensorView, grad: TensorView, n: number, slot: number): Dispatch {
  const params = ctx.uniform(`${label}.params`, uniformBytes([['u32', n], ['u32', slot], ['f32', 0]]));
  return ctx.dispatch(label, ctx.pipeline('gradNorm', 'partial', { WG }), [slots, grad, params], [gradNormGroups(n), 1, 1]);
}

export function gradNormFinish(ctx: KernelContext, label: string, stats: TensorView, slots: TensorView, nSlots: number,
  maxNorm: number): Dispatch {
  const params = ctx.uniform(`${label}.params`, uniformBytes([['u32', nSlots], ['u32', 0], ['f32', maxNorm]]));
  return ctx.dispatch(label, ctx.pipeline('gradNorm', 'finish', { WG }), [stats, slots, params], [1, 1, 1]);
}

/** The per-step values shared by every AdamW dispatch; rewritten each step with writeBuffer. */
export function adamwStepData(lr: number, beta1: number, beta2: number, eps: number, t: number): ArrayBuffer {
  return uniformBytes([
    ['f32', lr], ['f32', beta1], ['f32', beta2], ['f32', eps], ['f32', 1 - Math.pow(beta1, t)], ['f32', 1 - Math.pow(beta2, t)],
  ]);
}

export function adamw(ctx: KernelContext, label: string, param: TensorView, m: TensorView, v: TensorView, grad: TensorView,
  stats: TensorView, step: TensorView, n: number, weightDecay: number): Dispatch {
  const params = ctx.uniform(`${label}.params`, uniformBytes([['u32', n], ['f32', weightDecay]]));
  return ctx.dispatch(label, ctx.pipeline('adamw', 'main', { WG }), [param, m, v, grad, stats, params, step], ctx.grid(ceilDiv(n, WG)));
}
