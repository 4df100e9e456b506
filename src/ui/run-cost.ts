// What a run will cost on this adapter, before it starts: whether it fits the memory the page may use, and
// how long a step and the whole run will take. WebGPU reports no memory size, so a GPU is checked against
// its binding limits only (the planner's table is the allocation); a CPU-emulated adapter (SwiftShader)
// allocates in the machine's RAM, so it gets a budget. Time is the run's FLOPs at a throughput measured
// on this adapter once steps have run, and before that at a figure for the kind of adapter.
import type { ModelConfig } from '../model/config';
import { headDim } from '../model/config';
import { countParams } from '../model/params';
import { tokensPerStep, type TrainConfig } from '../train/config';
import { formatDuration } from './dom';

const GiB = 2 ** 30;

/** SwiftShader on this project's 2-core machines with the lanes matmuls: tiny 640 and micro 121 tokens/s
 *  (README) are 0.64 and 0.75 GFLOP/s by flopsPerStep. */
export const EMULATED_FLOPS = 0.6e9;
/** A modest GPU through WebGPU before anything is measured (the H100 ran hare-1.1b at ~19 TFLOP/s). */
export const GPU_FLOPS = 1e12;
/** Past this the run is flagged and Train asks before starting. */
export const LONG_RUN_SECONDS = 3600;

export interface ComputeProfile {
  /** Bytes the page may allocate (null: unknown, a GPU says nothing; the binding limits still apply). */
  readonly memoryBudget: number | null;
  readonly flopsPerSecond: number;
  /** Where the throughput comes from, for the estimate's text. */
  readonly basis: string;
}

/**
 * The profile for an adapter: CPU-emulated ones may use half the machine's memory up to 4 GiB (the browser
 * and the data worker need the rest; `deviceMemory` is Chrome's rounded RAM in GiB, 8 when unknown).
 */
export function profileFor(adapter: { emulated: boolean } | null, deviceMemoryGiB?: number): ComputeProfile {
  if (adapter?.emulated) {
    const ram = deviceMemoryGiB && deviceMemoryGiB > 0 ? deviceMemoryGiB : 8;
    return { memoryBudget: Math.min(4, ram / 2) * GiB, flopsPerSecond: EMULATED_FLOPS, basis: 'typical for a CPU-emulated adapter' };
  }
  return { memoryBudget: null, flopsPerSecond: GPU_FLOPS, basis: 'a rough GPU figure until the first steps measure it' };
}

/** The same profile with the throughput measured on this adapter (by a run's steps, or by a warm-up: `basis`). */
export function measured(p: ComputeProfile, flopsPerSecond: number, basis = 'measured on this adapter'): ComputeProfile {
  return Number.isFinite(flopsPerSecond) && flopsPerSecond > 0 ? { ...p, flopsPerSecond, basis } : p;
}

/** A step's time as the estimate says it: milliseconds under a second, else a duration. */
export function perStepText(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : formatDuration(seconds);
}

/**
 * FLOPs of one optimizer step: 6 per parameter per token (forward 2, backward 4) plus causal attention's
 * scores and mixing, 6 · layers · T · heads · head dim per token (half of the full T×T, three passes).
 */
export function flopsPerStep(c: ModelConfig, t: TrainConfig): number {
  const tokens = tokensPerStep(t);
  const attention = 6 * c.nLayers * t.seqLen * c.nHeads * headDim(c);
  return tokens * (6 * countParams(c) + attention);
}

export interface RunCost {
  readonly secondsPerStep: number;
  readonly totalSeconds: number;
  /** One line for the estimate: time per step and for the run, and what the figure rests on. */
  readonly timeText: string;
  /** Set when the run would take longer than LONG_RUN_SECONDS: the sentence, with what to change. */
  readonly longRun: string | null;
}

export function runCost(c: ModelConfig, t: TrainConfig, p: ComputeProfile): RunCost {
  const secondsPerStep = flopsPerStep(c, t) / p.flopsPerSecond;
  const totalSeconds = secondsPerStep * t.steps;
  const per = perStepText(secondsPerStep);
  const timeText = `about ${per} per step, ${formatDuration(totalSeconds)} for ${t.steps} steps (${p.basis})`;
  const longRun = totalSeconds > LONG_RUN_SECONDS
    ? `this run would take about ${formatDuration(totalSeconds)} here (${per} per step): choose fewer steps, a smaller batch or a smaller preset`
    : null;
  return { secondsPerStep, totalSeconds, timeText, longRun };
}
