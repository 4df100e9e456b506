// Each preset in plain words for the form: its size (counted from the config, not written by hand), the time
// a step takes here at the form's training settings (the run-cost estimate) and what to expect of its text.
import { countParams } from '../model/params';
import { PRESETS, type PresetName } from '../model/presets';
import type { TrainConfig } from '../train/config';
import { perStepText, runCost, type ComputeProfile } from './run-cost';

/** What text a preset writes after a short run on a small corpus like the default one (hundreds to thousands of steps). */
export const PRESET_EXPECT: Readonly<Record<PresetName, string>> = {
  'hare-1.1b': 'HARE-1.1B as released: needs a data-centre GPU, and writes fluent text only after billions of tokens.',
  'hare-0.25b': 'The paper\'s ablation size: needs a large GPU; coherent sentences come after hundreds of millions of tokens.',
  small: 'For a laptop GPU: grammatical sentences after tens of millions of tokens.',
  mini: 'Learns short phrases and word pairs; its sentences do not hold together.',
  micro: 'Learns the common words and short phrases of a small corpus, in minutes on a GPU.',
  tiny: 'Babbles word fragments and frequent short words: for trying the page out, even without a GPU.',
};

/** A parameter count as people say it: two significant figures, in millions or billions ("0.16 million"). */
export function sizeWords(n: number): string {
  return n >= 1e9 ? `${Number((n / 1e9).toPrecision(2))} billion` : `${Number((n / 1e6).toPrecision(2))} million`;
}

/** One sentence for a preset: size, time per step on this adapter at `train`'s batch (its sequence length capped by the preset's context). */
export function presetWords(name: PresetName, train: TrainConfig | null, profile: ComputeProfile): string {
  const p = PRESETS[name];
  const size = `${sizeWords(countParams(p))} parameters, ${p.nLayers} layers of width ${p.dim}`;
  let time = '';
  if (train) {
    const cost = runCost(p, { ...train, seqLen: Math.min(train.seqLen, p.contextLength) }, profile);
    time = `; about ${perStepText(cost.secondsPerStep)} per step here (${profile.basis})`;
  }
  return `${name}: ${size}${time}. ${PRESET_EXPECT[name]}`;
}
