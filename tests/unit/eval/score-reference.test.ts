// The reference scorer on tfjs's CPU backend, checked by properties that do not depend on how it computes:
// the chain rule across a split continuation, truncation equals pre-truncated input, greedy decoding is
// greedy, and results keep the callers' order.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReferenceScorer, firstArgmax } from '../../../src/eval/score-reference';
import { validateConfig } from '../../../src/model/config';
import { initParams } from '../../../src/model/init';
import { paramSpecs } from '../../../src/model/params';
import { referenceLogits, type TensorMap } from '../../../src/model/reference';

const config = validateConfig({ normEps: 1e-5, ropeTheta: 10000, dim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1,
  hiddenDim: 24, vocabSize: 23, contextLength: 12 });

let scorer: ReferenceScorer;
const tensors: TensorMap = {};
beforeAll(async () => {
  await tf.setBackend('cpu');
  // Weights ten times HF's init, so the distributions are peaked and argmaxes well separated.
  const w = initParams(config, 7);
  for (const [name, v] of w) if (!name.includes('norm')) for (let i = 0; i < v.length; i++) v[i] *= 10;
  scorer = new ReferenceScorer(config, w);
  for (const sp of paramSpecs(config)) tensors[sp.name] = tf.tensor(w.get(sp.name)!, [...sp.shape]);
});

describe('firstArgmax', () => {
  it('takes the first of tied maxima, within a slice', () => {
    expect(firstArgmax([1, 3, 3, 2])).toBe(1);
    expect(firstArgmax([9, 1, 5, 5, 0], 1, 4)).toBe(1);
  });
});

describe('ReferenceScorer', () => {
  it('log p(a b | c) = log p(a | c) + log p(b | c a)', async () => {
    const [ab, a, b] = await scorer.score([
      { context: [1, 2, 3], continuation: [4, 5] },
      { context: [1, 2, 3], continuation: [4] },
      { context: [1, 2, 3, 4], continuation: [5] },
    ]);
    expect(ab.loglik).toBeLessThan(0);
    expect(ab.loglik).toBeCloseTo(a.loglik + b.loglik, 4);
  });

  it('a request longer than the window scores as its last contextLength + 1 tokens', async () => {
    const long = Array.from({ length: 20 }, (_, i) => (i * 5) % 23);
    const [got, want] = await scorer.score([
      { context: long, continuation: [7, 8] },
      { context: long.slice(-11), continuation: [7, 8] },
    ]);
    expect(got.loglik).toBeCloseTo(want.loglik, 5);
  });

  it('the greedy continuation is greedy, a changed last token is not, order kept', async () => {
    const context = [3, 1, 4, 1, 5];
    const cont: number[] = [];
    for (let j = 0; j < 3; j++) {
      const logits = tf.tidy(() => {
        const seq = [...context, ...cont];
        const all = referenceLogits(config, tensors, tf.tensor2d(seq, [1, seq.length], 'int32'));
        return tf.slice(all, [seq.length - 1, 0], [1, config.vocabSize]);
      });
      cont.push(firstArgmax(await logits.data()));
      logits.dispose();
    }
    const wrong = [...cont.slice(0, 2), (cont[2] + 1) % config.vocabSize];
    const res = await scorer.score([{ context, continuation: wrong }, { context, continuation: cont }]);
    expect(res.map((r) => r.isGreedy)).toEqual([false, true]);
    expect(res[1].loglik).toBeGreaterThan(res[0].loglik);
  });

  it('reports progress after every request', async () => {
    const seen: number[] = [];
    await scorer.score([{ context: [1], continuation: [2] }, { context: [2], continuation: [3] }], (d, t) => seen.push(d / t));
    expect(seen).toEqual([0.5, 1]);
  });
});
