// AdamW over every parameter piece, after global gradient-norm clipping, all on the GPU.
import { allocateTable, type TensorTable } from './buffers';
import { encodeDispatches, type Dispatch, type KernelContext, type TensorView } from './kernel-context';
import { adamw, adamwStepData, gradNormFinish, gradNormGroups, gradNormPartial } from './kernels/optimizer';
import { paramLayer } from '../model/params';
import type { ParamStore } from './param-store';

export interface OptimizerConfig {
  readonly beta1: number;        // HARE: 0.9
  readonly beta2: number;        // HARE: 0.95
  readonly eps: number;          // HARE: 1e-8
  readonly weightDecay: number;  // HARE: 0.1, none on norm weights
  readonly gradClip: number;     // HARE: 1.0 (global L2 norm)
}

export const HARE_OPTIMIZER: OptimizerConfig = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };

/**
 * A share of the optimizer: the grad-norm partial sums and the AdamW update of some pieces (one piece here, a
 * parameter group in MultiTensorAdamW), with the layer they belong to (null: the embedding, the final norm,
 * lm_head; undefined: a group spanning layers). Updating layer by layer, a layer's units run right after its
 * backward; otherwise every partial, the finish, then every update (`dispatches`).
 */
export interface OptimizerUnit {
  readonly layer: number | null | undefined;
  readonly partial: Dispatch;
  readonly update: Dispatch;
}

/** The layer every piece of a unit belongs to, or undefined when they differ. */
export function unitLayer(params: readonly string[]): number | null | undefined {
  const layers = new Set(params.map(paramLayer));
  return layers.size === 1 ? [...layers][0] : undefined;
}

export class AdamW {
  readonly dispatches: Dispatch[] = [];
  readonly units: OptimizerUnit[] = [];
  /** stats from every unit's partial sums, in slot order. */
  readonly finish: Dispatch;
  readonly stats: TensorView;          // [grad norm, clip scale, skipped]
  private readonly table: TensorTable;
  private readonly stepUniform: TensorView;

  constructor(private readonly ctx: KernelContext, store: ParamStore, readonly config: OptimizerConfig) {
    let nSlots = 0;
    const slotOf = store.pieces.map((p) => { const s = nSlots; nSlots += gradNormGroups(p.numel); return s; });
    this.table = allocateTable(ctx.device, 'optimizer', [{ name: 'slots', numel: nSlots }, { name: 'stats', numel: 4 }],
      { maxBindingBytes: ctx.caps.limits.maxStorageBufferBindingSize });
    this.stats = this.table.get('stats');
    const slots = this.table.get('slots');
    this.stepUniform = ctx.uniform('adamw.step', adamwStepData(0, config.beta1, config.beta2, config.eps, 1));
    const grads = store.table('grads'), params = store.table('params');
    const m = store.table('exp_avg'), v = store.table('exp_avg_sq');
    store.pieces.forEach((p, i) => {
      const decay = store.spec(p.param).decay ? config.weightDecay : 0;
      this.units.push({
        layer: unitLayer([p.param]),
        partial: gradNormPartial(ctx, `grad_norm[${p.name}]`, { slots, grad: grads.get(p.name) }, { n: p.numel, slot: slotOf[i] }),
        update: adamw(ctx, `adamw[${p.name}]`, { param: params.get(p.name), expAvg: m.get(p.name),
          expAvgSq: v.get(p.name), grad: grads.get(p.name), stats: this.stats, step: this.stepUniform }, { n: p.numel, weightDecay: decay }),
      });
    });
    this.finish = gradNormFinish(ctx, 'grad_norm.finish', { stats: this.stats, slots }, { nSlots, maxNorm: config.gradClip });
    this.dispatches.push(...this.units.map((u) => u.partial), this.finish, ...this.units.map((u) => u.update));
  }

  /** Sets the learning rate and step number (1-based, for bias correction) of the next update. */
  setStep(lr: number, t: number): void {
    const c = this.config;
    this.ctx.device.queue.writeBuffer(this.stepUniform.buffer, this.stepUniform.offset, adamwStepData(lr, c.beta1, c.beta2, c.eps, t));
  }

  encode(pass: GPUComputePassEncoder): void {
    encodeDispatches(pass, this.dispatches);
  }

  destroy(): void {
    for (const b of this.table.buffers) b.destroy();
  }
}
