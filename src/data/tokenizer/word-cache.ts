// The per-word cache of a tokenizer: word -> ids. Words are looked up by a range of the text being encoded and a
// hash the caller computes while scanning it, so a hit costs no substring, no normalized copy of the text and no
// second pass to hash a string, which is most of the encoding time on a warm cache. A SentencePiece-style word
// may be read with ' ' as '▁' and a '▁' in front, which is how its normalizer would have written it.

const META = 0x2581;
const FNV_OFFSET = 0x811c9dc5 | 0;
const START_SLOTS = 1 << 12;
/** Past this many slots the cache is emptied instead of grown, bounding memory on endless distinct input. */
const MAX_SLOTS = 1 << 19;

/** FNV-1a step over one UTF-16 unit; a word's hash is the fold of this over its (normalized) units. */
export const hashStep = (h: number, c: number): number => Math.imul(h ^ c, 0x01000193);
export const HASH_START = FNV_OFFSET;

export function hashString(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = hashStep(h, s.charCodeAt(i));
  return h;
}

/** First slot for a hash: FNV's low bits mix poorly, so take the high bits of a multiplicative scramble. */
const firstSlot = (hash: number, shift: number): number => Math.imul(hash ^ (hash >>> 16), 0x9e3779b1) >>> shift;

export class WordCache {
  private mask = START_SLOTS - 1;
  private shift = 32 - Math.log2(START_SLOTS);
  /** Per slot: the word's hash, where its UTF-16 units start in the pool (-1: empty slot) and how many. */
  private hashes = new Int32Array(START_SLOTS);
  private starts = new Int32Array(START_SLOTS).fill(-1);
  private lengths = new Int32Array(START_SLOTS);
  private values: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(START_SLOTS).fill(undefined);
  /** The words themselves, kept as UTF-16 units in one typed array rather than as strings. */
  private pool = new Uint16Array(1 << 16);
  private poolUsed = 0;
  private count = 0;

  /** The ids of text[start, end) taken as is. */
  get(text: string, start: number, end: number, hash: number): Int32Array | undefined {
    const len = end - start;
    const pool = this.pool;
    for (let s = firstSlot(hash, this.shift); ; s = (s + 1) & this.mask) {
      const at = this.starts[s];
      if (at < 0) return undefined;
      if (this.hashes[s] !== hash || this.lengths[s] !== len) continue;
      let i = 0;
      while (i < len && pool[at + i] === text.charCodeAt(start + i)) i++;
      if (i === len) return this.values[s];
    }
  }

  /** The ids of text[start, end) read with ' ' as '▁', after one '▁' when prefix is set. */
  getMetaspace(text: string, start: number, end: number, prefix: boolean, hash: number): Int32Array | undefined {
    const off = prefix ? 1 : 0;
    const len = end - start + off;
    const pool = this.pool;
    for (let s = firstSlot(hash, this.shift); ; s = (s + 1) & this.mask) {
      const at = this.starts[s];
      if (at < 0) return undefined;
      if (this.hashes[s] !== hash || this.lengths[s] !== len || (prefix && pool[at] !== META)) continue;
      let i = off;
      for (; i < len; i++) {
        const c = text.charCodeAt(start + i - off);
        if (pool[at + i] !== (c === 32 ? META : c)) break;
      }
      if (i === len) return this.values[s];
    }
  }

  /** Stores the ids of key (hash must be hashString(key), computed over the same units as the lookups). */
  set(key: string, hash: number, ids: Int32Array): void {
    if (this.count * 2 >= this.starts.length) {
      if (this.starts.length >= MAX_SLOTS) this.clear(this.starts.length);
      else this.rehash(this.starts.length * 2);
    }
    if (this.poolUsed + key.length > this.pool.length) {
      const grown = new Uint16Array(Math.max(this.pool.length * 2, this.poolUsed + key.length));
      grown.set(this.pool.subarray(0, this.poolUsed));
      this.pool = grown;
    }
    const at = this.poolUsed;
    for (let i = 0; i < key.length; i++) this.pool[at + i] = key.charCodeAt(i);
    this.poolUsed += key.length;
    this.place(hash, at, key.length, ids);
  }

  private place(hash: number, at: number, len: number, ids: Int32Array): void {
    let s = firstSlot(hash, this.shift);
    while (this.starts[s] >= 0) s = (s + 1) & this.mask;
    this.hashes[s] = hash;
    this.starts[s] = at;
    this.lengths[s] = len;
    this.values[s] = ids;
    this.count++;
  }

  private clear(slots: number): void {
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    this.hashes = new Int32Array(slots);
    this.starts = new Int32Array(slots).fill(-1);
    this.lengths = new Int32Array(slots);
    this.values = new Array<Int32Array | undefined>(slots).fill(undefined);
    this.poolUsed = 0;
    this.count = 0;
  }

  /** Doubles the table, keeping every word (the pool stays as it is). */
  private rehash(slots: number): void {
    const { hashes, starts, lengths, values } = this;
    const used = this.poolUsed;
    this.clear(slots);
    this.poolUsed = used;
    for (let i = 0; i < starts.length; i++) if (starts[i] >= 0) this.place(hashes[i], starts[i], lengths[i], values[i]!);
  }
}
