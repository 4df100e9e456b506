// The trainer's backend for a LoRA run on our engine: the base frozen on the GPU, the adapter trained. What
// it saves and restores (getParams / getMoments) is the adapter alone, by PEFT name; the base's weights are
// written once into engine.store from the --init-from folder. Samples run the full forward with the adapter
// (the KV-cache decode graphs run the base alone), so there is no generator.
import { describeAdapter, type EngineDevice } from '../engine/device';
import { Engine, type Batch, type EngineOptions, type StepResult } from '../engine/engine';
import type { ModelConfig } from '../model/config';
import type { LoraConfig } from '../model/lora';
import type { Moments, TrainBackend } from './backend';
import type { RunMemory } from './checkpoint/trainer-state';
import type { TrainConfig } from './config';
import { memoryOf } from './engine-backend';

export class LoraBackend implements TrainBackend {
  readonly name: string;

  private constructor(readonly engine: Engine, dev: EngineDevice) {
    this.name = `leveret webgpu, LoRA r ${engine.lora!.rank} on ${engine.lora!.targets.join(',')} (${describeAdapter(dev.caps)})`;
  }

  static async create(dev: EngineDevice, config: ModelConfig, t: TrainConfig, lora: LoraConfig, opts: EngineOptions = {}): Promise<LoraBackend> {
    const engine = await Engine.createTrainer(dev, config, { batchSize: t.batchSize, seqLen: t.seqLen, accumSteps: t.accumSteps }, {
      ...opts,
      lora,
      optimizer: { beta1: t.beta1, beta2: t.beta2, eps: t.eps, weightDecay: t.weightDecay, gradClip: t.gradClip },
      forwardShapes: [{ batchSize: 1, seqLen: t.seqLen }],
    });
    return new LoraBackend(engine, dev);
  }

  get config(): ModelConfig { return this.engine.config; }
  get memory(): RunMemory { return memoryOf(this.engine); }
  get stepCount(): number { return this.engine.stepCount; }
  set stepCount(n: number) { this.engine.stepCount = n; }
  private get adapter() { return this.engine.adapter!; }

  /** The adapter's tensors: what a checkpoint of this run holds. */
  paramNames(): string[] { return this.adapter.specs.map((s) => s.name); }

  trainStep(micro: readonly Batch[], lr: number): Promise<StepResult> { return this.engine.trainStep(micro, lr); }

  forwardLosses(b: Batch): Promise<Float32Array> { return this.engine.forwardLosses(b, this.engine.graph); }

  nextLogits(tokens: readonly number[]): Promise<Float32Array> {
    const g = this.engine.forwardGraphs[0];
    const T = g.shape.seqLen;
    const ctx = tokens.slice(-T);
    const inputs = new Int32Array(T);   // positions after the context hold token 0: causal, so they change nothing
    inputs.set(ctx);
    return this.engine.logitsAt({ inputs, targets: new Int32Array(T).fill(-1) }, ctx.length - 1, g);
  }

  async getParams(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const s of this.adapter.specs) out.set(s.name, await this.adapter.read(s.name));
    return out;
  }

  async setParams(p: ReadonlyMap<string, Float32Array>): Promise<void> {
    for (const s of this.adapter.specs) {
      const v = p.get(s.name);
      if (!v) throw new Error(`missing adapter tensor ${s.name}`);
      this.adapter.write(s.name, v);
    }
  }

  async getMoments(): Promise<Moments> {
    const m = new Map<string, Float32Array>(), v = new Map<string, Float32Array>();
    for (const s of this.adapter.specs) {
      m.set(s.name, await this.adapter.read(s.name, 'exp_avg'));
      v.set(s.name, await this.adapter.read(s.name, 'exp_avg_sq'));
    }
    return { m, v };
  }

  async setMoments(mo: Moments): Promise<void> {
    for (const s of this.adapter.specs) {
      const m = mo.m.get(s.name), v = mo.v.get(s.name);
      if (!m || !v) throw new Error(`missing AdamW moments for ${s.name}`);
      this.adapter.write(s.name, m, 'exp_avg');
      this.adapter.write(s.name, v, 'exp_avg_sq');
    }
  }

  destroy(): void { this.engine.destroy(); }
}
