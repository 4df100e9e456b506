// Both corpora through Mistral's tokenizer and through @huggingface/tokenizers on our tokenizer.json: the ids
// must be identical. Mistral's file has no pre-tokenizer, so the reference library hands a whole text to its BPE
// as one word, and its time grows with the square of the text's length (three minutes of CI for these 12 MB as
// whole records, against about a second for ours). So the records are compared piece by piece, split after each
// run of newlines and after each sentence's closing space (every character of a record in exactly one piece),
// and every record of up to 4,000 characters whole as well, where merges across pieces show: all of Moby-Dick,
// and every fourth State of the Union address (the reference's cost per call makes all 233 take a minute more).
import { expect, test } from 'vitest';
import { mistralTokenizer } from '../../../src/data/tokenizer/mistral';
import { compareOnTexts, CORPORA, corpusTexts, reference } from './helpers';

const tok = mistralTokenizer();
const hf = reference(tok);

test.each(CORPORA)('Mistral: identical ids to Hugging Face on every paragraph and sentence of the records of %s, and on the short records whole', (file) => {
  const records = corpusTexts(file).filter((_, i) => !file.startsWith('sotu') || i % 4 === 0);
  // After each run of newlines, and after a sentence's closing space (the addresses are one line each).
  const pieces = records.flatMap((r) => r.split(/(?<=\n)(?!\n)|(?<=[.!?] )/));
  expect(pieces.join('')).toBe(records.join(''));                     // every character, once
  const texts = [...pieces, ...records.filter((r) => r.length <= 4000)];
  const { mismatches, tokens } = compareOnTexts(texts, (t) => tok.encode(t), hf);
  expect(mismatches).toEqual([]);
  expect(tokens).toBeGreaterThan(texts.length);
}, 600_000);
