// Any tokenizer.json outside our two BPE families (WordPiece, Unigram, unusual pre-tokenizers...) runs through
// Hugging Face's own JS implementation, @huggingface/tokenizers, behind our Tokenizer interface. Slower than our
// BPE, but every file Hugging Face can load works.

import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { Tokenizer, TokenizerJSON } from './tokenizer';
import { TokenizerJSONError } from './tokenizer-json-check';

// Letters, digits, spaces, punctuation and a non-ASCII letter: enough to reach every stage of the pipeline.
const PROBE_TEXT = 'Hello, world 42 — naïve text.';

export interface HfWrappedOptions {
  readonly name: string;
  readonly json: TokenizerJSON;
  readonly bosId: number;
  readonly eosId: number;
}

export class HfWrappedTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  private readonly json: TokenizerJSON;
  private readonly hf: HfTokenizer;

  constructor(opts: HfWrappedOptions) {
    this.name = opts.name;
    this.bosId = opts.bosId;
    this.eosId = opts.eosId;
    this.json = opts.json;
    // The JS library insists on every pipeline field being present; tokenizer.json allows leaving them out.
    const filled = {
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      decoder: null,
      ...opts.json,
      added_tokens: opts.json.added_tokens ?? [],
    };
    try {
      this.hf = new HfTokenizer(filled, {});
    } catch (e) {
      throw new TokenizerJSONError(`@huggingface/tokenizers cannot load it: ${e instanceof Error ? e.message : String(e)}`);
    }
    let size = 0;
    for (const id of this.hf.get_vocab(true).values()) size = Math.max(size, id + 1);
    this.vocabSize = size;
    // The library reads some parts of the file (templates, patterns, decoders) only when it first runs them:
    // one round trip now turns those faults into a refusal at load instead of a crash mid-corpus.
    this.decode(this.encode(PROBE_TEXT));
  }

  encode(text: string): number[] {
    // Ids the library cannot resolve (no unk token to stand in) come back undefined; they carry nothing.
    return this.library('encode', () => this.hf.encode(text, { add_special_tokens: false }).ids.filter((id) => typeof id === 'number'));
  }

  decode(ids: ArrayLike<number>): string {
    if (ids.length === 0) return '';
    return this.library('decode', () => this.hf.decode(Array.from(ids), { skip_special_tokens: true, clean_up_tokenization_spaces: false }));
  }

  /** Runs a library call; its raw errors (a TypeError from a field it never checked) name the file. */
  private library<T>(what: string, call: () => T): T {
    try {
      return call();
    } catch (e) {
      throw new TokenizerJSONError(`@huggingface/tokenizers fails to ${what} with it: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  toJSON(): TokenizerJSON {
    return structuredClone(this.json);
  }
}
