// Which positions a request scores (the harness's truncation rule) and how requests are batched.
import { describe, expect, it } from 'vitest';
import { bucketLength, planBatches } from '../../../src/eval/score-batches';
import { scoreRow } from '../../../src/eval/score-rows';

const arr = (a: Int32Array) => Array.from(a);

describe('scoreRow', () => {
  it('scores the continuation\'s tokens as the last targets', () => {
    const r = scoreRow({ context: [1, 2, 3], continuation: [4, 5] }, 8, 10);
    expect(arr(r.inputs)).toEqual([1, 2, 3, 4]);
    expect(arr(r.targets)).toEqual([2, 3, 4, 5]);
    expect(r.scoreFrom).toBe(2);   // targets 4, 5
  });

  it('left-truncates to the last contextLength + 1 tokens', () => {
    const r = scoreRow({ context: [1, 2, 3, 4, 5, 6], continuation: [7, 8] }, 4, 10);
    expect(arr(r.inputs)).toEqual([4, 5, 6, 7]);
    expect(arr(r.targets)).toEqual([5, 6, 7, 8]);
    expect(r.scoreFrom).toBe(2);
  });

  it('scores only what the window can predict when the continuation alone is longer', () => {
    const r = scoreRow({ context: [1], continuation: [2, 3, 4, 5, 6, 7] }, 3, 10);
    expect(arr(r.inputs)).toEqual([4, 5, 6]);
    expect(arr(r.targets)).toEqual([5, 6, 7]);
    expect(r.scoreFrom).toBe(0);
  });

  it('an empty context scores every continuation token after the first', () => {
    const r = scoreRow({ context: [], continuation: [3, 4, 5] }, 8, 10);
    expect(arr(r.inputs)).toEqual([3, 4]);
    expect(r.scoreFrom).toBe(0);
  });

  it('refuses requests with nothing to predict or tokens outside the vocabulary', () => {
    expect(() => scoreRow({ context: [1], continuation: [] }, 8, 10)).toThrow(/continuation/);
    expect(() => scoreRow({ context: [], continuation: [1] }, 8, 10)).toThrow(/BOS/);
    expect(() => scoreRow({ context: [1, 10], continuation: [2] }, 8, 10)).toThrow(/context token 10 at position 1/);
    expect(() => scoreRow({ context: [1], continuation: [-1] }, 8, 10)).toThrow(/continuation token -1/);
  });
});

describe('planBatches', () => {
  it('buckets lengths into powers of two and their halfway points within [minSeqLen, contextLength]', () => {
    expect([1, 16, 17, 24, 25, 33, 49, 65, 97, 128].map((n) => bucketLength(n, 16, 100)))
      .toEqual([16, 16, 24, 24, 32, 48, 64, 96, 100, 100]);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => bucketLength(n, 1, 64))).toEqual([1, 2, 3, 4, 6, 6, 8]);
  });

  it('runs every request once, longest first, full batches then one partial batch per bucket', () => {
    const lengths = [5, 40, 17, 3, 40, 33, 9, 16, 60, 20, 2];
    const plan = planBatches(lengths, 64, 8, () => 4);
    expect(plan.flatMap((b) => b.requests).sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    const order = plan.flatMap((b) => b.requests.map((i) => lengths[i]));
    expect(order).toEqual([...order].sort((a, b) => b - a));
    for (const b of plan) {
      expect(b.requests.length).toBeLessThanOrEqual(b.batchSize);
      for (const i of b.requests) expect(bucketLength(lengths[i], 8, 64)).toBe(b.seqLen);
    }
    // 64: [60]; 48: [40,40]; 48 holds 33 too; 24: [20,17]; 16: [16]; 12: [9]; 8: [5,3,2]
    expect(plan.map((b) => `${b.batchSize}x${b.seqLen}:${b.requests.length}`)).toEqual(
      ['4x64:1', '4x48:3', '4x24:2', '4x16:1', '4x12:1', '4x8:3']);
  });

  it('rounds a partial batch up to a multiple of four rows', () => {
    expect(planBatches(Array(21).fill(10), 16, 16, () => 8).map((b) => [b.batchSize, b.requests.length]))
      .toEqual([[8, 8], [8, 8], [8, 5]]);
    expect(planBatches(Array(11).fill(10), 16, 16, () => 16).map((b) => [b.batchSize, b.requests.length])).toEqual([[12, 11]]);
    expect(planBatches(Array(3).fill(10), 16, 16, () => 2).map((b) => [b.batchSize, b.requests.length])).toEqual([[2, 2], [2, 1]]);
  });
});
