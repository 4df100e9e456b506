// Small, fast, seeded non-cryptographic hashes (MurmurHash3's mixing steps on UTF-16 code units), the same
// in every JavaScript engine. Used for duplicate keys, shingles, n-grams and the validation split.

/** MurmurHash3's 32-bit finalizer: a bijection on 32-bit integers with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds one 32-bit value into a running hash (MurmurHash3's body step). */
export function mix32(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** 32-bit hash of a string's UTF-16 code units. */
export function hashString32(s: string, seed = 0): number {
  let h = seed | 0;
  let i = 0;
  for (; i + 1 < s.length; i += 2) h = mix32(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < s.length) h = mix32(h, s.charCodeAt(i));
  return fmix32(h ^ s.length);
}

const TWO_32 = 4294967296;

/** A 53-bit hash of a run of 32-bit values (word hashes), for n-grams. */
export function hashRun53(values: ArrayLike<number>, start: number, end: number): number {
  let a = 0x2545f491;
  let b = 0x3c6ef372;
  for (let i = start; i < end; i++) {
    a = mix32(a, values[i]);
    b = mix32(b, values[i] ^ 0x7f4a7c15);
  }
  const n = end - start;
  return (fmix32(a ^ n) & 0x1fffff) * TWO_32 + fmix32(b ^ (n * 0x9e3779b9));
}

/** A 32-bit hash of a run of 32-bit values, for shingles. */
export function hashRun32(values: ArrayLike<number>, start: number, end: number, seed = 0): number {
  let h = seed | 0;
  for (let i = start; i < end; i++) h = mix32(h, values[i]);
  return fmix32(h ^ (end - start));
}

/** 32-bit hashes of each word. */
export function wordHashes(words: readonly string[]): Uint32Array {
  const out = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i++) out[i] = hashString32(words[i]);
  return out;
}
