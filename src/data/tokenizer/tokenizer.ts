// What every tokenizer in Leveret offers: the built-in Mistral one, the byte-level BPE trained on the user's
// data, and any Hugging Face tokenizer.json loaded from disk.

/** A tokenizer.json object as Hugging Face's `tokenizers` library reads and writes it. */
export type TokenizerJSON = Record<string, unknown>;

export interface Tokenizer {
  /** Short label for reports and the UI: 'mistral', 'bpe-4096', 'hf:<name>'. */
  readonly name: string;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** Text to ids, without BOS or EOS (callers add them where the format needs them). */
  encode(text: string): number[];
  /** Ids back to text; special tokens are dropped. */
  decode(ids: ArrayLike<number>): string;
  /** The tokenizer.json that Hugging Face tools load and that gives the same ids as `encode`. */
  toJSON(): TokenizerJSON;
}
