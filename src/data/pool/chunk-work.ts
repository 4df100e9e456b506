// The pipeline's two kinds of per-record work, each either in-process (no workers: as small chunks, so the
// pipeline still yields to its event loop often) or spread over a worker pool (large chunks, so the cost of
// a message is small next to the work in it, and two chunks per worker so none waits between chunks).
import type { ChunkAnalysis } from '../clean-pass';
import type { BenchmarkIndex } from '../decontam/ngram-index';
import { RecordAnalyzer, type AnalyzedChunk } from '../record-analysis';
import type { RuleOptions } from '../rules/defaults';
import type { Tokenizer } from '../tokenizer/tokenizer';
import type { TokenizerRecipe } from './messages';
import type { WorkerPool } from './pool';
import { encodeAll } from './worker-handler';

/** Chunk sizes with workers: about 0.1 s of work for one worker, a few megabytes in flight per worker. */
const POOL_CHUNK = { records: 1024, chars: 1 << 19, perWorker: 2 };
/** Without: one chunk in flight, small enough that the pipeline yields about as often as it did record by record. */
const LOCAL_CHUNK = { records: 16, chars: 1 << 16 };

export function localAnalysis(rules: RuleOptions, benchmarks: BenchmarkIndex | null): ChunkAnalysis {
  const analyzer = new RecordAnalyzer(rules, benchmarks);
  return {
    analyze: async (texts, short) => analyzer.chunk(texts, short),
    inFlight: 1, chunkRecords: LOCAL_CHUNK.records, chunkChars: LOCAL_CHUNK.chars,
  };
}

/** The pool's workers receive the rules and a copy of the benchmark index before the first chunk. */
export async function poolAnalysis(pool: WorkerPool, rules: RuleOptions, benchmarks: BenchmarkIndex | null): Promise<ChunkAnalysis> {
  await pool.broadcast({ type: 'setup', rules, benchmarks: benchmarks?.parts() ?? null });
  return {
    async analyze(texts, short) {
      const answer = await pool.request({ type: 'clean', texts, short });
      if (answer.type !== 'cleaned') throw new Error(`data worker answered ${answer.type} to clean`);
      return answer.chunk satisfies AnalyzedChunk;
    },
    inFlight: POOL_CHUNK.perWorker * pool.size, chunkRecords: POOL_CHUNK.records, chunkChars: POOL_CHUNK.chars,
  };
}

/** Pass 2's tokenizing: each text's ids with EOS, end to end (see 'encoded' in messages.ts). */
export interface ChunkEncoding {
  encode(texts: string[]): Promise<{ ids: Uint32Array; ends: Uint32Array }>;
  readonly inFlight: number;
  readonly chunkRecords: number;
  readonly chunkChars: number;
}

export function localEncoding(tok: Tokenizer): ChunkEncoding {
  return {
    encode: async (texts) => encodeAll(tok, texts),
    inFlight: 1, chunkRecords: LOCAL_CHUNK.records, chunkChars: LOCAL_CHUNK.chars,
  };
}

/** The pool rebuilds the tokenizer in each worker; null when a worker cannot (a tokenizer with no loadable
 *  tokenizer.json, as tests use), and the pipeline then encodes in-process. `sent` is the answer to a
 *  'tokenizer' message the pipeline already broadcast with this recipe (see pipeline.ts). */
export async function poolEncoding(pool: WorkerPool, recipe: TokenizerRecipe, sent?: Promise<void>): Promise<ChunkEncoding | null> {
  try {
    await (sent ?? pool.broadcast({ type: 'tokenizer', recipe }));
  } catch {
    return null;
  }
  return {
    async encode(texts) {
      const answer = await pool.request({ type: 'encode', texts });
      if (answer.type !== 'encoded') throw new Error(`data worker answered ${answer.type} to encode`);
      return { ids: answer.ids, ends: answer.ends };
    },
    inFlight: POOL_CHUNK.perWorker * pool.size, chunkRecords: POOL_CHUNK.records, chunkChars: POOL_CHUNK.chars,
  };
}
