// Log-likelihood scoring throughput: the engine scorer's padded batches against scoring one request at a
// time on the same engine, adapter and process (the same kernels and power-of-two buckets, one row per
// dispatch list), and one at a time padded to the whole context (what one forward graph per request costs).
// Every variant is checked against the batched results before it is timed, and warmed up first (pipelines,
// graphs), so the timed call replays recorded work only.
import type { EngineDevice } from '../src/engine/device';
import { openEngineScorer, type EngineScorer, type EngineScorerOptions } from '../src/eval/score-engine';
import type { LoglikRequest, LoglikResult } from '../src/eval/scorer';
import type { ModelConfig } from '../src/model/config';
import { initParams } from '../src/model/init';
import type { BenchTable } from './table';

export interface ScoreBenchCase {
  readonly name: string;
  readonly config: ModelConfig;
  readonly requests: number;
}

/** Mixed lengths, seeded: contexts from 4 tokens to past the window (so some are truncated), 1 to 8 continuation tokens. */
export function benchRequests(c: ModelConfig, count: number, seed = 1): LoglikRequest[] {
  let s = seed >>> 0 || 1;
  const next = (n: number) => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s % n; };
  const tokens = (n: number) => Array.from({ length: n }, () => next(c.vocabSize));
  return Array.from({ length: count }, () => ({
    context: tokens(4 + next(Math.floor(c.contextLength * 1.25))),
    continuation: tokens(1 + next(8)),
  }));
}

/** Tokens the model reads for these requests (after truncation, before padding). */
const inputTokens = (c: ModelConfig, reqs: readonly LoglikRequest[]) =>
  reqs.reduce((a, r) => a + Math.min(c.contextLength, r.context.length + r.continuation.length - 1), 0);

function worstDifference(a: readonly LoglikResult[], b: readonly LoglikResult[]): number {
  let worst = 0;
  a.forEach((x, i) => {
    worst = Math.max(worst, Math.abs(x.loglik - b[i].loglik));
    if (x.isGreedy !== b[i].isGreedy) worst = Infinity;
  });
  return worst;
}

async function timeScorer(s: EngineScorer, reqs: readonly LoglikRequest[]): Promise<{ seconds: number; results: LoglikResult[]; batches: number }> {
  await s.score(reqs);   // warm-up: compiles pipelines, plans the graphs
  const before = s.batchesRun, t0 = performance.now();
  const results = await s.score(reqs);
  return { seconds: (performance.now() - t0) / 1000, results, batches: s.batchesRun - before };
}

export async function benchScoring(dev: EngineDevice, cases: readonly ScoreBenchCase[], adapterName: string): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  for (const c of cases) {
    const weights = initParams(c.config, 1);
    const reqs = benchRequests(c.config, c.requests);
    const tokens = inputTokens(c.config, reqs);
    const variants: [string, EngineScorerOptions][] = [
      ['batched', {}],
      ['one at a time', { maxBatchRows: 1 }],
      ['one at a time, full context', { maxBatchRows: 1, minSeqLen: c.config.contextLength }],
    ];
    let batched: { seconds: number; results: LoglikResult[] } | null = null;
    for (const [name, opts] of variants) {
      const scorer = await openEngineScorer(dev, c.config, weights, opts);
      const t = await timeScorer(scorer, reqs);
      scorer.destroy();
      const worst = batched ? worstDifference(t.results, batched.results) : 0;
      if (!(worst <= 1e-3)) throw new Error(`${c.name} ${name}: results differ from the batched ones by ${worst}`);
      batched ??= t;
      rows.push([c.name, name, t.batches, reqs.length / t.seconds, tokens / t.seconds, `${(t.seconds / batched.seconds).toFixed(1)}x`]);
    }
  }
  return {
    title: `Log-likelihood scoring, ${cases[0]?.requests ?? 0} requests of mixed length (${adapterName})`,
    columns: ['preset', 'scoring', 'dispatch lists', 'requests/s', 'tokens/s', 'time vs batched'],
    rows,
    note: 'Same engine, weights and requests; tokens/s counts the tokens read (after truncation, before padding); ' +
      'each variant checked against the batched results, then timed after a warm-up call.',
  };
}
