// The trainer's backend on the tfjs reference model: the fallback where WebGPU is missing (CPU or WebGL)
// and the baseline on tfjs-backend-webgpu's stock kernels.
import * as tf from '@tensorflow/tfjs';
import type { Batch, StepResult } from '../engine/engine';
import type { ModelConfig } from '../model/config';
import { referenceLogits, ReferenceTrainer } from '../model/reference';
import type { Moments, TrainBackend } from './backend';
import type { TrainConfig } from './config';

/** The reference model runs one causal sequence per row: rows packed from several examples need the engine. */
function refusePacked(b: Batch): void {
  if (b.positions) throw new Error('the tfjs reference model does not run rows packed from several examples (fine-tuning data); use --engine leveret');
}

export class ReferenceBackend implements TrainBackend {
  readonly name: string;
  private readonly trainer: ReferenceTrainer;

  constructor(readonly config: ModelConfig, private readonly t: TrainConfig, init: ReadonlyMap<string, Float32Array>) {
    this.name = `tfjs reference model (${tf.getBackend()} backend)`;
    this.trainer = new ReferenceTrainer(config, init, t);
  }

  get stepCount(): number { return this.trainer.step; }
  set stepCount(n: number) { this.trainer.step = n; }

  async trainStep(micro: readonly Batch[], lr: number): Promise<StepResult> {
    micro.forEach(refusePacked);
    const { loss, grads } = await this.trainer.lossAndGrads(micro, this.t.batchSize, this.t.seqLen);
    // The engine skips a step whose gradient is not finite; so does the reference.
    const norm = await this.trainer.gradNorm(grads);
    const skipped = !Number.isFinite(norm);
    if (!skipped) this.trainer.apply(grads, norm, lr);
    for (const g of Object.values(grads)) g.dispose();
    return { loss, gradNorm: norm, skipped };
  }

  async forwardLosses(b: Batch): Promise<Float32Array> {
    refusePacked(b);
    const V = this.config.vocabSize;
    const t = tf.tidy(() => {
      const logits = referenceLogits(this.config, this.trainer.vars, tf.tensor2d(b.inputs, [this.t.batchSize, this.t.seqLen], 'int32'));
      const valid = tf.greaterEqual(tf.tensor1d(b.targets, 'int32'), 0);
      const onehot = tf.oneHot(tf.tensor1d(b.targets, 'int32'), V);
      const loss = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits, -1)), -1));
      return tf.where(valid, loss, tf.zerosLike(loss));
    });
    const out = await t.data() as Float32Array;
    t.dispose();
    return out;
  }

  async nextLogits(tokens: readonly number[]): Promise<Float32Array> {
    const ctx = tokens.slice(-this.t.seqLen);
    const t = tf.tidy(() => {
      const logits = referenceLogits(this.config, this.trainer.vars, tf.tensor2d(Int32Array.from(ctx), [1, ctx.length], 'int32'));
      return logits.slice([ctx.length - 1, 0], [1, -1]);
    });
    const out = await t.data() as Float32Array;
    t.dispose();
    return out;
  }

  async getParams(): Promise<Map<string, Float32Array>> { return this.trainer.params(); }

  async setParams(p: ReadonlyMap<string, Float32Array>): Promise<void> {
    for (const [n, v] of Object.entries(this.trainer.vars)) {
      const data = p.get(n);
      if (!data) throw new Error(`missing parameter ${n}`);
      tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
    }
  }

  async getMoments(): Promise<Moments> { return this.trainer.moments(); }

  async setMoments(mo: Moments): Promise<void> { this.trainer.setMoments(mo.m, mo.v); }

  destroy(): void { this.trainer.dispose(); }
}
