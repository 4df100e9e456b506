// Binding for shaders/add_rmsnorm.wgsl: a residual add and the RMSNorm of its sum in one dispatch. Its
// backward is rmsnorm's (kernels/norm.ts) accumulating into the residual-stream gradient.
import { ceilDiv, type Dispatch, type KernelContext } from '../kernel-context';
import type { FieldSpec, KernelContract, TensorArgs } from '../kernel-contract';
import type { NormShape } from './norm';

const WG = 256;     // a power of two: the workgroup-memory reduction halves it
const ROWS_WG = 64; // invocations per workgroup in the one-row-per-invocation layout (as kernels/norm.ts)

const PARAMS = [['nRows', 'u32'], ['dim', 'u32'], ['eps', 'f32']] as const satisfies readonly FieldSpec[];

export const ADD_RMSNORM_FORWARD = {
  shader: 'addRmsnorm', entry: 'forward', overrides: ['WG'],
  bindings: [{ name: 's', access: 'read_write' }, { name: 'y', access: 'read_write' }, { name: 'rstd', access: 'read_write' },
    { name: 'a', access: 'read' }, { name: 'b', access: 'read' }, { name: 'w', access: 'read' },
    { name: 'params', access: 'uniform', fields: PARAMS }],
} as const satisfies KernelContract;

const FORWARD_ROWS = { ...ADD_RMSNORM_FORWARD, entry: 'forward_rows' } as const;

export const ADD_RMSNORM_CONTRACTS: readonly KernelContract[] = [ADD_RMSNORM_FORWARD, FORWARD_ROWS];

/** s = a + b, y = rmsnorm(s) * w, saving rstd (N): the residual add and the norm after it. */
export function addRmsnormForward(ctx: KernelContext, label: string, t: TensorArgs<typeof ADD_RMSNORM_FORWARD>,
  sh: NormShape & { readonly eps: number }): Dispatch {
  const params = { nRows: sh.rows, dim: sh.dim, eps: sh.eps };
  if (ctx.choices.reduce === 'rows') {
    return ctx.launch(FORWARD_ROWS, label, { ...t, params }, ctx.grid(ceilDiv(sh.rows, ROWS_WG)), { WG: ROWS_WG });
  }
  return ctx.launch(ADD_RMSNORM_FORWARD, label, { ...t, params }, ctx.grid(sh.rows), { WG });
}
