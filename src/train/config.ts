// Training hyperparameters, with HARE's values as defaults (../shared/HARE.md): AdamW (0.9, 0.95), eps 1e-8,
// weight decay 0.1 (none on norm weights), clipping at 1.0, warmup then cosine decay.
import { ConfigError } from '../model/config';

export interface TrainConfig {
  readonly batchSize: number;     // B: sequences per micro-batch
  readonly seqLen: number;        // T
  readonly accumSteps: number;    // micro-batches per optimizer step
  readonly steps: number;         // optimizer steps in the run (the cosine schedule's length)
  readonly lr: number;            // peak learning rate (HARE: 3e-4 at 1.1B; small models take more)
  readonly minLrRatio: number;    // the cosine ends at lr * minLrRatio
  readonly warmupSteps: number;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly gradClip: number;
  readonly seed: number;
  readonly evalInterval: number;  // steps between validation evaluations (0: never)
  readonly evalBatches: number;   // validation batches per evaluation (0: all of them)
}

export const HARE_TRAIN_DEFAULTS: TrainConfig = {
  batchSize: 8, seqLen: 128, accumSteps: 1, steps: 200, lr: 3e-3, minLrRatio: 0.1, warmupSteps: 20,
  weightDecay: 0.1, beta1: 0.9, beta2: 0.95, eps: 1e-8, gradClip: 1.0, seed: 1, evalInterval: 50, evalBatches: 8,
};

export function validateTrainConfig(t: TrainConfig): TrainConfig {
  const posInt = ['batchSize', 'seqLen', 'accumSteps', 'steps'] as const;
  for (const f of posInt) if (!Number.isInteger(t[f]) || t[f] < 1) throw new ConfigError(f, `must be a positive integer, got ${t[f]}`);
  for (const f of ['warmupSteps', 'evalInterval', 'evalBatches', 'seed'] as const) {
    if (!Number.isInteger(t[f]) || t[f] < 0) throw new ConfigError(f, `must be a non-negative integer, got ${t[f]}`);
  }
  if (!(t.lr > 0 && t.lr < 1)) throw new ConfigError('lr', `must be in (0, 1), got ${t.lr}`);
  if (!(t.minLrRatio >= 0 && t.minLrRatio <= 1)) throw new ConfigError('minLrRatio', `must be in [0, 1], got ${t.minLrRatio}`);
  for (const f of ['beta1', 'beta2'] as const) if (!(t[f] >= 0 && t[f] < 1)) throw new ConfigError(f, `must be in [0, 1), got ${t[f]}`);
  if (!(t.eps > 0)) throw new ConfigError('eps', `must be positive, got ${t.eps}`);
  if (!(t.weightDecay >= 0)) throw new ConfigError('weightDecay', `must be non-negative, got ${t.weightDecay}`);
  if (!(t.gradClip > 0)) throw new ConfigError('gradClip', `must be positive, got ${t.gradClip}`);
  return Object.freeze({ ...t });
}

/**
 * A peak learning rate for a model of this width: HARE's 3e-4 at 2048 wide, larger for narrower models
 * (scaled by (2048 / dim)^0.75, capped at 3e-3). The tiny preset trains well at 3e-3; 3e-3 at 1.1B
 * parameters diverges (seen on the H100 run), hence a default that follows the model.
 */
export function suggestedLearningRate(c: { dim: number }): number {
  const lr = 3e-4 * Math.pow(2048 / c.dim, 0.75);
  return Number(Math.min(3e-3, lr).toPrecision(2));
}

/** Tokens consumed by one optimizer step. */
export const tokensPerStep = (t: TrainConfig): number => t.batchSize * t.seqLen * t.accumSteps;
