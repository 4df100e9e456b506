// Exact duplicates: the same normalized text (see words.ts) seen before, in any source. One 53-bit key per
// kept record; a false match needs a 53-bit collision (about 1 in 10^15 per pair).
import { hashString53 } from './hash';

export class ExactDedup {
  private readonly seen = new Map<number, number>();

  /** The id of the earlier record with the same normalized words, or -1 after registering `id` as new. */
  check(words: readonly string[], id: number): number {
    const key = hashString53(words.join(' '));
    const first = this.seen.get(key);
    if (first !== undefined) return first;
    this.seen.set(key, id);
    return -1;
  }

  get size(): number {
    return this.seen.size;
  }
}
