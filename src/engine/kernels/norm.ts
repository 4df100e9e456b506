// Binding for shaders/rmsnorm.wgsl.
import { ceilDiv, uniformBytes, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';

const WG = 256;   // a power of two: the workgroup-memory reduction halves it

const normParams = (ctx: KernelContext, label: string, rows: number, dim: number, eps: number, accumulate: boolean) =>
  ctx.uniform(`${label}.params`, uniformBytes([['u32', rows], ['u32', dim], ['f32', eps], ['u32', accumulate ? 1 : 0]]));

/** y = rmsnorm(x) * w, saving rstd (rows). */
export function rmsnormForward(ctx: KernelContext, label: string, y: TensorView, rstd: TensorView, x: TensorView,
  w: TensorView, rows: number, dim: number, eps: number): Dispatch {
  return ctx.dispatch(label, ctx.pipeline('rmsnorm', 'forward', { WG }),
    [y, rstd, x, w, normParams(ctx, label, rows, dim, eps, false)], ctx.grid(rows));
}

/** dX (+)= the input gradient of rmsnorm; `accumulate` adds into dX (the residual-stream gradient). */
export function rmsnormBackwardInput(ctx: KernelContext, label: string, dX: TensorView, dY: TensorView, x: TensorView,
  rstd: TensorView, w: TensorView, rows: number, dim: number, accumulate: boolean): Dispatch {
  return ctx.dispatch(label, ctx.pipeline('rmsnorm', 'backward_input', { WG }),
    [dX, dY, x, rstd, w, normParams(ctx, label, rows, dim, 0, accumulate)], ctx.grid(rows));
}

/** dW += sum over rows of dY * x * rstd. */
export function rmsnormBackwardWeight(ctx: KernelContext, label: string, dW: TensorView, dY: TensorView, x: TensorView,
  rstd: TensorView, rows: number, dim: number): Dispatch {
  return ctx.dispatch(label, ctx.pipeline('rmsnorm', 'backward_weight', { WG }),
    [dW, dY, x, rstd, normParams(ctx, label, rows, dim, 0, true)], [ceilDiv(dim, WG), 1, 1]);
}
