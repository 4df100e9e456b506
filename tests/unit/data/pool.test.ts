// The pipeline with a worker pool (src/data/pool/): the same bytes in every output file (report.json,
// cleaned.jsonl, dataset.json, tokenizer.json, every shard) for 0, 1, 2 and 3 workers, on the planted corpus
// (every rule fires, decontamination included) and on a slice of ../shared/data with the Mistral tokenizer and
// a trained BPE; chunks in flight stay bounded; a tokenizer the workers cannot rebuild is encoded in-process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../../../src/data/pipeline';
import type { PipelineOptions } from '../../../src/data/pipeline-options';
import { createNodePool } from '../../../src/data/pool/pool.node';
import type { CreateWorkerPool, WorkerPool } from '../../../src/data/pool/pool';
import { resolveTokenizer } from '../../../src/data/resolve-tokenizer';
import { MemoryStore } from '../../../src/data/store.memory';
import type { ResolveTokenizer } from '../../../src/data/tokenizer-choice';
import { memFile, resolveTestTokenizer } from './helpers';
import { buildPlantedCorpus } from './planted-corpus';

const WORKERS = [0, 1, 2, 3];

/** Counts the requests each pool has outstanding at once (the bound on chunks in flight). */
let peakOutstanding = 0;
/** Requests by message type, to see which passes the workers did. */
const requested = new Map<string, number>();
const countingPool: CreateWorkerPool = async (n) => {
  const pool = await createNodePool(n);
  let outstanding = 0;
  const counted: WorkerPool = {
    size: pool.size,
    broadcast: (m) => pool.broadcast(m),
    request: async (m, t) => {
      peakOutstanding = Math.max(peakOutstanding, ++outstanding);
      requested.set(m.type, (requested.get(m.type) ?? 0) + 1);
      try { return await pool.request(m, t); } finally { outstanding--; }
    },
    close: () => pool.close(),
  };
  return counted;
};

async function files(opts: PipelineOptions, resolve: ResolveTokenizer): Promise<Map<string, Buffer>> {
  const store = new MemoryStore();
  await runPipeline(opts, { store, resolveTokenizer: resolve, createPool: countingPool });
  const out = new Map<string, Buffer>();
  for (const n of (await store.list()).sort()) out.set(n, Buffer.from(await store.readRange(n, 0, await store.size(n))));
  return out;
}

/** Runs `make(workers)` for every worker count and compares each output file with the in-process run's. */
async function expectSameBytes(make: (workers: number) => PipelineOptions, resolve: ResolveTokenizer): Promise<Map<string, Buffer>> {
  const base = await files(make(0), resolve);
  for (const w of WORKERS.slice(1)) {
    peakOutstanding = 0;
    const got = await files(make(w), resolve);
    expect([...got.keys()], `files with ${w} workers`).toEqual([...base.keys()]);
    for (const [name, bytes] of base) expect(got.get(name)!.equals(bytes), `${name} with ${w} workers`).toBe(true);
    // Two chunks per worker at most (pool/chunk-work.ts): the pipeline's memory bound holds with workers too.
    expect(peakOutstanding).toBeGreaterThan(0);
    expect(peakOutstanding).toBeLessThanOrEqual(2 * w);
  }
  return base;
}

/** The first `bytes` of a JSONL file of ../shared/data, cut at a line end. */
function sharedSlice(name: string, bytes: number) {
  const all = readFileSync(join(__dirname, '..', '..', '..', '..', 'shared', 'data', name));
  const end = all.indexOf(0x0a, Math.min(bytes, all.length - 1));
  return memFile(name, all.subarray(0, end < 0 ? all.length : end + 1), 1 << 16);
}

describe('worker pool', () => {
  beforeEach(() => requested.clear());

  it('planted corpus: byte-identical outputs for 0..3 workers, the test tokenizer encoded in-process', async () => {
    const corpus = await buildPlantedCorpus();
    const base = await expectSameBytes((workers) => ({
      sources: corpus.sources, benchmarks: corpus.benchmarks, seqLen: 64, valFraction: 0.05, seed: 11,
      tokenizer: { kind: 'bpe', vocabSize: 259 }, workers,
    }), resolveTestTokenizer);
    const report = JSON.parse(base.get('report.json')!.toString()) as { decontamination: { removed: number }; totals: { trainSequences: number } };
    expect(report.decontamination.removed).toBeGreaterThan(0);
    expect(report.totals.trainSequences).toBeGreaterThan(0);
    expect(requested.get('clean')).toBeGreaterThan(0);
    expect(requested.get('encode')).toBeUndefined();
  }, 120_000);

  it('../shared/data slice with the Mistral tokenizer: byte-identical outputs for 0..3 workers', async () => {
    const sources = [
      { name: 'moby', category: 'books', weight: 1, files: [sharedSlice('moby-dick.jsonl', 400_000)] },
      { name: 'sotu', category: 'speeches', weight: 2, files: [sharedSlice('sotu.jsonl', 600_000)] },
    ];
    const base = await expectSameBytes((workers) => ({ sources, tokenizer: { kind: 'mistral' }, seed: 5, workers }), resolveTokenizer);
    expect([...base.keys()].some((n) => n.endsWith('.bin'))).toBe(true);
    expect(requested.get('encode')).toBeGreaterThan(0);
  }, 240_000);

  it('../shared/data slice with a BPE trained on it, rebuilt from its tokenizer.json in each worker', async () => {
    const sources = [{ name: 'moby', category: 'books', weight: 1, files: [sharedSlice('moby-dick.jsonl', 300_000)] }];
    await expectSameBytes((workers) => ({ sources, tokenizer: { kind: 'bpe', vocabSize: 600 }, seqLen: 64, workers }), resolveTokenizer);
    expect(requested.get('encode')).toBeGreaterThan(0);
  }, 240_000);

  it('a pool is refused without a way to start one, and a worker count out of range is refused', async () => {
    const opts: PipelineOptions = { sources: [{ name: 's', category: 'web', weight: 1, files: [memFile('a.txt', 'x')] }], tokenizer: { kind: 'mistral' } };
    await expect(runPipeline({ ...opts, workers: 2 }, { store: new MemoryStore(), resolveTokenizer })).rejects.toThrow(/createPool/);
    await expect(runPipeline({ ...opts, workers: 1.5 }, { store: new MemoryStore(), resolveTokenizer })).rejects.toThrow(/workers/);
  });
});
