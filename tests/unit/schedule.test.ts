// Warmup + cosine learning-rate schedule.
import { describe, expect, it } from 'vitest';
import { learningRate } from '../../src/train/schedule';
import { suggestedLearningRate } from '../../src/train/config';
import { PRESETS } from '../../src/model/presets';

describe('learning rate schedule', () => {
  const t = { lr: 1e-3, minLrRatio: 0.1, warmupSteps: 10, steps: 110 };
  it('warms up linearly from lr / warmup to the peak', () => {
    expect(learningRate(t, 0)).toBeCloseTo(1e-4, 12);
    expect(learningRate(t, 4)).toBeCloseTo(5e-4, 12);
    expect(learningRate(t, 9)).toBeCloseTo(1e-3, 12);
  });
  it('decays along a half cosine to lr * minLrRatio at the last step', () => {
    expect(learningRate(t, 10)).toBeCloseTo(1e-3, 12);
    const mid = 10 + (110 - 10 - 1) / 2;
    expect(learningRate(t, mid)).toBeCloseTo((1e-3 + 1e-4) / 2, 12);
    expect(learningRate(t, 109)).toBeCloseTo(1e-4, 12);
    expect(learningRate(t, 500)).toBeCloseTo(1e-4, 12);
    for (let s = 10; s < 109; s++) expect(learningRate(t, s + 1)).toBeLessThanOrEqual(learningRate(t, s));
  });
  it('works without warmup', () => {
    expect(learningRate({ ...t, warmupSteps: 0 }, 0)).toBeCloseTo(1e-3, 12);
  });
});

describe('suggested learning rate', () => {
  it("is HARE's 3e-4 at 1.1B and grows for narrower models, up to 3e-3", () => {
    expect(suggestedLearningRate(PRESETS['hare-1.1b'])).toBe(3e-4);
    expect(suggestedLearningRate(PRESETS.tiny)).toBe(3e-3);
    const widths = [PRESETS['hare-1.1b'], PRESETS['hare-0.25b'], PRESETS.small, PRESETS.mini, PRESETS.micro].map(suggestedLearningRate);
    for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeGreaterThan(widths[i - 1]);
  });
});
