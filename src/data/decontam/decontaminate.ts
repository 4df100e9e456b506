// HARE's decontamination rule. For a training sample t and a benchmark sample b, with word n-grams of size N:
//   benchmark coverage  = |ngrams(b) ∩ ngrams(t)| / |ngrams(b)|   (b pasted into a long document scores 1)
//   sample coverage     = |ngrams(b) ∩ ngrams(t)| / |ngrams(t)|   (t mostly copied from b)
//   repetition rate     = the larger of the two, maximised over the benchmark samples b
// t is removed when the rate is above maxRate (50%). Both rates compare t with one benchmark sample at a
// time: against the union of a large benchmark, common phrases ("one of the most") would cover much of a
// short sample at N = 4 without any item having leaked. N depends on t's length: short samples (up to the short
// cap) take N from shortN (4..8), growing with length; long ones from longN (10..15). A benchmark sample with
// fewer than N words has no n-grams at that size and cannot match. Strict mode also removes t when it shares
// any single strictN-gram (13) with a benchmark.
import type { RuleOptions } from '../rules/defaults';
import type { BenchmarkIndex } from './ngram-index';

export interface Contamination {
  /** The benchmark sample matched (the one covered most, or sharing most n-grams). */
  benchmark: number;
  rate: number;
  n: number;
  mode: 'benchmark-coverage' | 'sample-coverage' | 'strict';
}

/** The n-gram size for a sample of `estTokens` (estimated) tokens. */
export function chooseN(estTokens: number, d: RuleOptions['decontam'], len: RuleOptions['length']): number {
  if (estTokens <= len.shortMaxTokens) {
    const [a, b] = d.shortN;
    return a + Math.round((b - a) * Math.min(1, estTokens / len.shortMaxTokens));
  }
  const [a, b] = d.longN;
  const span = Math.max(1, len.longMaxTokens - len.shortMaxTokens);
  return a + Math.round((b - a) * Math.min(1, (estTokens - len.shortMaxTokens) / span));
}

/** Every n-gram size the rule can ask for, so the index holds exactly those. */
export function sizesNeeded(d: RuleOptions['decontam']): number[] {
  const sizes = new Set<number>();
  for (let n = d.shortN[0]; n <= d.shortN[1]; n++) sizes.add(n);
  for (let n = d.longN[0]; n <= d.longN[1]; n++) sizes.add(n);
  if (d.strict) sizes.add(d.strictN);
  return [...sizes].sort((a, b) => a - b);
}

export function checkContamination(words: Uint32Array, estTokens: number, index: BenchmarkIndex,
                                   d: RuleOptions['decontam'], len: RuleOptions['length']): Contamination | null {
  if (index.sampleCount === 0) return null;
  const n = chooseN(estTokens, d, len);
  const o = index.overlap(words, n);
  let best: Contamination | null = null;
  const better = (rate: number, b: number) => !best || rate > best.rate || (rate === best.rate && b < best.benchmark);
  for (const [b, count] of o.perBenchmark) {
    const benchRate = count / index.ngramsOf(b, n);
    const sampleRate = count / o.sampleNgrams;
    if (better(benchRate, b)) best = { benchmark: b, rate: benchRate, n, mode: 'benchmark-coverage' };
    if (better(sampleRate, b) && sampleRate > benchRate) best = { benchmark: b, rate: sampleRate, n, mode: 'sample-coverage' };
  }
  if (best && best.rate > d.maxRate) return best;
  if (d.strict) {
    const s = n === d.strictN ? o : index.overlap(words, d.strictN);
    let first = -1;
    for (const b of s.perBenchmark.keys()) if (first < 0 || b < first) first = b;
    if (first >= 0) {
      return { benchmark: first, rate: s.perBenchmark.get(first)! / index.ngramsOf(first, d.strictN), n: d.strictN, mode: 'strict' };
    }
  }
  return null;
}
