// Binding for shaders/cross_entropy.wgsl: loss per row, gradient written over the logits.
import { uniformBytes, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';

const WG = 256;

export function crossEntropy(ctx: KernelContext, label: string, logits: TensorView, losses: TensorView, targets: TensorView,
  rows: number, vocab: number, rowOffset: number, scale: number): Dispatch {
  const params = ctx.uniform(`${label}.params`, uniformBytes([['u32', rows], ['u32', vocab], ['u32', rowOffset], ['f32', scale]]));
  return ctx.dispatch(label, ctx.pipeline('crossEntropy', 'main', { WG }), [logits, losses, targets, params], ctx.grid(rows));
}
