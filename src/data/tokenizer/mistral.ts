// The tokenizer HARE-1.1B uses: Mistral-7B's SentencePiece BPE (32000 tokens, <unk>=0, <s>=1, </s>=2, byte
// fallback to <0x00>..<0xFF>, '▁' for spaces and one '▁' put in front of the text). Nothing is decoded until the
// first call, and the package data lives in this module's own chunk, so a page that never picks Mistral's
// tokenizer never pays for it (import this module dynamically there).

import { specialToken, type BpeSpec } from './bpe-spec';
import { BpeTokenizer } from './bpe-tokenizer';
import { decodeMistralData } from './mistral-data';
import type { Tokenizer } from './tokenizer';
import { sentencePieceBpeJSON } from './tokenizer-json-writer';

let instance: BpeTokenizer | null = null;

function build(): BpeTokenizer {
  const { vocab, merges } = decodeMistralData();
  const tokenToId = new Map<string, number>();
  vocab.forEach((tok, id) => tokenToId.set(tok, id));
  const addedTokens = [specialToken(0, '<unk>'), specialToken(1, '<s>'), specialToken(2, '</s>')];
  const spec: BpeSpec = {
    tokenToId,
    idToToken: vocab,
    merges,
    unkToken: '<unk>',
    byteFallback: true,
    fuseUnk: true,
    ignoreMerges: false,
    addedTokens,
    rules: { kind: 'metaspace', normalizer: 'prepend-replace', metaspace: null },
  };
  return new BpeTokenizer({
    name: 'mistral',
    spec,
    bosId: 1,
    eosId: 2,
    json: () => sentencePieceBpeJSON({ idToToken: vocab, merges, addedTokens, bos: addedTokens[1] }, '<unk>'),
  });
}

/** Mistral-7B's tokenizer (one shared instance, built on first call). */
export function mistralTokenizer(): Tokenizer {
  instance ??= build();
  return instance;
}
