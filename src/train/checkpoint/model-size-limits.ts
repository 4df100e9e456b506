// Upper bounds on a model config read from a file. validateConfig checks that a shape is consistent; these
// check that it is one a browser could ever hold, so a config.json claiming a billion layers is refused at
// once instead of building a billion parameter names. Each bound is well above any published model.
import type { ModelConfig } from '../../model/config';
import { MAX_TOKEN_ID } from '../../data/tokenizer/tokenizer-json-check';

export const MODEL_SIZE_LIMITS: Readonly<Record<'dim' | 'nLayers' | 'nHeads' | 'nKvHeads' | 'hiddenDim' | 'vocabSize' | 'contextLength', number>> = {
  dim: 65_536,
  nLayers: 1_024,
  nHeads: 1_024,
  nKvHeads: 1_024,
  hiddenDim: 1_048_576,
  vocabSize: MAX_TOKEN_ID, // a tokenizer.json cannot use an id at or above this
  contextLength: 1_048_576,
};

/** The first field above its bound, as [field, bound], or null. */
export function fieldOverLimit(c: ModelConfig): [keyof typeof MODEL_SIZE_LIMITS, number] | null {
  for (const [field, limit] of Object.entries(MODEL_SIZE_LIMITS) as [keyof typeof MODEL_SIZE_LIMITS, number][]) {
    if (c[field] > limit) return [field, limit];
  }
  return null;
}
