// Says how two model configs differ, field by field, for messages that refuse a mismatched checkpoint.
import type { ModelConfig } from '../../model/config';

const FIELDS: readonly (keyof ModelConfig)[] = [
  'dim', 'nLayers', 'nHeads', 'nKvHeads', 'hiddenDim', 'vocabSize', 'normEps', 'ropeTheta', 'contextLength',
];

/** ["dim is 64, expected 128", ...]; empty when the configs describe the same model. */
export function configDifferences(actual: ModelConfig, expected: ModelConfig): string[] {
  return FIELDS.filter((f) => actual[f] !== expected[f]).map((f) => `${f} is ${actual[f]}, expected ${expected[f]}`);
}
