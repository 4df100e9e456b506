// Refusals in the form's words: the config validators speak in code keys (`nHeads: must divide dim`);
// the form says "heads must divide the width". And the checks that belong to the form itself, because a
// later stage would only fail on them (a vocabulary no tokenizer can have, a warmup longer than the run),
// each with the fix.
import type { ModelConfig } from '../model/config';
import type { TrainConfig } from '../train/config';
import { LABELS } from './config-fields';

/** The smallest vocabulary a tokenizer here can have: 256 byte tokens and 3 special ones (BOS, EOS, PAD). */
export const MIN_VOCAB = 259;
/** Above this a learned BPE cannot go (token ids are stored as 16 bits). */
export const MAX_BPE_VOCAB = 65536;

// Code keys in the validators' sentences, longest first so `nKvHeads` is not read as `nHeads`.
const KEYS = Object.keys(LABELS).sort((a, b) => b.length - a.length);
const KEY_PATTERN = new RegExp(`\\b(${KEYS.join('|')})\\b`, 'g');

/** A validator's refusal of `field`, said with the form's labels: "heads: must divide width (dim) (...)". */
export function inWords(field: string, message: string): string {
  const body = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  const label = LABELS[field] ?? field;
  // `head dim dim/nHeads` reads as a formula: say it as one, before `dim` alone becomes the width's label.
  const said = body.replace(/\bhead dim\b/g, 'head size').replace(/\bdim\/nHeads\b/g, 'width / heads').replace(KEY_PATTERN, (k) => LABELS[k] ?? k)
    .replace(/, got NaN$/, ': the field is empty or not a number');
  return `${label}: ${said}`;
}

/** What the form refuses before the validators look: problems a later stage would only trip on. */
export function formChecks(m: Partial<ModelConfig>, t: Partial<TrainConfig>): string[] {
  const problems: string[] = [];
  const vocab = m.vocabSize;
  if (vocab !== undefined && Number.isInteger(vocab) && vocab > 0 && vocab < MIN_VOCAB) {
    problems.push(`vocabulary: ${vocab} is below ${MIN_VOCAB}, the smallest a tokenizer can have (256 bytes and 3 special tokens): use ${MIN_VOCAB} or more (512 for the tiny preset)`);
  }
  const { steps, warmupSteps: warmup } = t;
  if (steps !== undefined && warmup !== undefined && Number.isInteger(steps) && steps > 0 && Number.isInteger(warmup) && warmup >= 0) {
    const usual = Math.round(steps / 10);
    if (warmup >= steps) {
      problems.push(`warmup steps: ${warmup} is not fewer than the ${steps} steps of the run, so the learning rate would never reach its peak: use about ${usual} (a tenth of the run)`);
    } else if (warmup > steps / 2) {
      problems.push(`warmup steps: ${warmup} of ${steps} steps leaves under half the run at the full learning rate: use at most ${Math.floor(steps / 2)}, usually about ${usual} (a tenth)`);
    }
  }
  return problems;
}

/** The warmup the form suggests for a run of `steps` (HARE: 20 of 200, a tenth) while the person has not set one. */
export const suggestedWarmup = (steps: number): number => Math.max(0, Math.round(steps / 10));
