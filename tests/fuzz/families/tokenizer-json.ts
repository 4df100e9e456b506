// tokenizer.json through loadTokenizerJSON, then one encode and decode of a sample string (some faults only
// show at the first encode). Three real files are mutated: a byte-level BPE trained by the project's own
// trainer (fast path with a Split regex), a SentencePiece/Mistral-style BPE with byte fallback, and a
// WordLevel file with a template post-processor (both run through Hugging Face's library or ours).
import { specialToken } from '../../../src/data/tokenizer/bpe-spec';
import { loadTokenizerJSON } from '../../../src/data/tokenizer/load-tokenizer-json';
import type { TokenizerJSON } from '../../../src/data/tokenizer/tokenizer';
import { sentencePieceBpeJSON } from '../../../src/data/tokenizer/tokenizer-json-writer';
import { trainBpe } from '../../../src/data/tokenizer/train-bpe';
import type { FuzzCase, FuzzFamily, Rng } from '../family';
import { mutateJson } from '../json-mutate';
import { anyByteMutation, deepJson, pick, utf8 } from '../mutate';

const FILE = 'tokenizer.json';
const SAMPLE = 'The keeper counted 42 gulls — naïve ones too. <s> the end</s>';

const TEXT = [
  'The keeper of the light counted the gulls on the rocks before the storm came in.',
  'Then the keeper went down the stairs, counting them again, and the gulls kept on crying.',
  'Numbers like 1234 and 56 and words like naïve, café and über ride along with them.',
];

/** SentencePiece-style: specials, 256 byte tokens, then a few pieces built by merges. */
function mistralStyle(): TokenizerJSON {
  const idToToken = ['<unk>', '<s>', '</s>'];
  for (let b = 0; b < 256; b++) idToToken.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  const pieces = ['▁', ...'abcdefghijklmnopqrstuvwxyzT'];
  idToToken.push(...pieces);
  const pairs: [string, string][] = [['▁', 't'], ['h', 'e'], ['▁t', 'he'], ['▁', 'a'], ['a', 'n'], ['▁a', 'n'], ['i', 'n'], ['in', 'g'], ['▁', 'T'], ['▁T', 'he']];
  const merges = new Int32Array(pairs.length * 2);
  pairs.forEach(([a, b], i) => {
    idToToken.push(a + b);
    merges[2 * i] = idToToken.indexOf(a);
    merges[2 * i + 1] = idToToken.indexOf(b);
  });
  const addedTokens = [specialToken(0, '<unk>'), specialToken(1, '<s>'), specialToken(2, '</s>')];
  return sentencePieceBpeJSON({ idToToken, merges, addedTokens, bos: addedTokens[1] }, '<unk>');
}

function wordLevel(): TokenizerJSON {
  const vocab: Record<string, number> = { '[UNK]': 0, '[CLS]': 1, '[SEP]': 2 };
  for (const w of TEXT.join(' ').toLowerCase().split(/\s+/)) vocab[w] ??= Object.keys(vocab).length;
  return {
    version: '1.0',
    added_tokens: [0, 1, 2].map((id) => ({ id, content: Object.keys(vocab)[id], special: true, normalized: false, lstrip: false, rstrip: false, single_word: false })),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [1], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [2], tokens: ['[SEP]'] } },
    },
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  };
}

/** A small Unigram model: its ids are places in a list, its unknown token an index. */
function unigram(): TokenizerJSON {
  const words = [...new Set(TEXT.join(' ').toLowerCase().split(/\s+/))];
  return {
    version: '1.0', added_tokens: [{ id: 0, content: '<unk>', special: true }],
    normalizer: null, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true }, post_processor: null,
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 0, vocab: [['<unk>', 0], ...'abcdefghijklmnopqrstuvwxyz▁'.split('').map((c) => [c, -5]), ...words.map((w) => [`▁${w}`, -2])] },
  };
}

let bases: Promise<{ name: string; json: TokenizerJSON }[]> | undefined;
const baseFiles = () => {
  bases ??= (async () => [
    { name: 'byte-level BPE', json: (await trainBpe(TEXT, { vocabSize: 320 })).toJSON() },
    { name: 'Mistral-style BPE', json: mistralStyle() },
    { name: 'WordLevel', json: wordLevel() },
    { name: 'Unigram', json: unigram() },
  ])();
  return bases;
};

type J = Record<string, any>;

const BAD_PATTERNS = ['(', ')', '[', '\\', '(?<x', 'a{2,1}', '*', '+?+', '(?', '\\p{NoSuchClass}', '[z-a]', '\\k<none>', '(?<=a+)', '\u0000', ''];
const GARBAGE_POST: readonly unknown[] = [
  { type: 'TemplateProcessing', single: 5, pair: [] },
  { type: 'TemplateProcessing', single: [{ SpecialToken: 'x' }], pair: [] },
  { type: 'TemplateProcessing', single: [null], pair: null },
  { type: 'TemplateProcessing', single: [{ Sequence: { id: 'A' } }] },
  { type: 'TemplateProcessing', single: [], pair: [], special_tokens: [1, 2] },
  { type: 'TemplateProcessing', single: [], pair: [], special_tokens: { x: { id: 'x', ids: 'x', tokens: [] } } },
  { type: 'BertProcessing', sep: 5, cls: null },
  { type: 'RobertaProcessing', sep: ['</s>'], cls: ['<s>', -1] },
  { type: 'Sequence', processors: [{ type: 'TemplateProcessing' }] },
  { type: 'Sequence', processors: 'x' },
  { type: 'ByteLevel', trim_offsets: 'maybe' },
  { type: 'Frobnicate' },
  { type: 5 },
  [],
  'TemplateProcessing',
];

/** A token's id, or an added token's, set to a hostile number. */
function hugeId(rng: Rng, j: J): string {
  const value = pick<unknown>(rng, [2147483647, 2 ** 53, 1e300, 2 ** 21, 2 ** 21 - 1, -1, 1.5, 0, '7', null]);
  if (Array.isArray(j.model.vocab)) {
    j.model.unk_id = value;
    return `model.unk_id = ${JSON.stringify(value)}`;
  }
  if (rng.nextInt(8) === 0) {
    const content = 'x'.repeat(pick(rng, [1025, 100_000, 1_000_000]));
    (j.added_tokens ??= []).push({ id: 7, content, special: true });
    return `an added token of ${content.length} characters`;
  }
  if (rng.nextInt(3) === 0 && Array.isArray(j.added_tokens) && j.added_tokens.length > 0) {
    const i = rng.nextInt(j.added_tokens.length);
    j.added_tokens[i].id = value;
    return `added_tokens[${i}].id = ${JSON.stringify(value)}`;
  }
  const tokens = Object.keys(j.model.vocab);
  const token = pick(rng, tokens);
  j.model.vocab[token] = value;
  return `model.vocab[${JSON.stringify(token)}] = ${JSON.stringify(value)}`;
}

/** A Split pre-tokenizer (or a Replace normalizer) with a pattern that does not compile. */
function badRegex(rng: Rng, j: J): string {
  const pattern = pick(rng, BAD_PATTERNS);
  const where = rng.nextInt(3);
  if (where === 0 && j.pre_tokenizer?.type === 'Sequence' && j.pre_tokenizer.pretokenizers[0]?.type === 'Split') {
    j.pre_tokenizer.pretokenizers[0].pattern = { Regex: pattern };
    return `the Split regex set to ${JSON.stringify(pattern)}`;
  }
  if (where === 1) {
    j.normalizer = { type: 'Replace', pattern: { Regex: pattern }, content: ' ' };
    return `a Replace normalizer with regex ${JSON.stringify(pattern)}`;
  }
  j.pre_tokenizer = { type: 'Sequence', pretokenizers: [
    { type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false },
    { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
  ] };
  return `a Split regex ${JSON.stringify(pattern)} before ByteLevel`;
}

/** A pipeline component (or a model field) nested deep, spliced in as text. */
function deep(rng: Rng, j: J): { label: string; text: string } {
  const depth = pick(rng, [65, 1000, 20000]);
  const where = pick(rng, ['normalizer', 'pre_tokenizer', 'decoder', 'post_processor', 'model']);
  if (where === 'model') {
    j.model.extra = '@DEEP@';
    return { label: `model.extra nested ${depth} deep`, text: JSON.stringify(j).replace('"@DEEP@"', deepJson(depth, pick(rng, ['array', 'object'] as const))) };
  }
  const list = { normalizer: 'normalizers', pre_tokenizer: 'pretokenizers', decoder: 'decoders', post_processor: 'processors' }[where];
  j[where] = '@DEEP@';
  const nested = `{"type":"Sequence","${list}":[`.repeat(depth) + '{"type":"Sequence","' + list + '":[]}' + ']}'.repeat(depth);
  return { label: `${where} Sequence nested ${depth} deep`, text: JSON.stringify(j).replace('"@DEEP@"', nested) };
}

export const tokenizerJsonFamily: FuzzFamily = {
  name: 'tokenizer-json',
  describe: 'tokenizer.json (byte-level BPE, Mistral-style BPE, WordLevel) through loadTokenizerJSON, then encode and decode',
  async make(rng): Promise<FuzzCase> {
    const base = pick(rng, await baseFiles());
    const j = structuredClone(base.json) as J;
    const kind = rng.nextInt(6);
    let label: string;
    let bytes: Uint8Array;
    if (kind === 0) {
      const m = anyByteMutation(rng, utf8(JSON.stringify(j)));
      label = m.label;
      bytes = m.bytes;
    } else if (kind === 1) {
      const m = mutateJson(rng, j, ['model', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'added_tokens']);
      label = m.label;
      bytes = utf8(m.text);
    } else if (kind === 5) {
      const m = deep(rng, j);
      label = m.label;
      bytes = utf8(m.text);
    } else {
      if (kind === 2) label = hugeId(rng, j);
      else if (kind === 3) label = badRegex(rng, j);
      else label = `post_processor = ${JSON.stringify(j.post_processor = pick(rng, GARBAGE_POST))}`;
      bytes = utf8(JSON.stringify(j));
    }
    return { label: `${base.name}: ${label}`.slice(0, 300), fileName: FILE, bytes };
  },
  async run(input) {
    const tok = loadTokenizerJSON(new TextDecoder().decode(input.bytes));
    const ids = tok.encode(SAMPLE);
    const text = tok.decode(ids);
    const violations: string[] = [];
    const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= tok.vocabSize);
    if (bad !== undefined) violations.push(`encode gave id ${bad}, outside the vocabulary of ${tok.vocabSize}`);
    if (typeof text !== 'string') violations.push(`decode gave ${typeof text}`);
    return { messages: [], kept: 1, violations };
  },
};
