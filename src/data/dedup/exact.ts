// Exact duplicates: the same normalized text (see words.ts) seen before, in any source. The key is a 53-bit
// hash of the word-hash sequence, one per record; a false match needs a collision (about 1 in 10^15 per pair).
import { hashRun53 } from './hash';

/** The key of a record's word hashes (see hash.ts wordHashes); computed apart from the check so a worker can. */
export function exactKey(wordHashes: Uint32Array): number {
  return hashRun53(wordHashes, 0, wordHashes.length);
}

export class ExactDedup {
  private readonly seen = new Map<number, number>();

  /** The id of the earlier record with the same word hashes, or -1 after registering `id` as new. */
  check(wordHashes: Uint32Array, id: number): number {
    return this.checkKey(exactKey(wordHashes), id);
  }

  /** As check, from the key exactKey gave. */
  checkKey(key: number, id: number): number {
    const first = this.seen.get(key);
    if (first !== undefined) return first;
    this.seen.set(key, id);
    return -1;
  }

  get size(): number {
    return this.seen.size;
  }
}
