// Presets in plain words (issue 14): size counted from the config, time per step from the same estimate the
// form shows (so a measured adapter changes it), and what to expect of the text; every form field has help.
import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, PRESETS } from '../../../src/model/presets';
import { HARE_TRAIN_DEFAULTS } from '../../../src/train/config';
import { MODEL_FIELDS, TRAIN_FIELDS } from '../../../src/ui/config-fields';
import { presetWords } from '../../../src/ui/preset-words';
import { measured, profileFor, runCost } from '../../../src/ui/run-cost';

const train = { ...HARE_TRAIN_DEFAULTS, batchSize: 2, seqLen: 32 };

describe('presetWords', () => {
  it('says the size, the time per step on this adapter and what the text will look like', () => {
    const emulated = profileFor({ emulated: true }, 8);
    const ms = Math.round(runCost(PRESETS.tiny, train, emulated).secondsPerStep * 1000);
    expect(presetWords('tiny', train, emulated)).toBe(
      `tiny: 0.16 million parameters, 2 layers of width 64; about ${ms} ms per step here (typical for a CPU-emulated adapter). ` +
      'Babbles word fragments and frequent short words: for trying the page out, even without a GPU.');
  });

  it('follows a measured throughput, caps the sequence at the preset\'s context, and every preset has words', () => {
    const fast = measured(profileFor({ emulated: true }, 8), 3e9, 'measured on a 2-step warm-up here');
    expect(presetWords('tiny', train, fast)).toMatch(/about \d+ ms per step here \(measured on a 2-step warm-up here\)/);
    expect(presetWords('tiny', { ...train, seqLen: 4096 }, fast)).toBe(presetWords('tiny', { ...train, seqLen: PRESETS.tiny.contextLength }, fast));
    for (const name of PRESET_NAMES) expect(presetWords(name, null, fast)).toMatch(new RegExp(`^${name}: [\\d.]+ (million|billion) parameters, \\d+ layers of width \\d+\\. [A-Z].{20,}\\.$`));
    expect(presetWords('hare-1.1b', null, fast)).toMatch(/^hare-1\.1b: 1\.1 billion parameters/);
  });
});

describe('config fields', () => {
  it('every field of the form has a plain-words help sentence for its tooltip and description', () => {
    for (const f of [...MODEL_FIELDS, ...TRAIN_FIELDS]) expect(f.help, f.key).toMatch(/^[A-Z].{30,}[.)]$/);
  });
});
