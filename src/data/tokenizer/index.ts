// Leveret's tokenizers: what the rest of the app imports.
//
//   mistralTokenizer()        Mistral-7B's tokenizer (HARE's). Its data (~650 KB) sits in mistral.ts's module;
//                             a page that wants it only on demand does `await import('.../tokenizer/mistral')`.
//   trainBpe(texts, opts)     a byte-level BPE learned from the user's text.
//   loadTokenizerJSON(json)   any Hugging Face tokenizer.json.
//   tokenizerFingerprint(t)   stable hash of a tokenizer's model, stored in checkpoints.
// Every tokenizer's toJSON() is a tokenizer.json that Hugging Face's libraries load to the same ids.

export type { Tokenizer, TokenizerJSON } from './tokenizer';
export { mistralTokenizer } from './mistral';
export { trainBpe, type TrainBpeOptions } from './train-bpe';
export { loadTokenizerJSON, type LoadTokenizerOptions } from './load-tokenizer-json';
export { TokenizerJSONError } from './tokenizer-json-check';
export { tokenizerFingerprint } from './fingerprint';
export { TRAINER_SPLIT_PATTERN } from './pretokenize';
