// What runPipeline takes: sources, benchmarks, rule overrides, tokenizer choice, sequence length, seed.
import type { RuleOverrides } from './rules/defaults';
import type { ChatTemplateSpec } from './sft/chat-template';
import type { SourceFile, SourceFormat, SourceSpec } from './source';
import type { DataStore } from './store';
import type { ResolveTokenizer, TokenizerChoice } from './tokenizer-choice';
import type { WorkerPool } from './pool/pool';
import { checkDiversity, type DiversityOptions } from './diversity/cluster-pass';

export interface BenchmarkSpec {
  files: SourceFile[];
  /** Fields whose text forms a benchmark sample: one name, a comma-separated list, or '*' (every string). */
  fields?: string;
  /** Detected from the extension when omitted; its textField is replaced by `fields`. */
  format?: SourceFormat;
}

export type PipelineStage = 'benchmarks' | 'clean' | 'tokenizer' | 'pack' | 'done';

export interface PipelineProgress {
  stage: PipelineStage;
  /** 0..1 within the stage. */
  fraction: number;
  message: string;
}

export interface PipelineOptions {
  sources: SourceSpec[];
  benchmarks?: BenchmarkSpec[];
  rules?: RuleOverrides;
  /** Seeds the validation split (and everything else random); default 1. */
  seed?: number;
  tokenizer: TokenizerChoice;
  /** Training sequence length T; sequences are packed at T + 1 tokens. Default 256. */
  seqLen?: number;
  /** Fraction of each source's records held out for validation; default 0.01. */
  valFraction?: number;
  /** Largest token shard, in bytes; default 64 MiB. */
  shardBytes?: number;
  /** The chat template SFT sources are rendered with (the model's tokenizer_config.json); ChatML when absent. */
  chatTemplate?: ChatTemplateSpec;
  /** Topic clusters per source (report, `_cluster` in cleaned.jsonl) and an optional per-cluster cap or
   *  flattening; off when absent. */
  diversity?: DiversityOptions;
  onProgress?: (p: PipelineProgress) => void;
  signal?: AbortSignal;
}

export interface PipelineDeps {
  store: DataStore;
  resolveTokenizer: ResolveTokenizer;
  /** Workers for the per-record work (cleaning, signatures, n-gram lookups, tokenizing); without, it all runs in
   *  this thread. The output is the same byte for byte either way and for any number of workers. The caller
   *  starts the pool (pool/pool.node.ts, pool/pool.web.ts), may keep it warm for the next run (one run at a
   *  time), and closes it. */
  pool?: WorkerPool;
}

export const PIPELINE_DEFAULTS = { seed: 1, seqLen: 256, valFraction: 0.01, shardBytes: 64 * 1024 * 1024 } as const;

export function checkOptions(o: PipelineOptions): void {
  const fail = (m: string) => { throw new Error(`invalid pipeline options: ${m}`); };
  if (o.sources.length === 0) fail('no sources');
  const names = new Set<string>();
  for (const s of o.sources) {
    if (!s.name) fail('a source has no name');
    if (names.has(s.name)) fail(`duplicate source name "${s.name}"`);
    names.add(s.name);
    if (!(Number.isFinite(s.weight) && s.weight >= 0)) fail(`source "${s.name}": weight must be a finite number ≥ 0`);
    if (s.files.length === 0) fail(`source "${s.name}" has no files`);
  }
  if (!o.sources.some((s) => s.weight > 0)) fail('every source has weight 0');
  const seqLen = o.seqLen ?? PIPELINE_DEFAULTS.seqLen;
  if (!(Number.isInteger(seqLen) && seqLen >= 1)) fail('seqLen must be a positive integer');
  const val = o.valFraction ?? PIPELINE_DEFAULTS.valFraction;
  if (!(val >= 0 && val <= 0.5)) fail('valFraction must be in [0, 0.5]');
  if (o.diversity) checkDiversity(o.diversity);
}
