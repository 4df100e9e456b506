// How the user picks a tokenizer, and the function that turns the choice into a Tokenizer. The function is
// injected into the pipeline (the CLI and the data worker pass resolveTokenizer from resolve-tokenizer.ts,
// tests a small one), and it gets the cleaned training texts so a byte-level BPE can be trained on exactly
// the data it will encode.
import type { Tokenizer } from './tokenizer/tokenizer';

export type TokenizerChoice =
  | { kind: 'mistral' }
  | { kind: 'bpe'; vocabSize: number }
  | { kind: 'json'; json: object };

export type ResolveTokenizer = (choice: TokenizerChoice, trainingTexts: () => AsyncIterable<string>,
                                onProgress?: (fraction: number) => void) => Promise<Tokenizer>;
