// Mistral's tokenizer: known ids, the shape of its tokenizer.json, Hugging Face agreement on hard strings, and
// decode(encode(x)). The whole-corpus agreement lives in mistral-corpus.test.ts (it is the slow one).
import { describe, expect, test } from 'vitest';
import { BpeTokenizer } from '../../../src/data/tokenizer/bpe-tokenizer';
import { loadTokenizerJSON } from '../../../src/data/tokenizer/load-tokenizer-json';
import { mistralTokenizer } from '../../../src/data/tokenizer/mistral';
import { corpusTexts, firstDifference, reference, referenceDecode, TRICKY, wellFormed, WITH_SPECIAL_TEXT } from './helpers';

const tok = mistralTokenizer();

describe('mistralTokenizer', () => {
  test('vocabulary and special ids are Mistral-7B’s', () => {
    expect(tok.name).toBe('mistral');
    expect(tok.vocabSize).toBe(32000);
    expect(tok.bosId).toBe(1);
    expect(tok.eosId).toBe(2);
    expect(mistralTokenizer()).toBe(tok);
  });

  // Ids from mistral-tokenizer-js's own test cases and README (checked there against Mistral's tokenizer), with
  // their leading BOS removed since our encode adds none.
  test.each([
    ['grabbed', [13300]],
    [' grabbed', [28705, 13300]],
    ['           grabbed', [17422, 13300]],
    ['\n', [28705, 13]],
    [' \n', [259, 13]],
    ['\ttabs\t\t\t\tout here', [28705, 12, 24856, 12, 12, 12, 12, 406, 1236]],
    ['ax\n####\nboo', [6056, 13, 2000, 13, 1798, 28709]],
    ['镇', [28705, 29780]],
    ['🦙', [28705, 243, 162, 169, 156]],
    ['🦙Ꙋ', [28705, 243, 162, 169, 156, 237, 156, 141]],
    ['Ꙋ🦙', [28705, 237, 156, 141, 243, 162, 169, 156]],
    ['Hello world!', [22557, 1526, 28808]],
  ])('known ids: %j', (text, ids) => {
    expect(tok.encode(text)).toEqual(ids);
    expect(tok.decode(ids)).toBe(text);
  });

  test('tokenizer.json has Mistral’s published arrangement', () => {
    const j = tok.toJSON() as Record<string, any>;
    expect(j.normalizer).toEqual({
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    });
    expect(j.pre_tokenizer).toBeNull();
    expect(j.decoder.decoders.map((d: { type: string }) => d.type)).toEqual(['Replace', 'ByteFallback', 'Fuse', 'Strip']);
    expect(j.post_processor.single[0]).toEqual({ SpecialToken: { id: '<s>', type_id: 0 } });
    expect(j.added_tokens.map((t: { id: number; content: string }) => [t.id, t.content])).toEqual([
      [0, '<unk>'],
      [1, '<s>'],
      [2, '</s>'],
    ]);
    const m = j.model;
    expect(m.type).toBe('BPE');
    expect(m.byte_fallback).toBe(true);
    expect(m.fuse_unk).toBe(true);
    expect(m.unk_token).toBe('<unk>');
    expect(Object.keys(m.vocab)).toHaveLength(32000);
    expect(m.vocab['<0x00>']).toBe(3);
    expect(m.vocab['<0xFF>']).toBe(258);
    expect(m.vocab['▁']).toBe(28705);
    expect(m.merges).toHaveLength(58980);
    expect(m.merges[0]).toBe('▁ t');
  });

  test('Hugging Face gives the same ids on hard strings and special-token text', () => {
    const hf = reference(tok);
    for (const s of [...TRICKY, ...WITH_SPECIAL_TEXT]) {
      expect(firstDifference(tok.encode(s), hf(s)), JSON.stringify(s)).toBeNull();
    }
    expect(tok.encode('<s>a</s>')).toEqual([1, ...tok.encode('a'), 2]);
  });

  // SentencePiece normalisation makes '▁' (U+2581) and ' ' the same symbol, so a '▁' comes back as a space; a
  // lone surrogate cannot be written as UTF-8 and comes back as U+FFFD. Special-token text is left out: it
  // becomes the special id, which decode drops.
  const expectedRoundTrip = (s: string) => wellFormed(s.replaceAll('▁', ' '));

  test('decode(encode(x)) gives x back, up to what SentencePiece normalisation defines', () => {
    for (const s of TRICKY) {
      expect(tok.decode(tok.encode(s)), JSON.stringify(s)).toBe(expectedRoundTrip(s));
    }
    for (const s of corpusTexts('moby-dick.jsonl')) expect(tok.decode(tok.encode(s))).toBe(s);
  });

  test('decode agrees with Hugging Face’s decoder', () => {
    const hfDecode = referenceDecode(tok);
    for (const s of [...TRICKY, ...WITH_SPECIAL_TEXT]) expect(tok.decode(tok.encode(s)), JSON.stringify(s)).toBe(hfDecode(tok.encode(s)));
    expect(tok.decode([1, 3, 2, 243, 162])).toBe(hfDecode([1, 3, 2, 243, 162])); // a control byte and a cut-off character
  });

  test('decode drops the special tokens', () => {
    expect(tok.decode([1, ...tok.encode('Call me Ishmael.'), 2])).toBe('Call me Ishmael.');
  });

  test('its tokenizer.json loads back into our fast path with the same ids', () => {
    const again = loadTokenizerJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(again).toBeInstanceOf(BpeTokenizer);
    expect([again.vocabSize, again.bosId, again.eosId]).toEqual([32000, 1, 2]);
    const texts = corpusTexts('moby-dick.jsonl').slice(0, 20);
    for (const s of [...TRICKY, ...WITH_SPECIAL_TEXT, ...texts]) expect(again.encode(s)).toEqual(tok.encode(s));
  });
});
