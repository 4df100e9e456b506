// What the trainer needs from whatever runs the model: our WebGPU engine, or the tfjs reference model
// (the fallback where WebGPU is missing, and the baseline the benchmarks compare against).
import type { Batch, StepResult } from '../engine/engine';
import type { ModelConfig } from '../model/config';
import type { RunMemory } from './checkpoint/trainer-state';
import type { TokenGenerator } from './sampling';

export interface Moments {
  readonly m: ReadonlyMap<string, Float32Array>;
  readonly v: ReadonlyMap<string, Float32Array>;
}

export interface TrainBackend {
  /** Who runs it, for the UI and logs: 'leveret webgpu (NVIDIA ...)', 'tfjs cpu', ... */
  readonly name: string;
  readonly config: ModelConfig;
  /** Optimizer steps taken (AdamW's t). */
  stepCount: number;
  trainStep(micro: readonly Batch[], lr: number): Promise<StepResult>;
  /** Per-position losses for one batch of the training shape (0 where the target is -1). */
  forwardLosses(b: Batch): Promise<Float32Array>;
  /** Next-token logits after `tokens` (at most the training length): for sampling. */
  nextLogits(tokens: readonly number[]): Promise<Float32Array>;
  /** A KV-cache generator on the current weights, where the backend has one (planned on first use). */
  generator?(): Promise<TokenGenerator>;
  /** How it stores what it computes (recorded in checkpoints); absent for backends without the options. */
  readonly memory?: RunMemory;
  /** The tensors it trains and checkpoints, when not every parameter of the config (a LoRA adapter's). */
  paramNames?(): readonly string[];
  getParams(): Promise<Map<string, Float32Array>>;
  setParams(p: ReadonlyMap<string, Float32Array>): Promise<void>;
  getMoments(): Promise<Moments>;
  setMoments(m: Moments): Promise<void>;
  destroy(): void;
}
