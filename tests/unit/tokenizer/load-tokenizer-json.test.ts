// loadTokenizerJSON: broken files are refused with the bad field named; files of our two BPE families (in their
// several spellings) run on our fast path with Hugging Face's ids; anything else runs through the wrapper.
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { describe, expect, test } from 'vitest';
import { BpeTokenizer } from '../../../src/data/tokenizer/bpe-tokenizer';
import { HfWrappedTokenizer } from '../../../src/data/tokenizer/hf-tokenizer';
import { loadTokenizerJSON } from '../../../src/data/tokenizer/load-tokenizer-json';
import { mistralTokenizer } from '../../../src/data/tokenizer/mistral';
import type { Tokenizer, TokenizerJSON } from '../../../src/data/tokenizer/tokenizer';
import { TokenizerJSONError } from '../../../src/data/tokenizer/tokenizer-json-check';
import { trainBpe } from '../../../src/data/tokenizer/train-bpe';
import { corpusTexts, firstDifference, reference, TRICKY, WITH_SPECIAL_TEXT } from './helpers';

type J = Record<string, any>;
const clone = (j: TokenizerJSON): J => JSON.parse(JSON.stringify(j));
const moby = corpusTexts('moby-dick.jsonl');
const trained = await trainBpe(moby.slice(0, 20), { vocabSize: 1200 });
const mistralJSON = mistralTokenizer().toJSON();

/** Loads json, checks it took the expected path, and compares ids with Hugging Face on the given texts. */
function expectSameIdsAsHf(json: J, fast: boolean, texts: readonly string[]): Tokenizer {
  const tok = loadTokenizerJSON(json);
  expect(tok).toBeInstanceOf(fast ? BpeTokenizer : HfWrappedTokenizer);
  const hf = reference(tok);
  for (const s of texts) expect(firstDifference(tok.encode(s), hf(s)), JSON.stringify(s.slice(0, 60))).toBeNull();
  return tok;
}

const SHORT_TEXTS = [...TRICKY, ...WITH_SPECIAL_TEXT, ...moby.slice(20, 26)];

describe('refusing broken files', () => {
  const bpe = (model: J, extra: J = {}) => ({ model: { type: 'BPE', ...model }, ...extra });
  test.each<[string, unknown, RegExp]>([
    ['a number', 42, /expected an object at the top level, got number/],
    ['broken JSON text', '{"model": ', /not valid JSON/],
    ['no model', { added_tokens: [] }, /missing field "model"/],
    ['model an array', { model: [] }, /model must be an object, got an array/],
    ['model.type a number', { model: { type: 3 } }, /model\.type must be a string/],
    ['vocab an array', bpe({ vocab: ['a'], merges: [] }), /model\.vocab must be an object/],
    ['vocab id negative', bpe({ vocab: { a: -1 }, merges: [] }), /model\.vocab\["a"\] must be a non-negative integer/],
    ['merges missing', bpe({ vocab: { a: 0 } }), /model\.merges must be an array, got undefined/],
    ['merge with no space', bpe({ vocab: { a: 0, b: 1, ab: 2 }, merges: ['a b', 'ab'] }), /model\.merges\[1\] must be "left right"/],
    ['merge half unknown', bpe({ vocab: { a: 0, ab: 2 }, merges: ['a b'] }), /model\.merges\[0\]: "b" is not in model\.vocab/],
    ['merge result unknown', bpe({ vocab: { a: 0, b: 1 }, merges: [['a', 'b']] }), /model\.merges\[0\]: the merged token "ab"/],
    ['unk_token a number', bpe({ vocab: {}, merges: [], unk_token: 0 }), /model\.unk_token must be a string or null/],
    ['added_tokens an object', bpe({ vocab: {}, merges: [] }, { added_tokens: {} }), /added_tokens must be an array/],
    ['added token without content', bpe({ vocab: {}, merges: [] }, { added_tokens: [{ id: 0 }] }), /added_tokens\[0\]\.content must be a string/],
    ['added token id -1', bpe({ vocab: {}, merges: [] }, { added_tokens: [{ id: -1, content: 'x' }] }), /added_tokens\[0\]\.id must be a non-negative integer/],
    ['added token flag a string', bpe({ vocab: {}, merges: [] }, { added_tokens: [{ id: 0, content: 'x', special: 'yes' }] }), /added_tokens\[0\]\.special must be true or false/],
    ['pre_tokenizer without type', bpe({ vocab: {}, merges: [] }, { pre_tokenizer: { use_regex: true } }), /pre_tokenizer\.type must be a string/],
    ['bad member of a Sequence', bpe({ vocab: {}, merges: [] }, { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, {}] } }), /normalizer\.normalizers\[1\]\.type must be a string/],
    ['Sequence without its list', bpe({ vocab: {}, merges: [] }, { decoder: { type: 'Sequence' } }), /decoder\.decoders must be an array/],
    ['unknown component type', bpe({ vocab: { a: 0 }, merges: [] }, { pre_tokenizer: { type: 'Frobnicate' } }), /cannot load it: .*Frobnicate/],
    ['Unigram vocab entry', { model: { type: 'Unigram', vocab: [['a', -1], ['b']] } }, /model\.vocab\[1\] must be \[token, score\]/],
  ])('%s', (_, json, message) => {
    expect(() => loadTokenizerJSON(json)).toThrow(TokenizerJSONError);
    expect(() => loadTokenizerJSON(json)).toThrow(message);
  });
});

describe('SentencePiece-style files on the fast path', () => {
  const texts = SHORT_TEXTS;

  test('Mistral’s file given as text, and its toJSON() returned unchanged', () => {
    const tok = loadTokenizerJSON(JSON.stringify(mistralJSON), { name: 'my-mistral' });
    expect(tok.name).toBe('my-mistral');
    expect(tok.toJSON()).toEqual(mistralJSON);
  });

  test.each(['first', 'always', 'never'])('Metaspace pre-tokenizer, prepend_scheme %s', (scheme) => {
    const j = clone(mistralJSON);
    j.normalizer = null;
    j.pre_tokenizer = { type: 'Metaspace', replacement: '▁', prepend_scheme: scheme, split: false };
    expectSameIdsAsHf(j, true, texts);
  });

  test('Replace normalizer alone (no leading ▁)', () => {
    const j = clone(mistralJSON);
    j.normalizer = { type: 'Replace', pattern: { String: ' ' }, content: '▁' };
    expectSameIdsAsHf(j, true, texts);
  });

  test('special tokens matched in normalized text (normalized: true, as in Llama 2’s file)', () => {
    const j = clone(mistralJSON);
    for (const t of j.added_tokens) t.normalized = true;
    expectSameIdsAsHf(j, true, [...texts, ' <s>', 'x <s>', '▁<s>', '<s> </s>']);
  });

  test('added tokens with lstrip / rstrip', () => {
    const j = clone(mistralJSON);
    j.added_tokens.push({ id: 32000, content: '<mask>', single_word: false, lstrip: true, rstrip: true, normalized: false, special: true });
    const tok = expectSameIdsAsHf(j, true, [...texts, 'a <mask> b', 'a<mask>b', '  <mask>  ', '<mask>\n\nx']);
    expect(tok.vocabSize).toBe(32001);
    expect(tok.encode('a  <mask>  b')).toEqual([...tok.encode('a'), 32000, ...tok.encode('b')]);
  });

  test('no byte fallback: unknown characters become one fused <unk>', () => {
    const vocab: J = { '<unk>': 0, '<s>': 1, '</s>': 2, '▁': 3, a: 4, b: 5, '▁a': 6, ab: 7, '▁ab': 8 };
    const j: J = {
      added_tokens: [
        { id: 0, content: '<unk>', special: true, normalized: false },
        { id: 1, content: '<s>', special: true, normalized: false },
        { id: 2, content: '</s>', special: true, normalized: false },
      ],
      normalizer: mistralJSON.normalizer,
      pre_tokenizer: null,
      post_processor: null,
      decoder: mistralJSON.decoder,
      model: { type: 'BPE', unk_token: '<unk>', fuse_unk: true, byte_fallback: false, vocab, merges: ['▁ a', 'a b', '▁a b'] },
    };
    const tok = expectSameIdsAsHf(j, true, ['ab ab', 'xyz ab', 'abxyzab', 'a🦙b', 'x', ...TRICKY]);
    expect(tok.encode('abxyzab')).toEqual([8, 0, 7]);
    j.model.fuse_unk = false;
    expect(expectSameIdsAsHf(j, true, ['abxyzab']).encode('abxyzab')).toEqual([8, 0, 0, 0, 7]);
    // Byte fallback with byte tokens missing from the vocabulary falls back to <unk>.
    j.model.byte_fallback = true;
    expectSameIdsAsHf(j, true, ['abxyzab', 'a🦙b']);
  });

  test('Metaspace with split: true is left to the wrapper (the two Hugging Face libraries disagree on it)', () => {
    const j = clone(mistralJSON);
    j.normalizer = null;
    j.pre_tokenizer = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
    expectSameIdsAsHf(j, false, ['hello world']);
  });
});

describe('byte-level files on the fast path', () => {
  const texts = SHORT_TEXTS;
  const base = () => clone(trained.toJSON());

  test.each([false, true])('GPT-2’s ByteLevel pre-tokenizer, add_prefix_space %s', (prefix) => {
    const j = base();
    j.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: prefix, trim_offsets: true, use_regex: true };
    expectSameIdsAsHf(j, true, texts);
  });

  test('Llama-3’s split regex (case-insensitive group, digit triples) with an NFC normalizer', () => {
    const j = base();
    j.normalizer = { type: 'NFC' };
    j.pre_tokenizer.pretokenizers[0].pattern.Regex =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    expectSameIdsAsHf(j, true, [...texts, "I'LL SAY IT'S 12345678", 'e\u0301 vs é']);
  });

  test('ignore_merges and add_prefix_space on the Split form', () => {
    const j = base();
    j.model.ignore_merges = true;
    j.pre_tokenizer.pretokenizers[1].add_prefix_space = true;
    expectSameIdsAsHf(j, true, texts);
  });

  test('no split at all (ByteLevel with use_regex false)', () => {
    const j = base();
    j.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: false, use_regex: false };
    expectSameIdsAsHf(j, true, texts.slice(0, -6));
  });

  test('merges as [left, right] pairs (the newer format)', () => {
    const j = base();
    j.model.merges = j.model.merges.map((m: string) => m.split(' '));
    const tok = expectSameIdsAsHf(j, true, texts);
    expect(tok.encode(moby[30])).toEqual(trained.encode(moby[30]));
  });

  test('decode keeps a non-special added token as text', () => {
    const j = base();
    j.added_tokens.push({ id: 1200, content: '<|sep|>', special: false, normalized: false });
    const tok = loadTokenizerJSON(j);
    expect(tok.decode(tok.encode('left<|sep|>right</s>'))).toBe('left<|sep|>right');
  });
});

describe('other files through @huggingface/tokenizers', () => {
  const wordPiece: J = {
    version: '1.0',
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((content, id) => ({ id, content, special: true, normalized: false })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(
        ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', 'world', 'un', '##aff', '##able', ',', '!', 'call', 'me', 'ish', '##mael', '.'].map((t, i) => [t, i]),
      ),
    },
  };

  test('a WordPiece file loads, encodes and decodes like Hugging Face', () => {
    const tok = loadTokenizerJSON(wordPiece);
    expect(tok).toBeInstanceOf(HfWrappedTokenizer);
    expect(tok.name).toBe('hf:wordpiece-17');
    expect([tok.vocabSize, tok.bosId, tok.eosId]).toEqual([17, 2, 3]);
    const direct = new HfTokenizer(wordPiece, {});
    for (const s of ['Hello, unaffable world!', 'Call me Ishmael.', 'zzz unknown', '']) {
      expect(tok.encode(s)).toEqual(direct.encode(s, { add_special_tokens: false }).ids);
    }
    expect(tok.encode('Hello, unaffable world!')).toEqual([5, 10, 7, 8, 9, 6, 11]);
    expect(tok.decode([2, 5, 10, 7, 8, 9, 6, 11, 3])).toBe('hello, unaffable world!');
    expect(tok.decode([])).toBe('');
    expect(tok.toJSON()).toEqual(wordPiece);
  });

  test('a file that leaves out pipeline fields still loads', () => {
    const { normalizer, pre_tokenizer, post_processor, decoder, ...rest } = wordPiece;
    void [normalizer, post_processor, decoder];
    const tok = loadTokenizerJSON({ ...rest, pre_tokenizer });
    expect(tok.encode('hello world')).toEqual([5, 6]);
  });

  test('single_word added tokens are left to Hugging Face’s library', () => {
    const j = clone(trained.toJSON());
    j.added_tokens[1].single_word = true;
    expectSameIdsAsHf(j, false, ['a <s> b', 'a<s>b']);
  });
});

describe('BOS and EOS ids', () => {
  const withAdded = (names: string[], postProcessor: J | null = null): J => ({
    added_tokens: names.map((content, i) => ({ id: 10 + i, content, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, use_regex: true },
    post_processor: postProcessor,
    decoder: { type: 'ByteLevel' },
    model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2 }, merges: ['a b'] },
  });
  const ids = (j: J) => {
    const t = loadTokenizerJSON(j);
    return [t.bosId, t.eosId];
  };

  test.each<[string[], number[]]>([
    [['<|endoftext|>'], [10, 10]],
    [['<|begin_of_text|>', '<|end_of_text|>', '<|eot_id|>'], [10, 11]],
    [['<pad>', '<eos>', '<bos>'], [12, 11]],
    [['<s>', '</s>', '<|endoftext|>'], [10, 11]],
    [['<pad>'], [-1, -1]],
  ])('from names %j', (names, expected) => {
    expect(ids(withAdded(names))).toEqual(expected);
  });

  test('from the post-processor’s template when no name is known', () => {
    const template = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<start>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<stop>', type_id: 0 } }],
      pair: [],
      special_tokens: { '<start>': { id: '<start>', ids: [10], tokens: ['<start>'] }, '<stop>': { id: '<stop>', ids: [11], tokens: ['<stop>'] } },
    };
    expect(ids(withAdded(['<start>', '<stop>'], template))).toEqual([10, 11]);
  });
});

describe('refusing pathological files in bounded time, naming the file', () => {
  const wordLevel = (extra: J = {}) => ({ model: { type: 'WordLevel', vocab: { a: 0, b: 1 }, unk_token: 'a' }, ...extra });
  /** Refused with a TokenizerJSONError matching `message`, well within a second. */
  const refusedQuickly = (json: unknown, message: RegExp) => {
    const t0 = performance.now();
    let error: unknown;
    try {
      loadTokenizerJSON(json).encode('a b a');
    } catch (e) {
      error = e;
    }
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(error).toBeInstanceOf(TokenizerJSONError);
    expect((error as Error).message).toMatch(/^tokenizer\.json: /);
    expect((error as Error).message).toMatch(message);
  };

  test('a 95-byte WordLevel file with an id of 2147483647', () => {
    const text = '{"version": "1.0","model": {"type": "WordLevel", "vocab": {"a": 2147483647}, "unk_token": "a"}}';
    expect(new TextEncoder().encode(text).length).toBe(95);
    refusedQuickly(text, /model\.vocab\["a"\] is 2147483647, above the largest id/);
  });

  test('an added token with a huge id', () => {
    refusedQuickly(wordLevel({ added_tokens: [{ id: 2 ** 40, content: '<x>', special: true }] }), /added_tokens\[0\]\.id is 1099511627776/);
  });

  test('a Unigram unk_id past the end of its vocabulary', () => {
    refusedQuickly({ model: { type: 'Unigram', vocab: [['a', 0], ['b', -1]], unk_id: 2147483647 } }, /model\.unk_id must be an index into model\.vocab \(below 2\), got 2147483647/);
  });

  test('a megabyte added token (its matching regex would not compile)', () => {
    const json = clone(trained.toJSON());
    json.added_tokens.push({ id: 1199, content: 'x'.repeat(1_000_000), special: true });
    refusedQuickly(json, /added_tokens\[3\]\.content is 1000000 characters long/);
  });

  test.each<[string, J, RegExp]>([
    ['a Metaspace replacement that is a long list (the library would put it between every two words)',
      { pre_tokenizer: { type: 'Metaspace', replacement: Array.from({ length: 100_000 }, (_, i) => i), prepend_scheme: 'always' } },
      /pre_tokenizer\.replacement must be a string, got \[0,1,2/],
    ['a Replace content of a megabyte', { normalizer: { type: 'Replace', pattern: { String: ' ' }, content: 'x'.repeat(1_000_000) } }, /normalizer\.content must be at most 1024 characters/],
    ['a Split pattern that is a string', { pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: '\\s', behavior: 'Isolated' }] } },
      /pre_tokenizer\.pretokenizers\[0\]\.pattern must be \{"String": "\.\.\."\} or \{"Regex": "\.\.\."\}/],
    ['a decoder Strip count of garbage', { decoder: { type: 'Strip', content: ' ', start: 'one', stop: 0 } }, /decoder\.start must be an integer from 0 to 1024/],
  ])('%s', (_, extra, message) => {
    refusedQuickly(wordLevel(extra), message);
  });

  test('a Split regex "(" on the fast path', () => {
    const json = clone(trained.toJSON());
    json.pre_tokenizer = { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: '(' }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    ] };
    refusedQuickly(json, /pre_tokenizer\.pretokenizers\[0\]\.pattern\.Regex "\(" is not a regular expression/);
  });

  test('a Split regex "(" through the library', () => {
    refusedQuickly(wordLevel({ pre_tokenizer: { type: 'Split', pattern: { Regex: '(' }, behavior: 'Isolated', invert: false } }), /cannot load it/);
  });

  test.each([
    ['normalizer', (n: number) => wordLevel({ normalizer: JSON.parse('{"type":"Sequence","normalizers":['.repeat(n) + '{"type":"NFC"}' + ']}'.repeat(n)) })],
    ['model', (n: number) => ({ model: { type: 'WordLevel', vocab: { a: 0 }, unk_token: 'a', extra: JSON.parse('['.repeat(n) + ']'.repeat(n)) } })],
  ])('%s nested 20,000 deep', (_, make) => {
    refusedQuickly(make(20_000), /nests more than 64 levels deep/);
  });

  test('the same nesting as text', () => {
    refusedQuickly(JSON.stringify(wordLevel()).replace('"unk_token"', `"x":${'['.repeat(20_000)}${']'.repeat(20_000)},"unk_token"`), /nests more than 64 levels deep \(at model\.x/);
  });

  test.each<[string, unknown, RegExp]>([
    ['a template that is a number', { type: 'TemplateProcessing', single: 5, pair: [] }, /post_processor\.single must be a list/],
    ['a template item of garbage', { type: 'TemplateProcessing', single: [{ Sequence: { id: 'C' } }], pair: [] }, /post_processor\.single\[0\] must be/],
    ['special tokens of garbage', { type: 'TemplateProcessing', single: [], pair: [], special_tokens: { x: 3 } }, /post_processor\.special_tokens\["x"\] must be \{id, ids, tokens\}/],
    ['a Bert sep of garbage', { type: 'BertProcessing', sep: 'x', cls: ['[CLS]', 1] }, /post_processor\.sep must be \[token, id\]/],
    ['a garbage member of a Sequence', { type: 'Sequence', processors: [{ type: 'RobertaProcessing', sep: ['</s>', 2] }] }, /post_processor\.processors\[0\]\.cls/],
  ])('a garbage post_processor: %s, refused at load', (_, postProcessor, message) => {
    const json = wordLevel({ post_processor: postProcessor });
    expect(() => loadTokenizerJSON(json)).toThrow(message);
    refusedQuickly(json, message);
  });
});
