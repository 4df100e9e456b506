// Every record of both corpora through Mistral's tokenizer and through @huggingface/tokenizers on our
// tokenizer.json: the ids must be identical. The reference library hands each whole record to its BPE as one
// word (Mistral's file has no pre-tokenizer), so it needs about two minutes on the 12 MB here; ours about one
// second.
import { expect, test } from 'vitest';
import { mistralTokenizer } from '../../../src/data/tokenizer/mistral';
import { compareOnTexts, CORPORA, corpusTexts, reference } from './helpers';

const tok = mistralTokenizer();
const hf = reference(tok);

test.each(CORPORA)('Mistral: identical ids to Hugging Face on every record of %s', (file) => {
  const texts = corpusTexts(file);
  const { mismatches, tokens } = compareOnTexts(texts, (t) => tok.encode(t), hf);
  expect(mismatches).toEqual([]);
  expect(tokens).toBeGreaterThan(texts.length);
}, 600_000);
