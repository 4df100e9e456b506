// The form's refusals in its own words (issue 14.7): validators' code keys become the labels shown, and
// the checks a later stage would only trip on (a vocabulary below any tokenizer's, a warmup as long as the
// run) are made in the form, with the fix.
import { describe, expect, it } from 'vitest';
import { ConfigError, validateConfig } from '../../../src/model/config';
import { PRESETS } from '../../../src/model/presets';
import { HARE_TRAIN_DEFAULTS, validateTrainConfig } from '../../../src/train/config';
import { formChecks, inWords, suggestedWarmup } from '../../../src/ui/config-words';

const refusal = (f: () => unknown): string => {
  try { f(); } catch (e) { if (e instanceof ConfigError) return inWords(e.field, e.message); throw e; }
  throw new Error('not refused');
};

describe('inWords', () => {
  it('names fields and the fields they mention by their labels', () => {
    expect(refusal(() => validateConfig({ ...PRESETS.tiny, nHeads: 3 }))).toBe('heads: must divide width (dim) (64 is not a multiple of 3)');
    expect(refusal(() => validateConfig({ ...PRESETS.tiny, nKvHeads: 3 }))).toBe('key/value heads: must divide heads (4 is not a multiple of 3)');
    expect(refusal(() => validateConfig({ ...PRESETS.tiny, dim: 24, nHeads: 4, nKvHeads: 2 }))).toBe('heads: head size width / heads = 6 must be a multiple of 4');
    expect(refusal(() => validateTrainConfig({ ...HARE_TRAIN_DEFAULTS, lr: 2 }))).toBe('learning rate: must be in (0, 1), got 2');
  });

  it('says an empty field is empty', () => {
    expect(refusal(() => validateTrainConfig({ ...HARE_TRAIN_DEFAULTS, steps: NaN }))).toBe('steps: must be a positive integer: the field is empty or not a number');
  });
});

describe('formChecks', () => {
  it('refuses a vocabulary no tokenizer can have, before the BPE trainer would', () => {
    expect(formChecks({ vocabSize: 100 }, {})).toEqual([
      'vocabulary: 100 is below 259, the smallest a tokenizer can have (256 bytes and 3 special tokens): use 259 or more (512 for the tiny preset)',
    ]);
    expect(formChecks({ vocabSize: 259 }, {})).toEqual([]);
  });

  it('refuses a warmup as long as the run, or over half of it, with the usual tenth', () => {
    expect(formChecks({}, { steps: 200, warmupSteps: 500 })[0]).toMatch(/^warmup steps: 500 is not fewer than the 200 steps of the run, .* use about 20 \(a tenth of the run\)$/);
    expect(formChecks({}, { steps: 30, warmupSteps: 20 })[0]).toMatch(/^warmup steps: 20 of 30 steps leaves under half the run at the full learning rate: use at most 15, usually about 3/);
    expect(formChecks({}, { steps: 200, warmupSteps: 20 })).toEqual([]);
    expect(formChecks({}, { steps: 26, warmupSteps: 3 })).toEqual([]);
  });

  it('suggests a tenth of the run as the warmup (HARE: 20 of 200)', () => {
    expect(suggestedWarmup(200)).toBe(20);
    expect(suggestedWarmup(30)).toBe(3);
    expect(suggestedWarmup(1)).toBe(0);
  });
});
