// The engine scorer against the reference scorer (tfjs CPU backend, one request at a time, no padding) at an
// awkward shape: same weights, requests of many lengths including ones longer than the context (left
// truncation), a continuation longer than the window, an empty context and one-token continuations, and a
// continuation that is exactly the reference's greedy path so that isGreedy = true is exercised. Also: order
// kept, few batches for many requests, chunked logits, the GPU kernel layouts.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDevice } from '../../src/engine/device';
import { openEngineScorer, type EngineScorer, type EngineScorerOptions } from '../../src/eval/score-engine';
import { ReferenceScorer, firstArgmax } from '../../src/eval/score-reference';
import type { LoglikRequest, LoglikResult } from '../../src/eval/scorer';
import { validateConfig } from '../../src/model/config';
import { initParams } from '../../src/model/init';
import { paramSpecs } from '../../src/model/params';
import { referenceLogits, type TensorMap } from '../../src/model/reference';
import { engineDevice, randomArray, useCpuBackend } from './harness';

const config = validateConfig({ normEps: 1e-5, ropeTheta: 10000, dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2,
  hiddenDim: 72, vocabSize: 50, contextLength: 24 });
// Five times HF's init: peaked distributions, so argmaxes are well separated and greedy flags are stable.
const weights = initParams(config, 11);
for (const [name, v] of weights) if (!name.includes('norm')) for (let i = 0; i < v.length; i++) v[i] *= 5;

let dev: EngineDevice;
let reference: ReferenceScorer;
const requests: LoglikRequest[] = [];
let want: LoglikResult[];
let greedyIndex = -1;

/** The reference model's own greedy continuation of `context`, `steps` tokens long. */
async function greedyPath(context: number[], steps: number): Promise<number[]> {
  const p: TensorMap = {};
  for (const s of paramSpecs(config)) p[s.name] = tf.tensor(weights.get(s.name)!, [...s.shape]);
  const out: number[] = [];
  for (let j = 0; j < steps; j++) {
    const seq = [...context, ...out].slice(-config.contextLength);
    const last = tf.tidy(() => tf.slice(referenceLogits(config, p, tf.tensor2d(seq, [1, seq.length], 'int32')), [seq.length - 1, 0], [1, -1]));
    out.push(firstArgmax(await last.data()));
    last.dispose();
  }
  for (const t of Object.values(p)) t.dispose();
  return out;
}

beforeAll(async () => {
  dev = await engineDevice();
  await useCpuBackend();
  const r = randomArray(2000, 5, 0, 1);
  let at = 0;
  const draw = (n: number) => { if (at >= r.length) throw new Error('out of random draws'); return Math.floor(r[at++] * n); };
  const tokens = (n: number) => Array.from({ length: n }, () => draw(config.vocabSize));
  for (let i = 0; i < 18; i++) requests.push({ context: tokens(1 + draw(36)), continuation: tokens(1 + draw(5)) });
  requests.push({ context: tokens(3), continuation: tokens(30) });   // the continuation alone overflows the window
  requests.push({ context: [], continuation: tokens(4) });           // nothing before the first continuation token
  requests.push({ context: tokens(40), continuation: tokens(1) });   // truncated, one token
  const context = tokens(9);
  const path = await greedyPath(context, 4);
  greedyIndex = requests.length;
  requests.push({ context, continuation: path });
  requests.push({ context, continuation: [...path.slice(0, 3), (path[3] + 1) % config.vocabSize] });
  reference = new ReferenceScorer(config, weights);
  want = await reference.score(requests);
});

afterAll(() => reference?.dispose());

function expectMatches(got: readonly LoglikResult[], wantRes: readonly LoglikResult[], what: string): number {
  expect(got.length).toBe(wantRes.length);
  let worst = 0;
  got.forEach((g, i) => {
    const d = Math.abs(g.loglik - wantRes[i].loglik) / Math.max(1, Math.abs(wantRes[i].loglik) / 10);
    worst = Math.max(worst, d);
    if (!(d <= 1e-4)) throw new Error(`${what}: request ${i} loglik ${g.loglik}, reference ${wantRes[i].loglik}`);
  });
  expect(got.map((g) => g.isGreedy)).toEqual(wantRes.map((w) => w.isGreedy));
  return worst;
}

async function scoreWith(opts: EngineScorerOptions & { kernels?: { reduce: 'workgroup'; matmul: 'tiled' } }, list: readonly LoglikRequest[]):
  Promise<{ results: LoglikResult[]; scorer: EngineScorer; progress: number[] }> {
  const scorer = await openEngineScorer(dev, config, weights, { ...opts, engine: opts.kernels ? { kernels: opts.kernels } : {} });
  const progress: number[] = [];
  const results = await scorer.score(list, (done, total) => { expect(total).toBe(list.length); progress.push(done); });
  return { results, scorer, progress };
}

describe('engine scorer vs reference scorer', () => {
  it('the greedy path is greedy and the changed one is not (the reference says so)', () => {
    expect(want[greedyIndex].isGreedy).toBe(true);
    expect(want[greedyIndex + 1].isGreedy).toBe(false);
  });

  it('every request within 1e-4, greedy flags equal, in few batches', async () => {
    const { results, scorer, progress } = await scoreWith({ minSeqLen: 8 }, requests);
    const worst = expectMatches(results, want, 'batched');
    const plan = scorer.plan(requests);
    console.log(`${requests.length} requests in ${scorer.batchesRun} batches (${plan.map((b) => `${b.batchSize}x${b.seqLen}`).join(', ')}); worst loglik difference ${worst.toExponential(2)}`);
    // Buckets 8, 12, 16, 24 and at most 64 rows a batch: one batch per bucket.
    expect(scorer.batchesRun).toBe(plan.length);
    expect(scorer.batchesRun).toBeLessThanOrEqual(4);
    expect(progress[progress.length - 1]).toBe(requests.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    scorer.destroy();
  });

  it('small batches, logits in chunks, a shuffled order: the same results in the caller\'s order', async () => {
    const order = requests.map((_, i) => i).reverse();
    order.push(order.shift()!);
    const { results, scorer, progress } = await scoreWith({ minSeqLen: 8, maxBatchRows: 4, logitsChunkRows: 5 }, order.map((i) => requests[i]));
    expectMatches(results, order.map((i) => want[i]), 'chunked');
    expect(scorer.batchesRun).toBeGreaterThanOrEqual(Math.ceil(requests.length / 4));   // 4 rows at most a batch
    expect(progress.length).toBe(scorer.batchesRun);
    // A second call reuses the kept graphs and gives the same numbers.
    expect(await scorer.score(order.map((i) => requests[i]))).toEqual(results);
    scorer.destroy();
  });

  it('graphs are kept within the budget: with room for one, each new shape replaces the last', async () => {
    const some = [0, 3, 18, 19, 20, greedyIndex];
    const { results, scorer } = await scoreWith({ minSeqLen: 8, activationBudgetBytes: 1 }, some.map((i) => requests[i]));
    expectMatches(results, some.map((i) => want[i]), 'budget of one graph');
    expect(new Set(scorer.plan(some.map((i) => requests[i])).map((b) => `${b.batchSize}x${b.seqLen}`)).size).toBeGreaterThan(1);
    expect(scorer.liveGraphs.length).toBe(1);
    scorer.destroy();
  });

  it('tied embeddings: the head reads the embedding matrix', async () => {
    const tied = validateConfig({ ...config, tieWordEmbeddings: true });
    const w = new Map([...weights].filter(([name]) => name !== 'lm_head.weight'));
    const some = [0, 18, 20, greedyIndex].map((i) => requests[i]);
    const ref = new ReferenceScorer(tied, w);
    const wantTied = await ref.score(some);
    ref.dispose();
    const scorer = await openEngineScorer(dev, tied, w, { minSeqLen: 8 });
    expectMatches(await scorer.score(some), wantTied, 'tied');
    expect(wantTied[0].loglik).not.toBeCloseTo(want[0].loglik, 2);   // the head really changed
    scorer.destroy();
  });

  it('GPU kernel layouts (workgroup per row, tiled matmul)', async () => {
    const some = [0, 3, 18, 19, 20, greedyIndex, greedyIndex + 1];
    const { results, scorer } = await scoreWith({ minSeqLen: 8, kernels: { reduce: 'workgroup', matmul: 'tiled' } }, some.map((i) => requests[i]));
    expectMatches(results, some.map((i) => want[i]), 'workgroup layout');
    scorer.destroy();
  });
});
