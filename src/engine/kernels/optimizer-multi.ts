// Bindings for the multi-tensor optimizer kernels: shaders/grad_norm_multi.wgsl (the norm's partial sums of a
// whole parameter group) and shaders/adamw_multi.wgsl (AdamW over a whole group). A group is one packed
// buffer per table (ParamStore `packed`); each kernel reads a small table, written once while planning, of
// where each tensor lies in it.
import { ceilDiv, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';
import type { KernelContract, TensorArgs } from '../kernel-contract';
import { ADAMW, gradNormGroups } from './optimizer';

const WG = 256;   // as kernels/optimizer.ts: the same shares and the same element per invocation

export const GRAD_NORM_MULTI_PARTIAL = {
  shader: 'gradNormMulti', entry: 'partial', overrides: ['WG'],
  bindings: [{ name: 'slots', access: 'read_write' }, { name: 'grad', access: 'read' }, { name: 'shares', access: 'read' },
    { name: 'params', access: 'uniform', fields: [['nShares', 'u32'], ['firstSlot', 'u32']] }],
} as const satisfies KernelContract;

// `step` is adamw.wgsl's Step block: one view shared with every AdamW dispatch, rewritten each step (adamwStepData).
const STEP = ADAMW.bindings[6] satisfies { readonly name: 'step' };

export const ADAMW_MULTI = {
  shader: 'adamwMulti', entry: 'main', overrides: ['WG'],
  bindings: [{ name: 'param', access: 'read_write' }, { name: 'expAvg', access: 'read_write' }, { name: 'expAvgSq', access: 'read_write' },
    { name: 'grad', access: 'read' }, { name: 'stats', access: 'read' }, { name: 'tensors', access: 'read' }, { name: 'owner', access: 'read' },
    { name: 'params', access: 'uniform', fields: [['nWorkgroups', 'u32']] }, STEP],
} as const satisfies KernelContract;

export const OPTIMIZER_MULTI_CONTRACTS: readonly KernelContract[] = [GRAD_NORM_MULTI_PARTIAL, ADAMW_MULTI];

/** A tensor of a group: where it starts in the group's buffers and how long it is, in elements. */
export interface GroupTensor {
  readonly offset: number;
  readonly n: number;
  readonly weightDecay: number;
}

/** The share table of grad_norm_multi.wgsl: (offset, n, group, groups) per workgroup, tensor after tensor. */
export function gradNormShares(tensors: readonly GroupTensor[]): Uint32Array {
  const rows: number[] = [];
  for (const t of tensors) {
    const groups = gradNormGroups(t.n);
    for (let g = 0; g < groups; g++) rows.push(t.offset, t.n, g, groups);
  }
  return Uint32Array.from(rows);
}

/**
 * The tables of adamw_multi.wgsl: (offset, n, first workgroup, weight decay as f32 bits) per tensor, and the
 * tensor of each workgroup (a u32 per WG elements of the group: under 2% of the parameters' bytes).
 */
export function adamwTensors(tensors: readonly GroupTensor[]): { table: Uint32Array; owner: Uint32Array; workgroups: number } {
  const table = new Uint32Array(4 * tensors.length), f = new Float32Array(1);
  const owner: number[] = [];
  tensors.forEach((t, i) => {
    f[0] = t.weightDecay;
    table.set([t.offset, t.n, owner.length, new Uint32Array(f.buffer)[0]], 4 * i);
    for (let k = ceilDiv(t.n, WG); k > 0; k--) owner.push(i);
  });
  return { table, owner: Uint32Array.from(owner), workgroups: owner.length };
}

/** slots[firstSlot + k] = the sum of squares of share k (the same as grad_norm's partial, tensor by tensor). */
export function gradNormMultiPartial(ctx: KernelContext, label: string, t: TensorArgs<typeof GRAD_NORM_MULTI_PARTIAL>,
  s: { readonly nShares: number; readonly firstSlot: number }): Dispatch {
  return ctx.launch(GRAD_NORM_MULTI_PARTIAL, label, { ...t, params: { nShares: s.nShares, firstSlot: s.firstSlot } }, ctx.grid(s.nShares), { WG });
}

/** AdamW over every tensor of one group, scaled and skipped by stats (grad_norm's finish). */
export function adamwMulti(ctx: KernelContext, label: string, t: TensorArgs<typeof ADAMW_MULTI> & { readonly step: TensorView },
  s: { readonly workgroups: number }): Dispatch {
  return ctx.launch(ADAMW_MULTI, label, { ...t, params: { nWorkgroups: s.workgroups } }, ctx.grid(s.workgroups), { WG });
}
