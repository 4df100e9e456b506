// The pipeline with a worker pool (src/data/pool/): the same bytes in every output file (report.json,
// cleaned.jsonl, dataset.json, tokenizer.json, every shard) for 0, 1, 2 and 3 workers, on the planted corpus
// (every rule fires, decontamination included) and on a slice of ../shared/data with the Mistral tokenizer and
// a trained BPE; chunks in flight stay bounded; a tokenizer the workers cannot rebuild is encoded in-process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../../src/data/pipeline';
import type { PipelineOptions } from '../../../src/data/pipeline-options';
import { createNodePool } from '../../../src/data/pool/pool.node';
import type { FromWorker } from '../../../src/data/pool/messages';
import { checkWorkerCount, type DistributeMessage, type WorkerPool } from '../../../src/data/pool/pool';
import { resolveTokenizer } from '../../../src/data/resolve-tokenizer';
import { MemoryStore } from '../../../src/data/store.memory';
import type { ResolveTokenizer } from '../../../src/data/tokenizer-choice';
import { memFile, resolveTestTokenizer } from './helpers';
import { buildPlantedCorpus } from './planted-corpus';

const WORKERS = [0, 1, 2, 3];

/** Counts the requests a pool has outstanding at once (the bound on chunks in flight) and requests by type. */
class CountingPool implements WorkerPool {
  peak = 0;
  readonly requested = new Map<string, number>();
  private outstanding = 0;

  constructor(private readonly pool: WorkerPool) {}

  get size(): number { return this.pool.size; }
  broadcast(m: DistributeMessage): Promise<void> { return this.pool.broadcast(m); }
  async request(m: DistributeMessage, t?: ArrayBuffer[]): Promise<FromWorker> {
    this.peak = Math.max(this.peak, ++this.outstanding);
    this.requested.set(m.type, (this.requested.get(m.type) ?? 0) + 1);
    try { return await this.pool.request(m, t); } finally { this.outstanding--; }
  }
  close(): void { this.pool.close(); }
  reset(): void { this.peak = 0; this.requested.clear(); }
}

// One pool per size for the whole file: each is reused from run to run, as the page keeps its pool.
const pools = new Map<number, CountingPool>();
beforeAll(async () => { for (const w of WORKERS.slice(1)) pools.set(w, new CountingPool(await createNodePool(w))); });
afterAll(() => { for (const p of pools.values()) p.close(); });

async function files(opts: PipelineOptions, resolve: ResolveTokenizer, pool?: WorkerPool): Promise<Map<string, Buffer>> {
  const store = new MemoryStore();
  await runPipeline(opts, { store, resolveTokenizer: resolve, pool });
  const out = new Map<string, Buffer>();
  for (const n of (await store.list()).sort()) out.set(n, Buffer.from(await store.readRange(n, 0, await store.size(n))));
  return out;
}

/** Runs `opts` in-process and with every pool, comparing each output file with the in-process run's; returns
 *  those files and the requests by type that the pools saw. */
async function expectSameBytes(opts: PipelineOptions, resolve: ResolveTokenizer) {
  const base = await files(opts, resolve);
  const requested = new Map<string, number>();
  for (const [w, pool] of pools) {
    pool.reset();
    const got = await files(opts, resolve, pool);
    expect([...got.keys()], `files with ${w} workers`).toEqual([...base.keys()]);
    for (const [name, bytes] of base) expect(got.get(name)!.equals(bytes), `${name} with ${w} workers`).toBe(true);
    // Two chunks per worker at most (pool/chunk-work.ts): the pipeline's memory bound holds with workers too.
    expect(pool.peak).toBeGreaterThan(0);
    expect(pool.peak).toBeLessThanOrEqual(2 * w);
    for (const [k, n] of pool.requested) requested.set(k, (requested.get(k) ?? 0) + n);
  }
  return { base, requested };
}

/** The first `bytes` of a JSONL file of ../shared/data, cut at a line end. */
function sharedSlice(name: string, bytes: number) {
  const all = readFileSync(join(__dirname, '..', '..', '..', '..', 'shared', 'data', name));
  const end = all.indexOf(0x0a, Math.min(bytes, all.length - 1));
  return memFile(name, all.subarray(0, end < 0 ? all.length : end + 1), 1 << 16);
}

describe('worker pool', () => {
  it('planted corpus: byte-identical outputs for 0..3 workers, the test tokenizer encoded in-process', async () => {
    const corpus = await buildPlantedCorpus();
    const { base, requested } = await expectSameBytes({
      sources: corpus.sources, benchmarks: corpus.benchmarks, seqLen: 64, valFraction: 0.05, seed: 11,
      tokenizer: { kind: 'bpe', vocabSize: 259 },
    }, resolveTestTokenizer);
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
    const { base, requested } = await expectSameBytes({ sources, tokenizer: { kind: 'mistral' }, seed: 5 }, resolveTokenizer);
    expect([...base.keys()].some((n) => n.endsWith('.bin'))).toBe(true);
    expect(requested.get('encode')).toBeGreaterThan(0);
  }, 240_000);

  it('../shared/data slice with a BPE trained on it, rebuilt from its tokenizer.json in each worker', async () => {
    const sources = [{ name: 'moby', category: 'books', weight: 1, files: [sharedSlice('moby-dick.jsonl', 300_000)] }];
    const { requested } = await expectSameBytes({ sources, tokenizer: { kind: 'bpe', vocabSize: 600 }, seqLen: 64 }, resolveTokenizer);
    expect(requested.get('encode')).toBeGreaterThan(0);
  }, 240_000);

  it('a worker count outside 0..64 is refused', () => {
    expect(checkWorkerCount(0)).toBe(0);
    expect(() => checkWorkerCount(1.5)).toThrow(/workers/);
    expect(() => checkWorkerCount(65)).toThrow(/workers/);
  });

  it('a worker that fails a request rejects that request only; a closed pool refuses new ones', async () => {
    const pool = await createNodePool(1);
    await expect(pool.request({ type: 'encode', texts: ['x'] })).rejects.toThrow(/encode before tokenizer/);
    await pool.broadcast({ type: 'tokenizer', recipe: { kind: 'mistral' } });
    const answer = await pool.request({ type: 'encode', texts: ['Call me Ishmael.'] });
    expect(answer.type).toBe('encoded');
    pool.close();
    await expect(pool.request({ type: 'encode', texts: ['x'] })).rejects.toThrow(/closed/);
  }, 60_000);
});
