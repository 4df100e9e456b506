// AdamW over every parameter piece, after global gradient-norm clipping, all on the GPU.
import { allocateTable, type TensorTable } from './buffers';
import { encodeDispatches, type Dispatch, type KernelContext, type TensorView } from './kernel-context';
import { adamw, adamwStepData, gradNormFinish, gradNormGroups, gradNormPartial } from './kernels/optimizer';
import type { ParamStore } from './param-store';

export interface OptimizerConfig {
  readonly beta1: number;        // HARE: 0.9
  readonly beta2: number;        // HARE: 0.95
  readonly eps: number;          // HARE: 1e-8
  readonly weightDecay: number;  // HARE: 0.1, none on norm weights
  readonly gradClip: number;     // HARE: 1.0 (global L2 norm)
}

export const HARE_OPTIMIZER: OptimizerConfig = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };

export class AdamW {
  readonly dispatches: Dispatch[] = [];
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
      this.dispatches.push(gradNormPartial(ctx, `grad_norm[${p.name}]`, { slots, grad: grads.get(p.name) }, { n: p.numel, slot: slotOf[i] }));
    });
    this.dispatches.push(gradNormFinish(ctx, 'grad_norm.finish', { stats: this.stats, slots }, { nSlots, maxNorm: config.gradClip }));
    for (const p of store.pieces) {
      const decay = store.spec(p.param).decay ? config.weightDecay : 0;
      this.dispatches.push(adamw(ctx, `adamw[${p.name}]`, { param: params.get(p.name), expAvg: m.get(p.name),
        expAvgSq: v.get(p.name), grad: grads.get(p.name), stats: this.stats, step: this.stepUniform }, { n: p.numel, weightDecay: decay }));
    }
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
