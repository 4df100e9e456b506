// Messages between the pipeline and its pool workers, one typed shape each. A worker handles each message
// to the end before the next (its handler is synchronous), so a setup sent before a chunk is in place when
// the chunk arrives.
import type { BenchmarkParts } from '../decontam/ngram-index';
import type { AnalyzedChunk } from '../record-analysis';
import type { RuleOptions } from '../rules/defaults';
import type { TokenizerJSON } from '../tokenizer/tokenizer';

/** How a worker rebuilds the pipeline's tokenizer: Mistral's from its own module, any other from its tokenizer.json. */
export type TokenizerRecipe = { kind: 'mistral' } | { kind: 'json'; json: TokenizerJSON };

export type ToWorker =
  /** Pass 1's context: the rules and the benchmark index (null: no decontamination). */
  | { type: 'setup'; id: number; rules: RuleOptions; benchmarks: BenchmarkParts | null }
  /** Texts to analyse (record-analysis.ts); short[i] is 1 where the short length cap applies. */
  | { type: 'clean'; id: number; texts: string[]; short: Uint8Array }
  /** Pass 2's tokenizer; the worker answers 'failed' when it cannot rebuild it (the pipeline then encodes itself). */
  | { type: 'tokenizer'; id: number; recipe: TokenizerRecipe }
  /** Texts to encode, each followed by EOS. */
  | { type: 'encode'; id: number; texts: string[] };

export type FromWorker =
  | { type: 'ready'; id: number }
  | { type: 'cleaned'; id: number; chunk: AnalyzedChunk }
  /** Every text's ids (with EOS) end to end; text i ends at ends[i]. Both arrays are transferred. */
  | { type: 'encoded'; id: number; ids: Uint32Array; ends: Uint32Array }
  | { type: 'failed'; id: number; message: string };
