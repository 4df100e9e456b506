// MinHash signatures over word shingles. Permutation p of the 32-bit shingle hashes is fmix32(h ^ seed_p):
// the XOR and the finalizer are both bijections, and the finalizer's avalanche makes the orders under
// different seeds behave as independent for MinHash (the recall and false-match tests check this).
import { fmix32, hashRun32, wordHashes } from './hash';
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
    const seen = new Set<number>();
    for (let i = 0; i < count; i++) {
      const sh = hashRun32(wh, i, Math.min(wh.length, i + k));
      if (seen.has(sh)) continue; // a repeated shingle cannot change a minimum
      seen.add(sh);
      for (let p = 0; p < this.numPerm; p++) {
        const v = fmix32(sh ^ this.seeds[p]);
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
