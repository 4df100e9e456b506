// The warm-up that measures a step before a run (issue 14, "time per step measured on a short warm-up"): the
// first step (kernel compilation) is not timed, accumulation scales the time, and through the worker's API
// nothing is trained: no run, no step event.
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../../src/engine/engine';
import { PRESETS } from '../../../src/model/presets';
import type { TrainBackend } from '../../../src/train/backend';
import { HARE_TRAIN_DEFAULTS, validateTrainConfig } from '../../../src/train/config';
import type { TrainEvent } from '../../../src/worker/train-api';
import { MEASURE_STEPS, measureStepTime } from '../../../src/worker/train-measure';
import { createTrainApi } from '../../../src/worker/train-service';

const model = PRESETS.tiny;
const train = validateTrainConfig({ ...HARE_TRAIN_DEFAULTS, batchSize: 2, seqLen: 16, accumSteps: 3, steps: 10, warmupSteps: 1 });

describe('measureStepTime', () => {
  it('leaves the compiling first step out, times the rest, and scales one micro-batch by the accumulation', async () => {
    let clock = 0;
    const seen: { micro: readonly Batch[]; lr: number }[] = [];
    const durations = [5000, 40]; // the first step compiles every pipeline
    const backend = {
      async trainStep(micro: readonly Batch[], lr: number) { seen.push({ micro, lr }); clock += durations[seen.length - 1]; return { loss: 6, gradNorm: 1, skipped: false }; },
    } as unknown as TrainBackend;
    const t = await measureStepTime(backend, model, train, () => clock);
    expect(MEASURE_STEPS).toBe(2);
    expect(t).toEqual({ msPerStep: 40 * 3, timedSteps: 1 });
    expect(seen.map((s) => [s.micro.length, s.lr])).toEqual([[1, 0], [1, 0]]);
    const ids = seen[0].micro[0].inputs;
    expect(ids.length).toBe(2 * 16);
    expect(Math.max(...ids)).toBeLessThan(model.vocabSize);
    expect(new Set(ids).size).toBeGreaterThan(10); // random tokens, not one id repeated
  });

  it('through the worker (tfjs here): a positive time, and no run or step comes of it', async () => {
    const api = createTrainApi({
      openCompute: async () => ({ report: { kind: 'tfjs', name: 'cpu', adapter: null, fallbackReason: 'test', emulated: false }, dev: null, onFailure: () => undefined }),
      openDataset: async () => { throw new Error('not used'); },
      saveAutosave: async () => { throw new Error('not used'); },
      autosaveInfo: async () => null, autosaveBlob: async () => null, discardAutosave: async () => undefined,
    });
    const events: TrainEvent[] = [];
    await api.listen((e) => { events.push(e); });
    const t = await api.measureStep({ model, train: { ...train, accumSteps: 1, batchSize: 1, seqLen: 8 }, engine: 'auto' });
    expect(t.msPerStep).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'step')).toEqual([]);
    await expect(api.exportCheckpoint()).rejects.toThrow(/there is no run/);
    await expect(api.measureStep({ model: { ...model, nHeads: 5 }, train, engine: 'auto' })).rejects.toThrow(/nHeads/);
  }, 60_000);
});
