// Binding for shaders/cross_entropy.wgsl: loss per row, gradient written over the logits; and, for scoring,
// loss and greedy flag per row with the logits left alone.
import { ceilDiv, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';
import { fieldOffset, packUniform, type FieldSpec, type KernelContract, type TensorArgs } from '../kernel-contract';

const WG = 256;
const ROWS_WG = 64; // invocations per workgroup in the one-row-per-invocation layout

// `scale` is the gradient's; the scoring entry points ignore it.
const PARAMS = [['nRows', 'u32'], ['vocab', 'u32'], ['rowOffset', 'u32'], ['scale', 'f32']] as const satisfies readonly FieldSpec[];
const params = { name: 'params', access: 'uniform', fields: PARAMS } as const;

/** Byte offset of `scale` in the uniform: the training step rewrites it per step (setLossScale). */
const SCALE_OFFSET = fieldOffset(PARAMS, 'scale');

// `main_rows` binds exactly as `main` does, `score_rows` as `score`.
export const CROSS_ENTROPY = {
  shader: 'crossEntropy', entry: 'main', overrides: ['WG'],
  bindings: [{ name: 'logits', access: 'read_write' }, { name: 'losses', access: 'read_write' }, { name: 'targets', access: 'read' }, params],
} as const satisfies KernelContract;

export const CROSS_ENTROPY_SCORE = {
  shader: 'crossEntropy', entry: 'score', overrides: ['WG'],
  bindings: [{ name: 'losses', access: 'read_write', wgsl: 'score_losses' }, { name: 'greedy', access: 'read_write', wgsl: 'score_greedy' },
    { name: 'logits', access: 'read', wgsl: 'score_logits' }, { name: 'targets', access: 'read', wgsl: 'score_targets' }, params],
} as const satisfies KernelContract;

const CROSS_ENTROPY_ROWS = { ...CROSS_ENTROPY, entry: 'main_rows' } as const;
const CROSS_ENTROPY_SCORE_ROWS = { ...CROSS_ENTROPY_SCORE, entry: 'score_rows' } as const;

export const CROSS_ENTROPY_CONTRACTS: readonly KernelContract[] = [CROSS_ENTROPY, CROSS_ENTROPY_ROWS, CROSS_ENTROPY_SCORE, CROSS_ENTROPY_SCORE_ROWS];

export interface LossShape {
  readonly rows: number;       // this chunk's rows of logits
  readonly vocab: number;      // V
  readonly rowOffset: number;  // the chunk's first row in targets and losses
}

/** A training loss dispatch and its uniform, whose `scale` the step sets to 1 / (targets learned in the step). */
export interface CrossEntropyDispatch extends Dispatch {
  readonly params: TensorView;
}

/** losses[rowOffset + n] = cross-entropy of row n; logits (rows, V) <- its gradient times `scale`. */
export function crossEntropy(ctx: KernelContext, label: string, t: TensorArgs<typeof CROSS_ENTROPY>,
  s: LossShape & { readonly scale: number }): CrossEntropyDispatch {
  // Packed here rather than by launch: setLossScale needs the slot.
  const p = ctx.uniform(`${label}.params`, packUniform(PARAMS, { nRows: s.rows, vocab: s.vocab, rowOffset: s.rowOffset, scale: s.scale }));
  const d = ctx.choices.reduce === 'rows'
    ? ctx.launch(CROSS_ENTROPY_ROWS, label, { ...t, params: p }, ctx.grid(ceilDiv(s.rows, ROWS_WG)), { WG: ROWS_WG })
    : ctx.launch(CROSS_ENTROPY, label, { ...t, params: p }, ctx.grid(s.rows), { WG });
  return { ...d, params: p };
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
export function crossEntropyScore(ctx: KernelContext, label: string, t: TensorArgs<typeof CROSS_ENTROPY_SCORE>, s: LossShape): Dispatch {
  const args = { ...t, params: { nRows: s.rows, vocab: s.vocab, rowOffset: s.rowOffset, scale: 0 } };
  if (ctx.choices.reduce === 'rows') return ctx.launch(CROSS_ENTROPY_SCORE_ROWS, label, args, ctx.grid(ceilDiv(s.rows, ROWS_WG)), { WG: ROWS_WG });
  return ctx.launch(CROSS_ENTROPY_SCORE, label, args, ctx.grid(s.rows), { WG });
}
