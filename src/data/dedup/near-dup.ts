// Near-duplicates: MinHash signatures banded for locality-sensitive hashing. A new record that shares a band
// with a kept one is a candidate; it is a duplicate when the share of equal signature values (the Jaccard
// estimate) clears the threshold less three standard errors, so a pair right at the threshold is caught
// with ~99.8% probability while a pair at Jaccard 0.5 passes the check about once in 10^5.
// Memory per kept record: the signature's low 16 bits (numPerm × 2 bytes; a chance 16-bit match biases the
// estimate by under 0.002%) plus one map entry per band.
// Cost stays near linear on templated data (many records sharing boilerplate fill the same buckets): a
// record is verified only against kept records it meets in at least two bands (with 20 bands of 5 rows a
// pair at Jaccard 0.8 does so with probability 0.996, a pair at 0.33 with 0.003), and each bucket is walked
// over its MAX_CHAIN most recent members only.
import { hashRun32 } from './hash';

export interface NearDupOptions {
  numPerm: number;
  bands: number;
  rows: number;
  threshold: number;
}

export interface NearDupMatch {
  /** Id of the kept record this one duplicates. */
  dupOf: number;
  /** Estimated Jaccard similarity from the signatures. */
  similarity: number;
}

/** Most recent members of one bucket a new record is compared with. */
export const MAX_CHAIN = 64;

export function verifyThreshold(o: NearDupOptions): number {
  const t = o.threshold;
  return Math.max(0, t - 3 * Math.sqrt((t * (1 - t)) / o.numPerm));
}

export class NearDupIndex {
  private readonly bandMaps: Map<number, number>[];
  // Bucket chains: chainNext[slot * bands + band] is the next kept slot in that bucket, or -1.
  private chainNext = new Int32Array(1024);
  private sigs = new Uint16Array(1024);
  private ids: number[] = [];
  private stamp = new Uint32Array(1024);
  private hitCount = new Uint16Array(1024);
  private queries = 0;
  readonly minSimilarity: number;
  /** Bands a candidate must share; one when there are too few bands for two to be likely. */
  readonly minBandHits: number;

  constructor(readonly opts: NearDupOptions) {
    this.bandMaps = Array.from({ length: opts.bands }, () => new Map<number, number>());
    this.minSimilarity = verifyThreshold(opts);
    this.minBandHits = opts.bands >= 10 ? 2 : 1;
  }

  /** Returns the match when `sig` duplicates a kept record; otherwise keeps it under `id` and returns null. */
  checkAndAdd(sig: Uint32Array, id: number): NearDupMatch | null {
    const { bands, rows, numPerm } = this.opts;
    const keys = new Array<number>(bands);
    // Band hits per kept slot, counted in typed arrays stamped with this query's number (no clearing).
    const query = ++this.queries;
    const touched: number[] = [];
    for (let b = 0; b < bands; b++) {
      keys[b] = hashRun32(sig, b * rows, (b + 1) * rows, b);
      let walked = 0;
      for (let slot = this.bandMaps[b].get(keys[b]) ?? -1; slot >= 0 && walked < MAX_CHAIN; slot = this.chainNext[slot * bands + b], walked++) {
        if (this.stamp[slot] !== query) { this.stamp[slot] = query; this.hitCount[slot] = 0; touched.push(slot); }
        this.hitCount[slot]++;
      }
    }
    let best: NearDupMatch | null = null;
    for (const slot of touched) {
      if (this.hitCount[slot] < this.minBandHits) continue;
      const sim = this.similarity(sig, slot);
      if (sim >= this.minSimilarity && (!best || sim > best.similarity || (sim === best.similarity && this.ids[slot] < best.dupOf))) {
        best = { dupOf: this.ids[slot], similarity: sim };
      }
    }
    if (best) return best;
    const slot = this.ids.length;
    this.ids.push(id);
    this.grow(slot + 1);
    for (let p = 0; p < numPerm; p++) this.sigs[slot * numPerm + p] = sig[p] & 0xffff;
    for (let b = 0; b < bands; b++) {
      const head = this.bandMaps[b].get(keys[b]);
      this.chainNext[slot * bands + b] = head ?? -1;
      this.bandMaps[b].set(keys[b], slot);
    }
    return null;
  }

  get size(): number {
    return this.ids.length;
  }

  private similarity(sig: Uint32Array, slot: number): number {
    const n = this.opts.numPerm;
    let same = 0;
    for (let p = 0; p < n; p++) if ((sig[p] & 0xffff) === this.sigs[slot * n + p]) same++;
    return same / n;
  }

  private grow(slots: number): void {
    const { bands, numPerm } = this.opts;
    if (slots > this.stamp.length) {
      const st = new Uint32Array(this.stamp.length * 2);
      st.set(this.stamp);
      this.stamp = st;
      const hc = new Uint16Array(this.hitCount.length * 2);
      hc.set(this.hitCount);
      this.hitCount = hc;
    }
    if (slots * numPerm > this.sigs.length) {
      const s = new Uint16Array(Math.max(slots * numPerm, this.sigs.length * 2));
      s.set(this.sigs);
      this.sigs = s;
    }
    if (slots * bands > this.chainNext.length) {
      const c = new Int32Array(Math.max(slots * bands, this.chainNext.length * 2));
      c.set(this.chainNext);
      this.chainNext = c;
    }
  }
}
