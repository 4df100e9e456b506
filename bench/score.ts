// Log-likelihood scoring throughput: the engine scorer's padded batches against scoring one request at a
// time on the same engine, adapter and process (the same kernels and power-of-two buckets, one row per
// dispatch list), and one at a time padded to the whole context (what one forward graph per request costs).
// Every variant is checked against the batched results on its warm-up call (pipelines, graphs), so the timed
// calls replay recorded work only.
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

/** One timed call; the batches it ran. */
async function timeCall(s: EngineScorer, reqs: readonly LoglikRequest[]): Promise<{ seconds: number; results: LoglikResult[]; batches: number }> {
  const before = s.batchesRun, t0 = performance.now();
  const results = await s.score(reqs);
  return { seconds: (performance.now() - t0) / 1000, results, batches: s.batchesRun - before };
}

/**
 * The variants are timed in turn, `reps` rounds, and each keeps its fastest call: on a shared machine the
 * load drifts, and interleaving plus the minimum keeps the drift out of the ratios.
 */
export async function benchScoring(dev: EngineDevice, cases: readonly ScoreBenchCase[], adapterName: string, reps = 2): Promise<BenchTable> {
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
    const scorers: EngineScorer[] = [];
    const reference: LoglikResult[] = [];
    for (const [name, opts] of variants) {
      const scorer = await openEngineScorer(dev, c.config, weights, opts);
      const warm = await scorer.score(reqs);   // warm-up: compiles pipelines, plans the graphs
      if (reference.length === 0) reference.push(...warm);
      const worst = worstDifference(warm, reference);
      if (!(worst <= 1e-3)) throw new Error(`${c.name} ${name}: results differ from the batched ones by ${worst}`);
      scorers.push(scorer);
    }
    const best = variants.map(() => ({ seconds: Infinity, batches: 0 }));
    for (let r = 0; r < reps; r++) {
      for (let v = 0; v < variants.length; v++) {
        const t = await timeCall(scorers[v], reqs);
        if (t.seconds < best[v].seconds) best[v] = t;
      }
    }
    scorers.forEach((s) => s.destroy());
    variants.forEach(([name], v) => {
      const t = best[v];
      rows.push([c.name, name, t.batches, reqs.length / t.seconds, tokens / t.seconds, `${(t.seconds / best[0].seconds).toFixed(1)}x`]);
    });
  }
  return {
    title: `Log-likelihood scoring, ${cases[0]?.requests ?? 0} requests of mixed length (${adapterName})`,
    columns: ['preset', 'scoring', 'dispatch lists', 'requests/s', 'tokens/s', 'time vs batched'],
    rows,
    note: 'Same weights and requests on the same adapter; tokens/s counts the tokens read (after truncation, before ' +
      `padding); each variant checked against the batched results on its warm-up call, then the fastest of ${reps} ` +
      'interleaved timed calls.',
  };
}
