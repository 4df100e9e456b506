// The run's cost before it starts: the memory budget of a CPU-emulated adapter and the time per step and
// for the run, which flag hare-1.1b on SwiftShader (issue 14.1) and let the tiny preset through.
import { describe, expect, it } from 'vitest';
import { estimateMemory } from '../../../src/model/memory';
import { countParams } from '../../../src/model/params';
import { PRESETS } from '../../../src/model/presets';
import { HARE_TRAIN_DEFAULTS, type TrainConfig } from '../../../src/train/config';
import { budgetRefusal, NO_MEMORY_OPTIONS } from '../../../src/ui/memory-fit';
import { flopsPerStep, measured, profileFor, runCost } from '../../../src/ui/run-cost';

const limits = { maxStorageBufferBindingSize: 2 ** 31 - 4, maxBufferSize: 2 ** 32 };
const train = (over: Partial<TrainConfig> = {}): TrainConfig => ({ ...HARE_TRAIN_DEFAULTS, ...over });

describe('run cost', () => {
  const emulated = profileFor({ emulated: true }, 8);

  it('refuses hare-1.1b on an emulated adapter, naming the size, the budget and the fix', () => {
    const est = estimateMemory(PRESETS['hare-1.1b'], train({ steps: 5 }), limits);
    expect(est.problems).toEqual([]); // the binding limits alone let it through: that was the hang
    const refusal = budgetRefusal(PRESETS['hare-1.1b'], train({ steps: 5 }), limits, NO_MEMORY_OPTIONS, null, emulated.memoryBudget);
    expect(refusal?.message).toMatch(/^needs \d+\.\d\d GiB, more than the 4\.00 GiB this CPU-emulated adapter may use, and no memory option brings it within: .*choose a smaller preset/);
  });

  it('flags a run of hours, with time per step and in total', () => {
    const cost = runCost(PRESETS['hare-1.1b'], train({ steps: 5 }), emulated);
    expect(cost.secondsPerStep).toBeGreaterThan(3600);
    expect(cost.longRun).toMatch(/^this run would take about \d+h \d\dm here \(\d+h \d\dm per step\): choose fewer steps/);
    expect(cost.timeText).toMatch(/per step, .* for 5 steps \(typical for a CPU-emulated adapter\)/);
  });

  it('lets the tiny preset through on the same adapter', () => {
    const t = train({ steps: 26, batchSize: 2, seqLen: 32 });
    expect(budgetRefusal(PRESETS.tiny, t, limits, NO_MEMORY_OPTIONS, null, emulated.memoryBudget)).toBeNull();
    const cost = runCost(PRESETS.tiny, t, emulated);
    expect(cost.longRun).toBeNull();
    expect(cost.secondsPerStep).toBeLessThan(1);
    expect(cost.timeText).toMatch(/^about \d+ ms per step/);
  });

  it('counts 6 FLOPs per parameter and token plus causal attention', () => {
    const t = train({ batchSize: 1, seqLen: 16, accumSteps: 1 });
    const c = PRESETS.tiny;
    expect(flopsPerStep(c, t)).toBe(16 * (6 * countParams(c) + 6 * c.nLayers * 16 * c.dim));
  });

  it('has no memory budget on a GPU (WebGPU reports none) and uses a measured throughput once there is one', () => {
    const gpu = profileFor({ emulated: false });
    expect(budgetRefusal(PRESETS['hare-1.1b'], train(), limits, NO_MEMORY_OPTIONS, null, gpu.memoryBudget)).toBeNull();
    expect(measured(gpu, 5e12).basis).toBe('measured on this adapter');
    expect(measured(gpu, NaN)).toBe(gpu);
    expect(profileFor({ emulated: true }, 2).memoryBudget).toBe(2 ** 30);
  });
});
