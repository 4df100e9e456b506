// Fingerprints: the same model part gives the same fingerprint however the file spells it; any change to the
// vocabulary or merges gives another.
import { expect, test } from 'vitest';
import { tokenizerFingerprint } from '../../../src/data/tokenizer/fingerprint';
import { loadTokenizerJSON } from '../../../src/data/tokenizer/load-tokenizer-json';
import { mistralTokenizer } from '../../../src/data/tokenizer/mistral';
import { trainBpe } from '../../../src/data/tokenizer/train-bpe';

type J = Record<string, any>;
const mistral = mistralTokenizer();
const texts = ['It is not down on any map; true places never are.', 'Call me Ishmael. Some years ago, never mind how long.'];

test('stable, and the same after a round trip through tokenizer.json', () => {
  const fp = tokenizerFingerprint(mistral);
  expect(fp).toMatch(/^bpe-[0-9a-f]{16}$/);
  expect(tokenizerFingerprint(mistral)).toBe(fp);
  expect(tokenizerFingerprint(loadTokenizerJSON(JSON.stringify(mistral.toJSON())))).toBe(fp);
});

test('independent of key order, merge format and options left at their defaults', () => {
  const j = mistral.toJSON() as J;
  const m = j.model;
  const respelled: J = {
    ...j,
    model: {
      merges: m.merges.map((x: string) => x.split(' ')),
      vocab: Object.fromEntries(Object.entries(m.vocab as Record<string, number>).reverse()),
      byte_fallback: true,
      fuse_unk: true,
      unk_token: '<unk>',
      type: 'BPE',
    },
  };
  expect(tokenizerFingerprint(loadTokenizerJSON(respelled))).toBe(tokenizerFingerprint(mistral));
});

test('different vocabularies or merges give different fingerprints', async () => {
  const a = await trainBpe(texts, { vocabSize: 280, minFrequency: 1 });
  const b = await trainBpe(texts, { vocabSize: 281, minFrequency: 1 });
  const a2 = await trainBpe([...texts].reverse(), { vocabSize: 280, minFrequency: 1 });
  expect(tokenizerFingerprint(a2)).toBe(tokenizerFingerprint(a));
  expect(tokenizerFingerprint(b)).not.toBe(tokenizerFingerprint(a));
  expect(tokenizerFingerprint(a)).not.toBe(tokenizerFingerprint(mistral));
  const j = a.toJSON() as J;
  [j.model.merges[0], j.model.merges[1]] = [j.model.merges[1], j.model.merges[0]];
  expect(tokenizerFingerprint(loadTokenizerJSON(j))).not.toBe(tokenizerFingerprint(a));
});
