// Binding for shaders/rmsnorm.wgsl.
import { ceilDiv, uniformBytes, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';

const WG = 256;   // a power of two: the workgroup-memory reduction halves it

const normParams = (ctx: KernelContext, label: string, rows: number, dim: number, eps: number, accumulate: boolean) =>
  ctx.uniform(`${label}.params`, uniformBytes([['u32', rows], ['u32', dim], ['f32', eps], ['u32', accumulate ? 1 : 0]]));

const ROWS_WG = 64; // invocations per workgroup in the one-row-per-invocation layout

/** The entry point and grid for `rows` rows in the context's chosen layout. */
const layout = (ctx: KernelContext, entry: string, rows: number): [string, number, [number, number, number]] =>
  ctx.choices.reduce === 'rows' ? [`${entry}_rows`, ROWS_WG, ctx.grid(ceilDiv(rows, ROWS_WG))] : [entry, WG, ctx.grid(rows)];

/** y = rmsnorm(x) * w, saving rstd (rows). */
export function rmsnormForward(ctx: KernelContext, label: string, y: TensorView, rstd: TensorView, x: TensorView,
  w: TensorView, rows: number, dim: number, eps: number): Dispatch {
  const [entry, wg, grid] = layout(ctx, 'forward', rows);
  return ctx.dispatch(label, ctx.pipeline('rmsnorm', entry, { WG: wg }),
    [y, rstd, x, w, normParams(ctx, label, rows, dim, eps, false)], grid);
}

/** dX (+)= the input gradient of rmsnorm; `accumulate` adds into dX (the residual-stream gradient). */
export function rmsnormBackwardInput(ctx: KernelContext, label: string, dX: TensorView, dY: TensorView, x: TensorView,
  rstd: TensorView, w: TensorView, rows: number, dim: number, accumulate: boolean): Dispatch {
  const [entry, wg, grid] = layout(ctx, 'backward_input', rows);
  return ctx.dispatch(label, ctx.pipeline('rmsnorm', entry, { WG: wg }),
    [dX, dY, x, rstd, w, normParams(ctx, label, rows, dim, 0, accumulate)], grid);
}

/** dW += sum over rows of dY * x * rstd. */
export function rmsnormBackwardWeight(ctx: KernelContext, label: string, dW: TensorView, dY: TensorView, x: TensorView,
  rstd: TensorView, rows: number, dim: number): Dispatch {
  return ctx.dispatch(label, ctx.pipeline('rmsnorm', 'backward_weight', { WG }),
    [dW, dY, x, rstd, normParams(ctx, label, rows, dim, 0, true)], [ceilDiv(dim, WG), 1, 1]);
}
