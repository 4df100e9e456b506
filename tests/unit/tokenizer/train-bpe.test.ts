// The byte-level BPE trainer: a tokenizer learned from a slice of Moby-Dick must give Hugging Face's ids on every
// record of both corpora (most of which it never saw), decode back exactly, and come out the same every time.
import { describe, expect, test } from 'vitest';
import { BpeTokenizer } from '../../../src/data/tokenizer/bpe-tokenizer';
import { loadTokenizerJSON } from '../../../src/data/tokenizer/load-tokenizer-json';
import { trainBpe } from '../../../src/data/tokenizer/train-bpe';
import { compareOnTexts, CORPORA, corpusTexts, firstDifference, reference, referenceDecode, TRICKY, wellFormed, WITH_SPECIAL_TEXT } from './helpers';

const moby = corpusTexts('moby-dick.jsonl');
const slice = moby.slice(0, 45);
const trained = await trainBpe(slice, { vocabSize: 3000 });

describe('trainBpe', () => {
  test('vocabulary: specials, then the 256 bytes, then merges', () => {
    const j = trained.toJSON() as Record<string, any>;
    expect(trained.name).toBe('bpe-3000');
    expect(trained.vocabSize).toBe(3000);
    expect([trained.bosId, trained.eosId]).toEqual([1, 2]);
    const vocab = j.model.vocab as Record<string, number>;
    expect([vocab['<unk>'], vocab['<s>'], vocab['</s>']]).toEqual([0, 1, 2]);
    expect(vocab['!']).toBe(3 + 0x21);
    expect(vocab['Ġ']).toBe(3 + 0x20); // the space byte's alphabet character
    expect(j.model.merges).toHaveLength(3000 - 259);
    expect(j.pre_tokenizer.pretokenizers[0].pattern.Regex).toContain('\\p{N}');
    expect(j.decoder.type).toBe('ByteLevel');
  });

  test.each(CORPORA)('identical ids to Hugging Face on every record of %s', (file) => {
    const texts = corpusTexts(file);
    const { mismatches } = compareOnTexts(texts, (t) => trained.encode(t), reference(trained));
    expect(mismatches).toEqual([]);
  }, 300_000);

  test('identical ids to Hugging Face on hard strings and special-token text', () => {
    const hf = reference(trained);
    for (const s of [...TRICKY, ...WITH_SPECIAL_TEXT]) {
      expect(firstDifference(trained.encode(s), hf(s)), JSON.stringify(s)).toBeNull();
    }
  });

  // Byte-level BPE is lossless except that a lone surrogate has no UTF-8 form (it comes back as U+FFFD) and
  // special-token text becomes a special id, which decode drops.
  test('decode(encode(x)) === x', () => {
    for (const s of TRICKY) expect(trained.decode(trained.encode(s)), JSON.stringify(s)).toBe(wellFormed(s));
    for (const file of CORPORA) for (const s of corpusTexts(file)) expect(trained.decode(trained.encode(s))).toBe(s);
    expect(trained.decode(trained.encode('a<s>b</s>'))).toBe('ab');
  }, 120_000);

  test('decode agrees with Hugging Face’s decoder', () => {
    const hfDecode = referenceDecode(trained);
    for (const s of [...TRICKY, ...WITH_SPECIAL_TEXT]) expect(trained.decode(trained.encode(s)), JSON.stringify(s)).toBe(hfDecode(trained.encode(s)));
    const cut = trained.encode('🦙').slice(0, 1); // part of a character's bytes
    expect(trained.decode(cut)).toBe(hfDecode(cut));
  });

  test('digits are one piece each, so no token holds two digits', () => {
    const vocab = Object.keys((trained.toJSON() as Record<string, any>).model.vocab);
    expect(vocab.filter((t) => /\p{N}.*\p{N}/u.test(t))).toEqual([]);
  });

  test('deterministic: same texts in any order, sync or async, give the same tokenizer.json', async () => {
    const again = await trainBpe([...slice].reverse(), { vocabSize: 3000 });
    async function* stream() {
      for (const t of slice) yield t;
    }
    const streamed = await trainBpe(stream(), { vocabSize: 3000 });
    const expected = JSON.stringify(trained.toJSON());
    expect(JSON.stringify(again.toJSON())).toBe(expected);
    expect(JSON.stringify(streamed.toJSON())).toBe(expected);
  });

  test('stops early when no pair reaches minFrequency', async () => {
    const tok = await trainBpe(['ab ab ab cd'], { vocabSize: 1000, minFrequency: 2 });
    const merges = (tok.toJSON() as Record<string, any>).model.merges as string[];
    // 'a b' (3 times), then 'Ġ ab' (twice); nothing else is seen twice.
    expect(merges).toEqual(['a b', 'Ġ ab']);
    expect(tok.vocabSize).toBe(261);
    expect(tok.encode('ab ab cd').length).toBe(5);
    const once = await trainBpe(['ab ab ab cd'], { vocabSize: 1000, minFrequency: 1 });
    expect(once.vocabSize).toBeGreaterThan(261);
  });

  test('reports progress from 0 to 1', async () => {
    const seen: number[] = [];
    await trainBpe(slice.slice(0, 5), { vocabSize: 600, onProgress: (f) => seen.push(f) });
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(1);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1])).toBe(true);
  });

  test('refuses a vocabulary too small for the specials and bytes, or too large for its pair keys', async () => {
    await expect(trainBpe(['x'], { vocabSize: 258 })).rejects.toThrow(/vocabSize/);
    await expect(trainBpe(['x'], { vocabSize: 70000 })).rejects.toThrow(/vocabSize/);
    await expect(trainBpe(['x'], { vocabSize: 300, minFrequency: 0 })).rejects.toThrow(/minFrequency/);
  });

  test('never learns a token spelled like a special token', async () => {
    const tok = await trainBpe(['<s> <s> <s> </s> </s> <unk> <unk>'.repeat(50)], { vocabSize: 400, minFrequency: 1 });
    const vocab = (tok.toJSON() as Record<string, any>).model.vocab as Record<string, number>;
    expect([vocab['<s>'], vocab['</s>'], vocab['<unk>']]).toEqual([1, 2, 0]);
    expect(tok.encode('<s>')).toEqual([1]);
  });

  test('its tokenizer.json loads back into our fast path with the same ids', () => {
    const again = loadTokenizerJSON(JSON.stringify(trained.toJSON()));
    expect(again).toBeInstanceOf(BpeTokenizer);
    expect([again.vocabSize, again.bosId, again.eosId]).toEqual([3000, 1, 2]);
    for (const s of [...TRICKY, ...WITH_SPECIAL_TEXT, ...moby.slice(100)]) expect(again.encode(s)).toEqual(trained.encode(s));
  });
});
