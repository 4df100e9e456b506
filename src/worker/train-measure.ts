// The warm-up that measures a config's time per step on this adapter before a run is committed to: a backend
// built for exactly that config takes MEASURE_STEPS optimizer steps on random tokens (no dataset needed, the
// cost does not depend on the text), the first one paying for the kernels' compilation, and is destroyed with
// its weights. Nothing of it is counted as training.
import type { ModelConfig } from '../model/config';
import { batchFromRows } from '../engine/engine';
import type { TrainBackend } from '../train/backend';
import type { TrainConfig } from '../train/config';

/** Steps of the warm-up: the first compiles the pipelines, the rest are timed. */
export const MEASURE_STEPS = 2;

export interface StepTiming {
  /** Wall time of one optimizer step of the config (all its micro-batches), from the timed steps. */
  msPerStep: number;
  /** Micro-batches timed. */
  timedSteps: number;
}

/** A batch of uniformly drawn token ids, from a small fixed-seed generator (the same batch every time). */
function randomRows(model: ModelConfig, train: TrainConfig): Int32Array {
  const rows = new Int32Array(train.batchSize * (train.seqLen + 1));
  let x = 0x9e3779b9;
  for (let i = 0; i < rows.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    rows[i] = (x >>> 0) % model.vocabSize;
  }
  return rows;
}

/**
 * Times `backend` (made for `model` and `train`, its weights disposable) on MEASURE_STEPS single-micro-batch
 * steps at learning rate 0, and scales the timed ones by the config's accumulation: a step of accumSteps
 * micro-batches costs accumSteps of them (the optimizer update is small beside a forward and backward).
 */
export async function measureStepTime(backend: TrainBackend, model: ModelConfig, train: TrainConfig,
  now: () => number = () => performance.now()): Promise<StepTiming> {
  const batch = batchFromRows(randomRows(model, train), train.batchSize, train.seqLen);
  let timedMs = 0;
  for (let i = 0; i < MEASURE_STEPS; i++) {
    const start = now();
    await backend.trainStep([batch], 0); // the loss is read back, so the GPU's work is done when this resolves
    if (i > 0) timedMs += now() - start;
  }
  const timedSteps = MEASURE_STEPS - 1;
  return { msPerStep: (timedMs / timedSteps) * train.accumSteps, timedSteps };
}
