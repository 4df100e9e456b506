// The BPE merge list as a lookup table: (left id, right id) -> (rank, merged id). Encoding asks this table once or
// twice per symbol of every new word, so it is an open-addressing hash over typed arrays rather than a Map with
// string keys: no allocation per lookup, no string concatenation, and keys that are plain int32 pairs.

export class MergeTable {
  private readonly mask: number;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  /** rank of the merge in slot i (its index in tokenizer.json's merges list). */
  readonly rank: Int32Array;
  /** id of the token the merge in slot i produces. */
  readonly merged: Int32Array;
  readonly size: number;

  /**
   * pairs: [left0, right0, left1, right1, ...] in rank order; mergedIds[k]: the id pair k produces. When a pair
   * is listed twice the later rank wins, as in both Hugging Face implementations (they build a map from the list).
   */
  constructor(pairs: Int32Array, mergedIds: Int32Array) {
    const count = mergedIds.length;
    let cap = 16;
    while (cap < count * 2) cap *= 2;
    this.mask = cap - 1;
    this.left = new Int32Array(cap).fill(-1);
    this.right = new Int32Array(cap);
    this.rank = new Int32Array(cap);
    this.merged = new Int32Array(cap);
    let size = 0;
    for (let k = 0; k < count; k++) {
      const a = pairs[2 * k];
      const b = pairs[2 * k + 1];
      let s = this.hash(a, b);
      while (this.left[s] !== -1 && (this.left[s] !== a || this.right[s] !== b)) s = (s + 1) & this.mask;
      if (this.left[s] === -1) size++;
      this.left[s] = a;
      this.right[s] = b;
      this.rank[s] = k;
      this.merged[s] = mergedIds[k];
    }
    this.size = size;
  }

  private hash(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) & this.mask;
  }

  /** The slot holding merge (a, b), or -1 if the pair never merges. Negative ids (unknown symbols) never do. */
  find(a: number, b: number): number {
    if (a < 0 || b < 0) return -1;
    let s = this.hash(a, b);
    for (;;) {
      const l = this.left[s];
      if (l === -1) return -1;
      if (l === a && this.right[s] === b) return s;
      s = (s + 1) & this.mask;
    }
  }
}
