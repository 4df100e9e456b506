// Binding for shaders/rmsnorm.wgsl.
import { ceilDiv, type Dispatch, type KernelContext } from '../kernel-context';
import type { FieldSpec, KernelContract, TensorArgs } from '../kernel-contract';

const WG = 256;   // a power of two: the workgroup-memory reduction halves it
const ROWS_WG = 64; // invocations per workgroup in the one-row-per-invocation layout

const PARAMS = [['nRows', 'u32'], ['dim', 'u32'], ['eps', 'f32'], ['accumulate', 'u32']] as const satisfies readonly FieldSpec[];
const params = { name: 'params', access: 'uniform', fields: PARAMS } as const;

// The `_rows` entry points bind exactly as their workgroup twins do.
export const RMSNORM_FORWARD = {
  shader: 'rmsnorm', entry: 'forward', overrides: ['WG'],
  bindings: [{ name: 'y', access: 'read_write' }, { name: 'rstd', access: 'read_write' }, { name: 'x', access: 'read' },
    { name: 'w', access: 'read' }, params],
} as const satisfies KernelContract;

export const RMSNORM_BACKWARD_INPUT = {
  shader: 'rmsnorm', entry: 'backward_input', overrides: ['WG'],
  bindings: [{ name: 'dX', access: 'read_write' }, { name: 'dY', access: 'read' }, { name: 'x', access: 'read', wgsl: 'x_saved' },
    { name: 'rstd', access: 'read', wgsl: 'rstd_saved' }, { name: 'w', access: 'read', wgsl: 'w_in' }, params],
} as const satisfies KernelContract;

export const RMSNORM_BACKWARD_WEIGHT = {
  shader: 'rmsnorm', entry: 'backward_weight', overrides: ['WG'],
  bindings: [{ name: 'dW', access: 'read_write' }, { name: 'dY', access: 'read', wgsl: 'd_y_w' }, { name: 'x', access: 'read', wgsl: 'x_w' },
    { name: 'rstd', access: 'read', wgsl: 'rstd_w' }, params],
} as const satisfies KernelContract;

const FORWARD_ROWS = { ...RMSNORM_FORWARD, entry: 'forward_rows' } as const;
const BACKWARD_INPUT_ROWS = { ...RMSNORM_BACKWARD_INPUT, entry: 'backward_input_rows' } as const;

export const RMSNORM_CONTRACTS: readonly KernelContract[] = [
  RMSNORM_FORWARD, FORWARD_ROWS, RMSNORM_BACKWARD_INPUT, BACKWARD_INPUT_ROWS, RMSNORM_BACKWARD_WEIGHT,
];

export interface NormShape {
  readonly rows: number;  // N
  readonly dim: number;   // C
}

/** The contract (of two that bind alike) and grid for `rows` rows in the context's chosen layout. */
function layout<A extends KernelContract, B extends KernelContract>(ctx: KernelContext, wg: A, perRow: B, rows: number):
  [A | B, number, [number, number, number]] {
  return ctx.choices.reduce === 'rows' ? [perRow, ROWS_WG, ctx.grid(ceilDiv(rows, ROWS_WG))] : [wg, WG, ctx.grid(rows)];
}

/** y = rmsnorm(x) * w, saving rstd (N). */
export function rmsnormForward(ctx: KernelContext, label: string, t: TensorArgs<typeof RMSNORM_FORWARD>,
  s: NormShape & { readonly eps: number }): Dispatch {
  const [c, wg, grid] = layout(ctx, RMSNORM_FORWARD, FORWARD_ROWS, s.rows);
  return ctx.launch(c, label, { ...t, params: { nRows: s.rows, dim: s.dim, eps: s.eps, accumulate: 0 } }, grid, { WG: wg });
}

/** dX (+)= the input gradient of rmsnorm; `accumulate` adds into dX (the residual-stream gradient). */
export function rmsnormBackwardInput(ctx: KernelContext, label: string, t: TensorArgs<typeof RMSNORM_BACKWARD_INPUT>,
  s: NormShape & { readonly accumulate: boolean }): Dispatch {
  const [c, wg, grid] = layout(ctx, RMSNORM_BACKWARD_INPUT, BACKWARD_INPUT_ROWS, s.rows);
  return ctx.launch(c, label, { ...t, params: { nRows: s.rows, dim: s.dim, eps: 0, accumulate: s.accumulate ? 1 : 0 } }, grid, { WG: wg });
}

/** dW += sum over rows of dY * x * rstd. */
export function rmsnormBackwardWeight(ctx: KernelContext, label: string, t: TensorArgs<typeof RMSNORM_BACKWARD_WEIGHT>,
  s: NormShape): Dispatch {
  return ctx.launch(RMSNORM_BACKWARD_WEIGHT, label, { ...t, params: { nRows: s.rows, dim: s.dim, eps: 0, accumulate: 1 } },
    [ceilDiv(s.dim, WG), 1, 1], { WG });
}
