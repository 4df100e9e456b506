// The merge loop against the plainest possible BPE (merge the lowest-ranked adjacent pair, leftmost first, until
// none is left), on random merge lists and random words long enough to take both the scan and the heap path.
import { expect, test } from 'vitest';
import { BpeMerger } from '../../../src/data/tokenizer/bpe-merge';
import { MergeTable } from '../../../src/data/tokenizer/merge-table';

/** Deterministic pseudo-random numbers (mulberry32) so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function plainBpe(word: number[], ranks: Map<string, [number, number]>): number[] {
  const w = [...word];
  for (;;) {
    let best = Infinity;
    let at = -1;
    for (let i = 0; i + 1 < w.length; i++) {
      const r = ranks.get(`${w[i]},${w[i + 1]}`);
      if (r !== undefined && r[0] < best) {
        best = r[0];
        at = i;
      }
    }
    if (at < 0) return w;
    w.splice(at, 2, ranks.get(`${w[at]},${w[at + 1]}`)![1]);
  }
}

test.each([1, 2, 3, 4, 5])('scan and heap paths agree with plain BPE (seed %i)', (seed) => {
  const rnd = random(seed);
  const alphabet = 4 + Math.floor(rnd() * 6);
  let next = alphabet;
  const pairs: number[] = [];
  const merged: number[] = [];
  const ranks = new Map<string, [number, number]>();
  for (let k = 0; k < 300; k++) {
    const a = Math.floor(rnd() * next);
    const b = Math.floor(rnd() * next);
    const key = `${a},${b}`;
    if (ranks.has(key)) continue;
    ranks.set(key, [pairs.length / 2, next]);
    pairs.push(a, b);
    merged.push(next++);
  }
  const merger = new BpeMerger(new MergeTable(Int32Array.from(pairs), Int32Array.from(merged)));
  for (let trial = 0; trial < 300; trial++) {
    const len = 1 + Math.floor(rnd() * (trial % 3 === 0 ? 400 : 60));
    // Runs of repeated symbols make many equal-rank ties, the case where order matters.
    const word = Array.from({ length: len }, () => Math.floor(rnd() * (trial % 2 === 0 ? 2 : alphabet)));
    const buf = Int32Array.from(word);
    const n = merger.merge(buf, buf.length);
    expect(Array.from(buf.subarray(0, n))).toEqual(plainBpe(word, ranks));
  }
});

test('a pair listed twice keeps its later rank, as Hugging Face does', () => {
  // merges: (0,1)->3 at rank 0, (1,2)->4 at rank 1, (0,1)->3 again at rank 2
  const table = new MergeTable(Int32Array.from([0, 1, 1, 2, 0, 1]), Int32Array.from([3, 4, 3]));
  const buf = Int32Array.from([0, 1, 2]);
  const n = new BpeMerger(table).merge(buf, 3);
  expect(Array.from(buf.subarray(0, n))).toEqual([0, 4]);
});
