// Our JavaScript forms of the split regexes must cut text exactly where @huggingface/tokenizers does with the
// Oniguruma pattern we write into tokenizer.json (and with GPT-2's built-in one).
import { ByteLevelPreTokenizer, SplitPreTokenizer } from '@huggingface/tokenizers';
import { expect, test } from 'vitest';
import { BYTE_TO_CHAR, utf8Encode } from '../../../src/data/tokenizer/byte-alphabet';
import {
  GPT2_BYTE_LEVEL_REGEX,
  matchAll,
  splitIsolated,
  TRAINER_SPLIT_PATTERN,
  TRAINER_SPLIT_REGEX,
} from '../../../src/data/tokenizer/pretokenize';
import { CORPORA, corpusTexts, TRICKY } from './helpers';

const WHITESPACE_ZOO = ['\u0085', '\uFEFF', '\u00A0', '\u1680', '\u2000', '\u200A', '\u2028', '\u2029', '\u202F', '\u205F', '\u3000', '\u180E', '\u200B']
  .map((c) => `a${c}b ${c} ${c}${c}c 1${c}2 ,${c}.`);

const texts = [...TRICKY, ...WHITESPACE_ZOO, ...CORPORA.flatMap((f) => corpusTexts(f).slice(0, 40))];

test('the trainer regex splits like Hugging Face’s translation of its Oniguruma form', () => {
  const hf = new SplitPreTokenizer({ type: 'Split', pattern: { Regex: TRAINER_SPLIT_PATTERN }, behavior: 'Isolated', invert: false } as never);
  for (const t of texts) {
    const ours: string[] = [];
    splitIsolated(t, TRAINER_SPLIT_REGEX, ours);
    expect(ours, JSON.stringify(t.slice(0, 80))).toEqual(hf.pre_tokenize_text(t));
    expect(ours.join('')).toBe(t);
  }
});

test('GPT-2’s regex gives the ByteLevel pre-tokenizer’s pieces', () => {
  const hf = new ByteLevelPreTokenizer({ type: 'ByteLevel', add_prefix_space: false, use_regex: true } as never);
  const toAlphabet = (s: string) => {
    const [b, n] = utf8Encode(s, new Uint8Array(16));
    return Array.from(b.subarray(0, n), (x) => BYTE_TO_CHAR[x]).join('');
  };
  for (const t of texts) {
    const ours: string[] = [];
    matchAll(t, GPT2_BYTE_LEVEL_REGEX, ours);
    expect(ours.map(toAlphabet)).toEqual(hf.pre_tokenize_text(t));
  }
});

test('empty matches make no piece but the gaps around them do', () => {
  const out: string[] = [];
  splitIsolated('ab1cd', /\d*/gu, out);
  expect(out).toEqual(['a', 'b', '1', 'c', 'd']);
  const hf = new SplitPreTokenizer({ type: 'Split', pattern: { Regex: '\\d*' }, behavior: 'Isolated', invert: false } as never);
  expect(out).toEqual(hf.pre_tokenize_text('ab1cd'));
});
