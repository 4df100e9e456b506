// Learning rate: linear warmup from 0 to the peak, then a half cosine down to peak * minLrRatio at the last step.
import type { TrainConfig } from './config';

/** The learning rate for optimizer step `step` (0-based). */
export function learningRate(t: Pick<TrainConfig, 'lr' | 'minLrRatio' | 'warmupSteps' | 'steps'>, step: number): number {
  if (step < t.warmupSteps) return (t.lr * (step + 1)) / t.warmupSteps;
  const decaySteps = Math.max(1, t.steps - t.warmupSteps - 1);
  const progress = Math.min(1, (step - t.warmupSteps) / decaySteps);
  const min = t.lr * t.minLrRatio;
  return min + 0.5 * (t.lr - min) * (1 + Math.cos(Math.PI * progress));
}
