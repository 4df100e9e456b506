// Exact and near-duplicate detection. Near-duplicates are measured the way the issue states the target:
// recall at least 95% on pairs whose true shingle Jaccard is ≥ 0.8, at most 1% removals of pairs below 0.5.
import { describe, expect, it } from 'vitest';
import { ExactDedup } from '../../../src/data/dedup/exact';
import { wordHashes } from '../../../src/data/dedup/hash';
import { jaccard, MinHasher, shingleSet } from '../../../src/data/dedup/minhash';
import { NearDupIndex, verifyThreshold } from '../../../src/data/dedup/near-dup';
import { DEFAULT_RULES } from '../../../src/data/rules/defaults';
import { normalizedWords } from '../../../src/data/words';
import { rng } from './helpers';

const opts = DEFAULT_RULES.nearDedup;

function vocabulary(rand: () => number, size: number): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: size }, () => Array.from({ length: 3 + Math.floor(rand() * 7) }, () => letters[Math.floor(rand() * 26)]).join(''));
}

/** Applies `edits` random word substitutions, insertions and deletions. */
function edit(words: string[], edits: number, vocab: string[], rand: () => number): string[] {
  const out = words.slice();
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * out.length);
    const kind = rand();
    const w = vocab[Math.floor(rand() * vocab.length)];
    if (kind < 0.6) out[at] = w; else if (kind < 0.8) out.splice(at, 0, w); else out.splice(at, 1);
  }
  return out;
}

describe('exact duplicates', () => {
  it('ignore case, spacing and punctuation, and remember the first id', () => {
    const d = new ExactDedup();
    const key = (t: string) => wordHashes(normalizedWords(t));
    expect(d.check(key('Call me Ishmael. Some years ago...'), 0)).toBe(-1);
    expect(d.check(key('call me   ishmael -- some YEARS ago'), 1)).toBe(0);
    expect(d.check(key('Call me Ishmael. Some years ago, never mind.'), 2)).toBe(-1);
    expect(d.size).toBe(2);
  });
});

describe('near duplicates (MinHash + LSH)', () => {
  it('the verification threshold sits three standard errors under the target', () => {
    expect(verifyThreshold(opts)).toBeCloseTo(0.8 - 3 * Math.sqrt(0.16 / 128), 10);
  });

  it(`recall ≥ 95% at Jaccard ≥ 0.8 and ≤ 1% false removals below 0.5`, () => {
    const rand = rng(7);
    const vocab = vocabulary(rand, 20000);
    const hasher = new MinHasher(opts.numPerm, opts.shingleWords);
    const index = new NearDupIndex(opts);
    const bases: string[][] = [];
    for (let i = 0; i < 600; i++) {
      const len = 80 + Math.floor(rand() * 300);
      bases.push(Array.from({ length: len }, () => vocab[Math.floor(rand() * vocab.length)]));
    }
    // Unrelated documents never match each other.
    bases.forEach((b, i) => expect(index.checkAndAdd(hasher.signature(wordHashes(b)), i)).toBeNull());

    const high: { j: number; hit: boolean; right: boolean }[] = [];
    const low: { j: number; hit: boolean }[] = [];
    let id = bases.length;
    for (let round = 0; round < 4; round++) {
      bases.forEach((b, i) => {
        const shingles = b.length - opts.shingleWords + 1;
        // Edit counts spread so true Jaccard lands on both sides of the thresholds.
        const nearEdits = 1 + Math.floor(rand() * shingles * 0.05);
        const farEdits = Math.floor(shingles * (0.1 + rand() * 0.4));
        for (const edits of [nearEdits, farEdits]) {
          const v = edit(b, edits, vocab, rand);
          const j = jaccard(shingleSet(b, opts.shingleWords), shingleSet(v, opts.shingleWords));
          const m = index.checkAndAdd(hasher.signature(wordHashes(v)), id++);
          if (j >= 0.8) high.push({ j, hit: m !== null, right: m?.dupOf === i });
          else if (j < 0.5) low.push({ j, hit: m !== null });
        }
      });
    }
    const recall = high.filter((h) => h.hit).length / high.length;
    const edge = high.filter((h) => h.j < 0.85);
    const edgeRecall = edge.filter((h) => h.hit).length / edge.length;
    const falseRate = low.filter((l) => l.hit).length / low.length;
    console.log(`near-dup: ${high.length} pairs J≥0.8 (recall ${(recall * 100).toFixed(2)}%, ${edge.length} in [0.8,0.85): ${(edgeRecall * 100).toFixed(2)}%), ` +
      `${low.length} pairs J<0.5 (false removals ${(falseRate * 100).toFixed(2)}%)`);
    expect(high.length).toBeGreaterThan(1000);
    expect(edge.length).toBeGreaterThan(100);
    expect(low.length).toBeGreaterThan(1000);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(edgeRecall).toBeGreaterThanOrEqual(0.95);
    expect(high.filter((h) => h.hit).every((h) => h.right)).toBe(true);
    expect(falseRate).toBeLessThanOrEqual(0.01);
  });

  it('signatures estimate Jaccard without bias, with the spread of independent permutations', () => {
    const rand = rng(11);
    const vocab = vocabulary(rand, 5000);
    const hasher = new MinHasher(opts.numPerm, opts.shingleWords);
    let sumErr = 0;
    let sumSq = 0;
    let sumVar = 0;
    const pairs = 1500;
    for (let i = 0; i < pairs; i++) {
      const a = Array.from({ length: 100 + Math.floor(rand() * 200) }, () => vocab[Math.floor(rand() * vocab.length)]);
      const b = edit(a, Math.floor(rand() * a.length * 0.3), vocab, rand);
      const j = jaccard(shingleSet(a, opts.shingleWords), shingleSet(b, opts.shingleWords));
      const sa = hasher.signature(wordHashes(a));
      const sb = hasher.signature(wordHashes(b));
      let same = 0;
      for (let p = 0; p < opts.numPerm; p++) if (sa[p] === sb[p]) same++;
      const err = same / opts.numPerm - j;
      sumErr += err;
      sumSq += err * err;
      sumVar += (j * (1 - j)) / opts.numPerm;
    }
    const bias = sumErr / pairs;
    const rmsRatio = Math.sqrt(sumSq / sumVar);
    console.log(`minhash estimate: bias ${bias.toFixed(4)}, spread ${rmsRatio.toFixed(3)} × binomial`);
    expect(Math.abs(bias)).toBeLessThan(0.005);
    expect(rmsRatio).toBeGreaterThan(0.85);
    expect(rmsRatio).toBeLessThan(1.15);
  });

  it('keeps the first of a group and points every later copy at it', () => {
    const hasher = new MinHasher(opts.numPerm, opts.shingleWords);
    const index = new NearDupIndex(opts);
    const words = 'it was the best of times it was the worst of times it was the age of wisdom it was the age of foolishness'.split(' ');
    expect(index.checkAndAdd(hasher.signature(wordHashes(words)), 10)).toBeNull();
    const copy = words.slice(); copy[3] = 'most';
    expect(index.checkAndAdd(hasher.signature(wordHashes(copy)), 11)?.dupOf).toBe(10);
    expect(index.checkAndAdd(hasher.signature(wordHashes(words)), 12)?.dupOf).toBe(10);
    expect(index.size).toBe(1);
  });

  it('gives the same signatures for the same seed and different ones for another', () => {
    const w = wordHashes('a b c d e f g h i j'.split(' '));
    expect(new MinHasher(16, 3).signature(w)).toEqual(new MinHasher(16, 3).signature(w));
    expect(new MinHasher(16, 3, 99).signature(w)).not.toEqual(new MinHasher(16, 3).signature(w));
  });
});
