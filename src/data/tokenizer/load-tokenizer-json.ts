// Loading a tokenizer.json: checked field by field (errors name the field), then run by our fast BPE when it is
// one of the two families we implement, and by Hugging Face's own library otherwise.

import { BpeTokenizer } from './bpe-tokenizer';
import { HfWrappedTokenizer } from './hf-tokenizer';
import { specialTokenIds } from './special-token-ids';
import type { Tokenizer, TokenizerJSON } from './tokenizer';
import { type CheckedTokenizerJSON, checkTokenizerJSON, TokenizerJSONError } from './tokenizer-json-check';
import { fastBpeSpec } from './tokenizer-json-reader';

export interface LoadTokenizerOptions {
  /** Label for reports; default 'hf:<model type>-<vocab size>'. */
  readonly name?: string;
}

/**
 * A Tokenizer for any tokenizer.json (the parsed object, or its text). BOS/EOS ids follow the conventional names
 * (see special-token-ids.ts) and are -1 when the file has neither. toJSON() gives the file back unchanged.
 */
export function loadTokenizerJSON(json: unknown, opts: LoadTokenizerOptions = {}): Tokenizer {
  const file = checkTokenizerJSON(json);
  const { bosId, eosId } = specialTokenIds(file);
  const root = file.root as TokenizerJSON;
  const name = opts.name ?? `hf:${(file.modelType ?? 'model').toLowerCase()}-${declaredVocabSize(file)}`;
  const spec = fastBpeSpec(file);
  if (spec !== null) {
    try {
      return new BpeTokenizer({ name, spec, bosId, eosId, json: () => structuredClone(root) });
    } catch (e) {
      // The checks bound what a file can ask for; whatever still breaks our tables is still this file's fault.
      throw new TokenizerJSONError(`Leveret's tokenizer cannot be built from it: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return new HfWrappedTokenizer({ name, json: root, bosId, eosId });
}

/** One more than the largest id the file defines (model vocabulary or added tokens). */
function declaredVocabSize(file: CheckedTokenizerJSON): number {
  const vocab = file.model.vocab;
  let size = Array.isArray(vocab) ? vocab.length : 0;
  if (typeof vocab === 'object' && vocab !== null && !Array.isArray(vocab)) {
    for (const id of Object.values(vocab)) if (typeof id === 'number') size = Math.max(size, id + 1);
  }
  for (const t of file.addedTokens) size = Math.max(size, t.id + 1);
  return size;
}
