// Says how two model configs differ, field by field, for messages that refuse a mismatched checkpoint.
import { architectureOf, isTied, type ModelConfig } from '../../model/config';

const FIELDS: readonly (keyof ModelConfig)[] = [
  'dim', 'nLayers', 'nHeads', 'nKvHeads', 'hiddenDim', 'vocabSize', 'normEps', 'ropeTheta', 'contextLength',
];

/** ["dim is 64, expected 128", ...]; empty when the configs describe the same model. */
export function configDifferences(actual: ModelConfig, expected: ModelConfig): string[] {
  const out = FIELDS.filter((f) => actual[f] !== expected[f]).map((f) => `${f} is ${actual[f]}, expected ${expected[f]}`);
  // The optional fields compare by their defaults, so an absent one equals its default written out.
  if (isTied(actual) !== isTied(expected)) out.push(`tieWordEmbeddings is ${isTied(actual)}, expected ${isTied(expected)}`);
  if (architectureOf(actual) !== architectureOf(expected)) {
    out.push(`architecture is ${architectureOf(actual)}, expected ${architectureOf(expected)}`);
  }
  return out;
}
