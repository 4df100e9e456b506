// Bindings for shaders/grad_norm.wgsl and shaders/adamw.wgsl.
import { ceilDiv, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';
import { packUniform, type FieldSpec, type KernelContract, type TensorArgs } from '../kernel-contract';

const WG = 256;
/** Workgroups (= slots) per tensor for the partial sums of squares: enough to fill a GPU, few to add up. */
export const gradNormGroups = (n: number): number => Math.max(1, Math.min(256, ceilDiv(n, WG * 8)));

// partial reads n and slot, finish n (the slot count) and maxNorm.
const normParams = {
  name: 'params', access: 'uniform', fields: [['n', 'u32'], ['slot', 'u32'], ['maxNorm', 'f32']],
} as const;

export const GRAD_NORM_PARTIAL = {
  shader: 'gradNorm', entry: 'partial', overrides: ['WG'],
  bindings: [{ name: 'slots', access: 'read_write' }, { name: 'grad', access: 'read' }, normParams],
} as const satisfies KernelContract;

export const GRAD_NORM_FINISH = {
  shader: 'gradNorm', entry: 'finish', overrides: ['WG'],
  bindings: [{ name: 'stats', access: 'read_write' }, { name: 'slots', access: 'read', wgsl: 'slots_in' }, normParams],
} as const satisfies KernelContract;

/** slots[slot + k] = the sum of squares of workgroup k's share of grad (n elements). */
export function gradNormPartial(ctx: KernelContext, label: string, t: TensorArgs<typeof GRAD_NORM_PARTIAL>,
  s: { readonly n: number; readonly slot: number }): Dispatch {
  return ctx.launch(GRAD_NORM_PARTIAL, label, { ...t, params: { n: s.n, slot: s.slot, maxNorm: 0 } }, [gradNormGroups(s.n), 1, 1], { WG });
}

/** stats = [norm, clip scale, skip] from the first nSlots slots. */
export function gradNormFinish(ctx: KernelContext, label: string, t: TensorArgs<typeof GRAD_NORM_FINISH>,
  s: { readonly nSlots: number; readonly maxNorm: number }): Dispatch {
  return ctx.launch(GRAD_NORM_FINISH, label, { ...t, params: { n: s.nSlots, slot: 0, maxNorm: s.maxNorm } }, [1, 1, 1], { WG });
}

export const GRAD_NORM_CONTRACTS: readonly KernelContract[] = [GRAD_NORM_PARTIAL, GRAD_NORM_FINISH];

const ADAMW_STEP = [['lr', 'f32'], ['beta1', 'f32'], ['beta2', 'f32'], ['eps', 'f32'],
  ['biasCorrection1', 'f32'], ['biasCorrection2', 'f32']] as const satisfies readonly FieldSpec[];

// Two uniform blocks: `params` differs per tensor and is written once, `step` is one block shared by every
// tensor's dispatch and rewritten each step (adamwStepData), so it is passed as a view.
export const ADAMW = {
  shader: 'adamw', entry: 'main', overrides: ['WG'],
  bindings: [{ name: 'param', access: 'read_write' }, { name: 'expAvg', access: 'read_write' }, { name: 'expAvgSq', access: 'read_write' },
    { name: 'grad', access: 'read' }, { name: 'stats', access: 'read' },
    { name: 'params', access: 'uniform', fields: [['n', 'u32'], ['weightDecay', 'f32']] },
    { name: 'step', access: 'uniform', fields: ADAMW_STEP }],
} as const satisfies KernelContract;

/** The per-step values shared by every AdamW dispatch (t is 1-based); rewritten each step with writeBuffer. */
export function adamwStepData(lr: number, beta1: number, beta2: number, eps: number, t: number): ArrayBuffer {
  return packUniform(ADAMW_STEP, {
    lr, beta1, beta2, eps, biasCorrection1: 1 - Math.pow(beta1, t), biasCorrection2: 1 - Math.pow(beta2, t),
  });
}

/** One AdamW update of n elements of param and its moments, scaled and skipped by stats (grad_norm's finish). */
export function adamw(ctx: KernelContext, label: string, t: TensorArgs<typeof ADAMW> & { readonly step: TensorView },
  s: { readonly n: number; readonly weightDecay: number }): Dispatch {
  return ctx.launch(ADAMW, label, { ...t, params: { n: s.n, weightDecay: s.weightDecay } }, ctx.grid(ceilDiv(s.n, WG)), { WG });
}
