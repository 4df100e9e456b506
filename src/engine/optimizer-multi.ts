// Clipping and AdamW in a few dispatches instead of two per parameter tensor: the trained store packs its
// tables (ParamStore `packed`), so each parameter group (one buffer per table) gets one grad-norm partial
// dispatch and one AdamW dispatch, plus one finish for all. What each element goes through is AdamW's own
// (optimizer.ts), in the same order: the norm's slots, the clip scale and the updated weights and moments are
// the same bits.
import { allocateTable, type TensorTable } from './buffers';
import { encodeDispatches, type Dispatch, type KernelContext, type TensorView } from './kernel-context';
import { adamwStepData, gradNormFinish, gradNormGroups } from './kernels/optimizer';
import { adamwMulti, adamwTensors, gradNormMultiPartial, gradNormShares, type GroupTensor } from './kernels/optimizer-multi';
import { unitLayer, type OptimizerConfig, type OptimizerUnit } from './optimizer';
import type { ParamStore } from './param-store';

export class MultiTensorAdamW {
  readonly dispatches: Dispatch[] = [];
  /** One per parameter group (see AdamW's units); a store packed layer by layer has a layer's groups apart. */
  readonly units: OptimizerUnit[] = [];
  readonly finish: Dispatch;
  readonly stats: TensorView;          // [grad norm, clip scale, skipped]
  private readonly table: TensorTable;
  private readonly stepUniform: TensorView;
  private readonly owned: GPUBuffer[] = [];

  constructor(private readonly ctx: KernelContext, store: ParamStore, readonly config: OptimizerConfig) {
    const grads = store.table('grads'), params = store.table('params');
    const m = store.table('exp_avg'), v = store.table('exp_avg_sq');
    // Slots in piece order, as AdamW numbers them, so that finish adds them in the same order.
    let nSlots = 0;
    const slotOf = store.pieces.map((p) => { const s = nSlots; nSlots += gradNormGroups(p.numel); return s; });
    this.table = allocateTable(ctx.device, 'optimizer', [{ name: 'slots', numel: nSlots }, { name: 'stats', numel: 4 }],
      { maxBindingBytes: ctx.caps.limits.maxStorageBufferBindingSize });
    this.stats = this.table.get('stats');
    const slots = this.table.get('slots');
    this.stepUniform = ctx.uniform('adamw.step', adamwStepData(0, config.beta1, config.beta2, config.eps, 1));

    // The groups: consecutive pieces sharing a buffer, at the same offsets in all four tables.
    const groups: number[][] = [];
    store.pieces.forEach((p, i) => {
      const last = groups[groups.length - 1];
      if (last && params.get(store.pieces[last[0]].name).buffer === params.get(p.name).buffer) last.push(i);
      else groups.push([i]);
    });
    const whole = (t: TensorTable, g: number[]): TensorView => {
      const first = t.get(store.pieces[g[0]].name), end = t.get(store.pieces[g[g.length - 1]].name);
      for (const i of g) {
        const name = store.pieces[i].name;
        if (t.get(name).buffer !== first.buffer || t.get(name).offset !== params.get(name).offset) {
          throw new Error(`multi-tensor AdamW: ${name} is not packed alike in every table (ParamStore needs packed: true)`);
        }
      }
      return { buffer: first.buffer, offset: 0, size: end.offset + end.size, label: `${first.label}..${end.label}` };
    };
    groups.forEach((g, k) => {
      const tensors: GroupTensor[] = g.map((i) => {
        const p = store.pieces[i];
        return { offset: params.get(p.name).offset / 4, n: p.numel, weightDecay: store.spec(p.param).decay ? config.weightDecay : 0 };
      });
      const shares = gradNormShares(tensors), upd = adamwTensors(tensors);
      this.units.push({
        layer: unitLayer(g.map((i) => store.pieces[i].param)),
        partial: gradNormMultiPartial(ctx, `grad_norm[group ${k}]`, { slots, grad: whole(grads, g), shares: this.upload(`grad_norm[group ${k}].shares`, shares) },
          { nShares: shares.length / 4, firstSlot: slotOf[g[0]] }),
        update: adamwMulti(ctx, `adamw[group ${k}]`, {
          param: whole(params, g), expAvg: whole(m, g), expAvgSq: whole(v, g), grad: whole(grads, g), stats: this.stats,
          tensors: this.upload(`adamw[group ${k}].tensors`, upd.table), owner: this.upload(`adamw[group ${k}].owner`, upd.owner),
          step: this.stepUniform,
        }, { workgroups: upd.workgroups }),
      });
    });
    this.finish = gradNormFinish(ctx, 'grad_norm.finish', { stats: this.stats, slots }, { nSlots, maxNorm: config.gradClip });
    this.dispatches.push(...this.units.map((u) => u.partial), this.finish, ...this.units.map((u) => u.update));
  }

  /** A storage buffer holding a table the kernels read, written once. */
  private upload(label: string, data: Uint32Array): TensorView {
    const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
    const buffer = this.ctx.device.createBuffer({ label, size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.ctx.device.queue.writeBuffer(buffer, 0, data);
    this.owned.push(buffer);
    return { buffer, offset: 0, size: data.byteLength, label };
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
    for (const b of [...this.table.buffers, ...this.owned]) b.destroy();
  }
}
