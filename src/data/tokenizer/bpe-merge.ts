// The BPE merge loop for one word. The rule every tokenizer.json implementation follows: repeatedly merge the
// adjacent pair with the lowest rank; among equal ranks, the leftmost. Short words (almost all of them) use a
// plain scan over an array of pair ranks, which beats a heap at that size; long words (a SentencePiece-style
// section with no spaces, a run of punctuation) use a binary heap of (rank, position) keys over a linked list, so
// the cost stays O(n log n). Both paths apply the same rule and give the same result.

import type { MergeTable } from './merge-table';

const NO_MERGE = 0x7fffffff;
/** Words up to this many symbols take the scan path. */
const SCAN_LIMIT = 48;
/** Heap key = rank * POS_SPAN + position: ranks below 2^21 and positions below 2^32 stay exact in a double. */
const POS_SPAN = 4294967296;

export class BpeMerger {
  private ranks = new Int32Array(SCAN_LIMIT);
  private slots = new Int32Array(SCAN_LIMIT);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private heap = new Float64Array(0);
  private heapSize = 0;

  constructor(private readonly table: MergeTable) {}

  /** Merges the symbol ids in ids[0..n) in place and returns how many remain. */
  merge(ids: Int32Array, n: number): number {
    if (n < 2) return n;
    return n <= SCAN_LIMIT ? this.mergeByScan(ids, n) : this.mergeByHeap(ids, n);
  }

  private mergeByScan(ids: Int32Array, n: number): number {
    const t = this.table;
    const ranks = this.ranks;
    const slots = this.slots;
    for (let i = 0; i < n - 1; i++) {
      const s = t.find(ids[i], ids[i + 1]);
      slots[i] = s;
      ranks[i] = s < 0 ? NO_MERGE : t.rank[s];
    }
    for (;;) {
      let best = NO_MERGE;
      let at = -1;
      for (let i = 0; i < n - 1; i++) {
        if (ranks[i] < best) {
          best = ranks[i];
          at = i;
        }
      }
      if (at < 0) return n;
      ids[at] = t.merged[slots[at]];
      for (let j = at + 1; j < n - 1; j++) ids[j] = ids[j + 1];
      for (let j = at + 1; j < n - 2; j++) {
        ranks[j] = ranks[j + 1];
        slots[j] = slots[j + 1];
      }
      n--;
      if (at > 0) {
        const s = t.find(ids[at - 1], ids[at]);
        slots[at - 1] = s;
        ranks[at - 1] = s < 0 ? NO_MERGE : t.rank[s];
      }
      if (at < n - 1) {
        const s = t.find(ids[at], ids[at + 1]);
        slots[at] = s;
        ranks[at] = s < 0 ? NO_MERGE : t.rank[s];
      }
    }
  }

  private mergeByHeap(ids: Int32Array, n: number): number {
    const t = this.table;
    if (this.prev.length < n) {
      this.prev = new Int32Array(n * 2);
      this.next = new Int32Array(n * 2);
    }
    const prev = this.prev;
    const next = this.next;
    this.heapSize = 0;
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    for (let i = 0; i < n - 1; i++) this.pushPair(i, ids[i], ids[i + 1]);
    while (this.heapSize > 0) {
      const key = this.pop();
      const rank = Math.floor(key / POS_SPAN);
      const pos = key - rank * POS_SPAN;
      // An entry is current when both symbols still exist and still form the pair of that rank; merged-away
      // symbols are marked with id -1 and positions of surviving (left) symbols never move.
      if (ids[pos] < 0) continue;
      const right = next[pos];
      if (right < 0) continue;
      const s = t.find(ids[pos], ids[right]);
      if (s < 0 || t.rank[s] !== rank) continue;
      ids[pos] = t.merged[s];
      ids[right] = -1;
      const after = next[right];
      next[pos] = after;
      if (after >= 0) prev[after] = pos;
      if (prev[pos] >= 0) this.pushPair(prev[pos], ids[prev[pos]], ids[pos]);
      if (after >= 0) this.pushPair(pos, ids[pos], ids[after]);
    }
    let w = 0;
    for (let i = 0; i >= 0; i = next[i]) ids[w++] = ids[i];
    return w;
  }

  private pushPair(pos: number, a: number, b: number): void {
    const s = this.table.find(a, b);
    if (s < 0) return;
    if (this.heapSize === this.heap.length) {
      const grown = new Float64Array(Math.max(64, this.heap.length * 2));
      grown.set(this.heap);
      this.heap = grown;
    }
    const h = this.heap;
    const key = this.table.rank[s] * POS_SPAN + pos;
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p] <= key) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = key;
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0];
    const last = h[--this.heapSize];
    const size = this.heapSize;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && h[c + 1] < h[c]) c++;
      if (h[c] >= last) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
    return top;
  }
}
