// Writes the tokenizer.json of the tokenizers we build (Mistral's, and the byte-level BPE the trainer learns) in
// the layout Hugging Face's `tokenizers` reads and writes, so `AutoTokenizer.from_pretrained` on a checkpoint
// folder, or @huggingface/tokenizers in JS, gives the same ids as our encoder.

import type { AddedToken } from './bpe-spec';
import { METASPACE } from './bpe-spec';
import type { TokenizerJSON } from './tokenizer';

export interface BpeTables {
  /** id -> token. */
  readonly idToToken: readonly (string | undefined)[];
  /** [left, right] ids in rank order. */
  readonly merges: Int32Array;
  readonly addedTokens: readonly AddedToken[];
  /** The token the post-processor puts in front of every sequence (as `<s>` for Mistral). */
  readonly bos: AddedToken;
}

function addedTokensJSON(tokens: readonly AddedToken[]): TokenizerJSON[] {
  return tokens.map((t) => ({
    id: t.id,
    content: t.content,
    single_word: false,
    lstrip: t.lstrip,
    rstrip: t.rstrip,
    normalized: t.normalized,
    special: t.special,
  }));
}

/** `<s> $A` for one sequence, `<s> $A <s> $B` for a pair: what Mistral's (and Llama's) files say. */
function bosTemplate(bos: AddedToken): TokenizerJSON {
  return {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: bos.content, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [
      { SpecialToken: { id: bos.content, type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: bos.content, type_id: 1 } },
      { Sequence: { id: 'B', type_id: 1 } },
    ],
    special_tokens: { [bos.content]: { id: bos.content, ids: [bos.id], tokens: [bos.content] } },
  };
}

function bpeModel(t: BpeTables, unkToken: string | null, byteFallback: boolean, fuseUnk: boolean): TokenizerJSON {
  const vocab: Record<string, number> = {};
  t.idToToken.forEach((tok, id) => {
    if (tok !== undefined) vocab[tok] = id;
  });
  const merges: string[] = new Array<string>(t.merges.length / 2);
  for (let k = 0; k < merges.length; k++) {
    // "left right": neither family's tokens contain a plain space ('▁' or 'Ġ' stand for it).
    merges[k] = `${t.idToToken[t.merges[2 * k]]} ${t.idToToken[t.merges[2 * k + 1]]}`;
  }
  return {
    type: 'BPE',
    dropout: null,
    unk_token: unkToken,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: fuseUnk,
    byte_fallback: byteFallback,
    ignore_merges: false,
    vocab,
    merges,
  };
}

/**
 * Mistral-7B's arrangement: normalizer Prepend('▁') then Replace(' ' -> '▁'), no pre-tokenizer, BPE with
 * byte_fallback and fuse_unk, `<s> $A` post-processor, and the decoder that undoes it (▁ -> space, bytes ->
 * text, drop the one leading space).
 */
export function sentencePieceBpeJSON(t: BpeTables, unkToken: string): TokenizerJSON {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokensJSON(t.addedTokens),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: METASPACE },
        { type: 'Replace', pattern: { String: ' ' }, content: METASPACE },
      ],
    },
    pre_tokenizer: null,
    post_processor: bosTemplate(t.bos),
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: METASPACE }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: bpeModel(t, unkToken, true, true),
  };
}

/**
 * GPT-2-style byte-level BPE with our own split regex: a Split pre-tokenizer (the regex, pieces isolated) then a
 * ByteLevel one that only maps bytes to the alphabet (use_regex false), and the ByteLevel decoder.
 */
export function byteLevelBpeJSON(t: BpeTables, splitPattern: string, unkToken: string): TokenizerJSON {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokensJSON(t.addedTokens),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: splitPattern }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: bosTemplate(t.bos),
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: bpeModel(t, unkToken, false, false),
  };
}
