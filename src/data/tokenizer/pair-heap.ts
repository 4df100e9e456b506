// A max-heap of (count, pair key) for the BPE trainer: the top is the most frequent pair, and among equal counts
// the smallest key (smallest left id, then smallest right id), which makes training deterministic. Entries go
// stale as counts change; the trainer checks each popped entry against the live count.

export class PairHeap {
  private counts = new Float64Array(1024);
  private keys = new Float64Array(1024);
  size = 0;

  push(count: number, key: number): void {
    if (this.size === this.counts.length) {
      const c = new Float64Array(this.size * 2);
      const k = new Float64Array(this.size * 2);
      c.set(this.counts);
      k.set(this.keys);
      this.counts = c;
      this.keys = k;
    }
    const counts = this.counts;
    const keys = this.keys;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(count, key, counts[p], keys[p])) break;
      counts[i] = counts[p];
      keys[i] = keys[p];
      i = p;
    }
    counts[i] = count;
    keys[i] = key;
  }

  /** Count of the top entry (call only when size > 0). */
  topCount(): number {
    return this.counts[0];
  }

  /** Key of the top entry (call only when size > 0). */
  topKey(): number {
    return this.keys[0];
  }

  pop(): void {
    const counts = this.counts;
    const keys = this.keys;
    const n = --this.size;
    const c = counts[n];
    const k = keys[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(counts[child + 1], keys[child + 1], counts[child], keys[child])) child++;
      if (!before(counts[child], keys[child], c, k)) break;
      counts[i] = counts[child];
      keys[i] = keys[child];
      i = child;
    }
    counts[i] = c;
    keys[i] = k;
  }
}

function before(c1: number, k1: number, c2: number, k2: number): boolean {
  return c1 > c2 || (c1 === c2 && k1 < k2);
}
