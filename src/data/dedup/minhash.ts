// MinHash signatures over word shingles. Each shingle is hashed once (hashRun32, fully mixed); permutation p
// is then v = h ^ seed_p, multiplied by an odd constant and folded (v ^ v >>> 16). XOR, odd multiply and fold
// are all bijections on 32 bits, and the high bits that decide a minimum depend on every bit of h ^ seed_p:
// one multiply per permutation instead of a full finalizer halves the cost, and the estimator test checks
// the signatures still estimate Jaccard without bias and with the binomial spread of independent permutations.
import { hashRun32, wordHashes } from './hash';
import { SplitMix32 } from '../rng';

export class MinHasher {
  private readonly seeds: Uint32Array;

  constructor(readonly numPerm: number, readonly shingleWords: number, seed = 0x5eed) {
    const rng = new SplitMix32(seed);
    this.seeds = new Uint32Array(numPerm);
    for (let p = 0; p < numPerm; p++) this.seeds[p] = rng.next();
  }

  /** The signature of a text's word hashes (see hash.ts); a text shorter than one shingle is one shingle. */
  signature(wh: Uint32Array): Uint32Array {
    const sig = new Uint32Array(this.numPerm).fill(0xffffffff);
    const k = this.shingleWords;
    const count = Math.max(1, wh.length - k + 1);
    const seeds = this.seeds;
    const n = this.numPerm;
    for (let i = 0; i < count; i++) {
      const sh = hashRun32(wh, i, Math.min(wh.length, i + k));
      for (let p = 0; p < n; p++) {
        // One multiply and a fold: a bijection whose high bits (which decide the minimum) depend on every
        // bit of the already well-mixed shingle hash xor the permutation's seed.
        let v = Math.imul(sh ^ seeds[p], 0x9e3779b1);
        v = (v ^ (v >>> 16)) >>> 0;
        if (v < sig[p]) sig[p] = v;
      }
    }
    return sig;
  }
}

/** The set of shingle hashes (for measuring true Jaccard similarity in tests and examples). */
export function shingleSet(words: readonly string[], k: number): Set<number> {
  const wh = wordHashes(words);
  const out = new Set<number>();
  const count = Math.max(1, wh.length - k + 1);
  for (let i = 0; i < count; i++) out.add(hashRun32(wh, i, Math.min(wh.length, i + k)));
  return out;
}

export function jaccard(a: Set<number>, b: Set<number>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 1 : inter / union;
}
