// Token choice and the decoding loop shared by every generator: top-k picks exactly the ids a stable sort
// of the whole vocabulary would (ties in id order), and the loop's stop, length and cancel rules.
import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../../src/data/rng';
import type { TrainBackend } from '../../../src/train/backend';
import { ForwardGenerator, generatorFor, pickToken, topKIds, type TokenGenerator } from '../../../src/train/sampling';

/** What pickToken did before topKIds: sort every id by descending logit (stable), keep the first k. */
const sortedTopK = (z: Float32Array, k: number): number[] => Array.from(z.keys()).sort((a, b) => z[b] - z[a]).slice(0, k);

function logits(n: number, seed: number, levels: number): Float32Array {
  const rng = new Xoshiro128(seed);
  return Float32Array.from({ length: n }, () => Math.floor(rng.nextFloat() * levels) / 4 - 3);   // few levels: many ties
}

describe('top-k', () => {
  it('equals a stable sort of the whole vocabulary, ties included', () => {
    for (const [n, k, levels] of [[50, 5, 6], [1000, 40, 30], [37, 36, 3], [300, 1, 2], [9, 4, 1]]) {
      const z = logits(n, n + k, levels);
      expect(topKIds(z, k)).toEqual(sortedTopK(z, k));
    }
  });

  it('samples the same tokens as before for the same seed', () => {
    const z = logits(500, 3, 40);
    const a = new Xoshiro128(9), b = new Xoshiro128(9);
    for (let i = 0; i < 50; i++) {
      const ids = sortedTopK(z, 20), max = z[ids[0]];
      const w = ids.map((j) => Math.exp((z[j] - max) / 0.9));
      let r = b.nextFloat() * w.reduce((s, x) => s + x, 0), want = ids[ids.length - 1];
      for (let j = 0; j < ids.length; j++) { r -= w[j]; if (r <= 0) { want = ids[j]; break; } }
      expect(pickToken(z, { temperature: 0.9, topK: 20 }, a)).toBe(want);
    }
  });
});

describe('decoding loop', () => {
  // A model whose next token is always (last token + 1) mod 10.
  const gen = new ForwardGenerator(async (ids) => {
    const z = new Float32Array(10);
    z[(ids[ids.length - 1] + 1) % 10] = 5;
    return z;
  });
  const greedy = { temperature: 0, topK: 0, seed: 1 };

  it('stops at maxNewTokens, or before a stop token, which it leaves out', async () => {
    expect(await gen.generate([3], { ...greedy, maxNewTokens: 4 })).toEqual({ ids: [4, 5, 6, 7], reason: 'length' });
    expect(await gen.generate([3], { ...greedy, maxNewTokens: 9, stopIds: [6] })).toEqual({ ids: [4, 5], reason: 'stop' });
    expect(await gen.generate([3], { ...greedy, maxNewTokens: 0 })).toEqual({ ids: [], reason: 'length' });
  });

  it('ends after the current token once aborted, keeping what came, and tells each token as it comes', async () => {
    const abort = new AbortController(), heard: number[] = [];
    const r = await gen.generate([0], { ...greedy, maxNewTokens: 9, signal: abort.signal }, (id, ids) => {
      heard.push(id);
      if (ids.length === 2) abort.abort();
    });
    expect(r).toEqual({ ids: [1, 2], reason: 'cancelled' });
    expect(heard).toEqual([1, 2]);
    expect(await gen.generate([0], { ...greedy, maxNewTokens: 9, signal: abort.signal })).toEqual({ ids: [], reason: 'cancelled' });
  });
});

describe('which generator samples', () => {
  const kv: TokenGenerator = { maxLen: 16, generate: async () => ({ ids: [], reason: 'length' }) };
  const backend = (withCache: boolean) => ({
    nextLogits: async () => new Float32Array(4), ...(withCache ? { generator: async () => kv } : {}),
  }) as unknown as TrainBackend;

  it("is the backend's KV cache when the sample fits it, else a full forward per token", async () => {
    expect(await generatorFor(backend(true), 6, 10)).toBe(kv);
    expect(await generatorFor(backend(true), 6, 11)).toBeInstanceOf(ForwardGenerator);
    expect(await generatorFor(backend(false), 1, 1)).toBeInstanceOf(ForwardGenerator);
  });
});
