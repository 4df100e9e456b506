// The trainer's backend on our WebGPU engine: a training graph for (B, T), a one-row forward graph for
// sampling past the context, and a KV-cache generator over the model's context, all sharing the parameters.
import { describeAdapter, type EngineDevice } from '../engine/device';
import { Engine, type Batch, type EngineOptions, type StepResult } from '../engine/engine';
import type { Generator } from '../engine/generator';
import type { ModelConfig } from '../model/config';
import type { Moments, TrainBackend } from './backend';
import type { RunMemory } from './checkpoint/trainer-state';
import type { TrainConfig } from './config';

/** The memory options an engine runs with, as a checkpoint records them (EngineBackend, LoraBackend). */
export function memoryOf(e: Engine): RunMemory {
  return { recompute: e.recompute, updatePerLayer: e.updatePerLayer, f16Activations: e.f16Activations, f16Base: e.f16Base };
}

export class EngineBackend implements TrainBackend {
  readonly name: string;

  private gen: Promise<Generator> | null = null;

  private constructor(readonly engine: Engine, dev: EngineDevice) {
    this.name = `leveret webgpu (${describeAdapter(dev.caps)})`;
  }

  static async create(dev: EngineDevice, config: ModelConfig, t: TrainConfig, opts: EngineOptions = {}): Promise<EngineBackend> {
    const engine = await Engine.createTrainer(dev, config, { batchSize: t.batchSize, seqLen: t.seqLen, accumSteps: t.accumSteps }, {
      ...opts,
      optimizer: { beta1: t.beta1, beta2: t.beta2, eps: t.eps, weightDecay: t.weightDecay, gradClip: t.gradClip },
      forwardShapes: [{ batchSize: 1, seqLen: t.seqLen }],
    });
    return new EngineBackend(engine, dev);
  }

  get config(): ModelConfig { return this.engine.config; }
  get memory(): RunMemory { return memoryOf(this.engine); }
  get stepCount(): number { return this.engine.stepCount; }
  set stepCount(n: number) { this.engine.stepCount = n; }

  trainStep(micro: readonly Batch[], lr: number): Promise<StepResult> {
    return this.engine.trainStep(micro, lr);
  }

  forwardLosses(b: Batch): Promise<Float32Array> {
    return this.engine.forwardLosses(b, this.engine.graph);
  }

  nextLogits(tokens: readonly number[]): Promise<Float32Array> {
    const g = this.engine.forwardGraphs[0];
    const T = g.shape.seqLen;
    const ctx = tokens.slice(-T);
    const inputs = new Int32Array(T);   // positions after the context hold token 0: causal, so they change nothing
    inputs.set(ctx);
    const targets = new Int32Array(T).fill(-1);
    return this.engine.logitsAt({ inputs, targets }, ctx.length - 1, g);
  }

  /** Planned on first use for the model's whole context; each generation prefills from the current weights. */
  generator(): Promise<Generator> {
    this.gen ??= this.engine.createGenerator({ maxLen: this.engine.config.contextLength });
    return this.gen;
  }

  getParams(): Promise<Map<string, Float32Array>> { return this.engine.getParams(); }

  async setParams(p: ReadonlyMap<string, Float32Array>): Promise<void> { this.engine.setParams(p); }

  async getMoments(): Promise<Moments> {
    const m = new Map<string, Float32Array>(), v = new Map<string, Float32Array>();
    for (const s of this.engine.store.specs) {
      m.set(s.name, await this.engine.store.read(s.name, 'exp_avg'));
      v.set(s.name, await this.engine.store.read(s.name, 'exp_avg_sq'));
    }
    return { m, v };
  }

  async setMoments(mo: Moments): Promise<void> {
    for (const s of this.engine.store.specs) {
      const m = mo.m.get(s.name), v = mo.v.get(s.name);
      if (!m || !v) throw new Error(`missing AdamW moments for ${s.name}`);
      this.engine.store.write(s.name, m, 'exp_avg');
      this.engine.store.write(s.name, v, 'exp_avg_sq');
    }
  }

  destroy(): void {
    // A generator still being planned is freed when it arrives (the engine's buffers go now either way).
    void this.gen?.then((g) => g.destroy(), () => undefined);
    this.engine.destroy();
  }
}
