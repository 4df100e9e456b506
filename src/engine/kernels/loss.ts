// Binding for shaders/cross_entropy.wgsl: loss per row, gradient written over the logits; and, for scoring,
// loss and greedy flag per row with the logits left alone.
import { ceilDiv, uniformBytes, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';

const WG = 256;

/** Byte offset of `scale` in the Params uniform: the training step rewrites it per step (setLossScale). */
const SCALE_OFFSET = 12;

/** A training loss dispatch and its uniform, whose `scale` the step sets to 1 / (targets learned in the step). */
export interface CrossEntropyDispatch extends Dispatch {
  readonly params: TensorView;
}

export function crossEntropy(ctx: KernelContext, label: string, logits: TensorView, losses: TensorView, targets: TensorView,
  rows: number, vocab: number, rowOffset: number, scale: number): CrossEntropyDispatch {
  const params = ctx.uniform(`${label}.params`, uniformBytes([['u32', rows], ['u32', vocab], ['u32', rowOffset], ['f32', scale]]));
  const bindings = [logits, losses, targets, params];
  const d = ctx.choices.reduce === 'rows'
    ? ctx.dispatch(label, ctx.pipeline('crossEntropy', 'main_rows', { WG: 64 }), bindings, ctx.grid(ceilDiv(rows, 64)))
    : ctx.dispatch(label, ctx.pipeline('crossEntropy', 'main', { WG }), bindings, ctx.grid(rows));
  return { ...d, params };
}

/** Rewrites the gradient scale of loss dispatches (queued before the next submit, as writeBuffer is). */
export function setLossScale(queue: GPUQueue, dispatches: readonly CrossEntropyDispatch[], scale: number): void {
  const data = new Float32Array([scale]);
  for (const d of dispatches) queue.writeBuffer(d.params.buffer, d.params.offset + SCALE_OFFSET, data);
}

/**
 * Scoring, forward only: losses[n] = -log p(target[n]) and greedy[n] = 1 when target[n] is the first argmax
 * of its row (u32). The logits are left as they are. A separate entry point, so training pays nothing for it.
 */
export function crossEntropyScore(ctx: KernelContext, label: string, losses: TensorView, greedy: TensorView,
  logits: TensorView, targets: TensorView, rows: number, vocab: number, rowOffset: number): Dispatch {
  const params = ctx.uniform(`${label}.params`, uniformBytes([['u32', rows], ['u32', vocab], ['u32', rowOffset], ['f32', 0]]));
  const bindings = [losses, greedy, logits, targets, params];
  if (ctx.choices.reduce === 'rows') {
    return ctx.dispatch(label, ctx.pipeline('crossEntropy', 'score_rows', { WG: 64 }), bindings, ctx.grid(ceilDiv(rows, 64)));
  }
  return ctx.dispatch(label, ctx.pipeline('crossEntropy', 'score', { WG }), bindings, ctx.grid(rows));
}
