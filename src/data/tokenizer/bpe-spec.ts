// Everything our fast BPE tokenizer needs to know, in one plain object: built from Mistral's data, from the
// trainer, or read from a tokenizer.json whose pipeline is one of the two families we implement ourselves.

/** A token from tokenizer.json's `added_tokens`: matched in the raw text before the model sees it. */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  /** Dropped by decode. */
  readonly special: boolean;
  /** Matched in the normalized text (true) or in the raw text (false). */
  readonly normalized: boolean;
  /** Swallow the whitespace before / after a match. */
  readonly lstrip: boolean;
  readonly rstrip: boolean;
}

/**
 * SentencePiece-style BPE (Mistral, Llama 2): spaces become '▁' and a '▁' is put in front of the text, either by
 * the normalizer (Mistral's published form: Prepend('▁') + Replace(' ', '▁'), pre-tokenizer null) or by a
 * Metaspace pre-tokenizer (the newer form, normalizer null).
 */
export interface MetaspaceRules {
  readonly kind: 'metaspace';
  /** 'prepend-replace': Prepend + Replace normalizers; 'replace': the Replace alone; null: no normalizer. */
  readonly normalizer: 'prepend-replace' | 'replace' | null;
  /** Metaspace pre-tokenizer's prepend_scheme, or null when there is no pre-tokenizer. */
  readonly metaspace: 'always' | 'first' | 'never' | null;
}

export type UnicodeForm = 'NFC' | 'NFD' | 'NFKC' | 'NFKD';

/** GPT-2-style byte-level BPE: text split by a regex, each piece's UTF-8 bytes shown as the byte alphabet. */
export interface ByteLevelRules {
  readonly kind: 'byte-level';
  readonly normalizer: UnicodeForm | null;
  /**
   * 'gpt2': the ByteLevel pre-tokenizer's own regex (use_regex: true), keeping only the matches;
   * a RegExp: a Split pre-tokenizer (behavior Isolated) before a ByteLevel one, keeping matches and gaps;
   * null: no split (ByteLevel with use_regex: false alone).
   */
  readonly split: 'gpt2' | RegExp | null;
  /** ByteLevel's add_prefix_space: a ' ' before each piece (or the whole text, in 'gpt2' mode) lacking one. */
  readonly addPrefixSpace: boolean;
}

export interface BpeSpec {
  /** token -> id: the model's vocab with the added tokens written over it, as Hugging Face builds it. */
  readonly tokenToId: ReadonlyMap<string, number>;
  /** id -> token, the same table the other way round (holes allowed). */
  readonly idToToken: readonly (string | undefined)[];
  /** [left, right] id pairs in rank order (index = rank). */
  readonly merges: Int32Array;
  /** The model's unk_token, or null. */
  readonly unkToken: string | null;
  readonly byteFallback: boolean;
  readonly fuseUnk: boolean;
  /** A whole pre-token that is already in the vocabulary is emitted as is (Llama 3). */
  readonly ignoreMerges: boolean;
  readonly addedTokens: readonly AddedToken[];
  readonly rules: MetaspaceRules | ByteLevelRules;
}

export const METASPACE = '\u2581';

/** A special token as Leveret's tokenizers declare them: matched verbatim, never normalized or stripped. */
export const specialToken = (id: number, content: string): AddedToken => ({
  id,
  content,
  special: true,
  normalized: false,
  lstrip: false,
  rstrip: false,
});
