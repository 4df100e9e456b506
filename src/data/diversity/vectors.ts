// Texts as hashed word n-gram vectors for topic clustering: unigrams and bigrams of the normalised words
// (words.ts, as dedup sees them) hashed into DIMS buckets, weighted 1 + log(tf) times the inverse document
// frequency measured on the source's sample, and scaled to unit length, so a dot product is a cosine and
// words every text shares ("the", "of") weigh almost nothing.
import { hashString32, mix32, fmix32 } from '../dedup/hash';
import { normalizedWords } from '../words';

/** Buckets: enough that a few thousand topic words rarely share one, small enough for dense centroids. */
export const DIMS = 4096;
/** Characters of a text looked at: topics show early, and this bounds the work per record. */
export const VECTOR_CHARS = 4000;

export interface SparseVector { idx: Uint32Array; val: Float32Array }

/** Bucket counts of a text's unigrams and bigrams. */
export function ngramCounts(text: string): Map<number, number> {
  const words = normalizedWords(text.slice(0, VECTOR_CHARS));
  const counts = new Map<number, number>();
  let prev = -1;
  for (const w of words) {
    const h = hashString32(w);
    const uni = h % DIMS;
    counts.set(uni, (counts.get(uni) ?? 0) + 1);
    if (prev >= 0) {
      const bi = fmix32(mix32(prev, h)) % DIMS;
      counts.set(bi, (counts.get(bi) ?? 0) + 1);
    }
    prev = h;
  }
  return counts;
}

/** Inverse document frequency per bucket from a sample's counts: log((1 + N) / (1 + df)) + 1, as scikit-learn's. */
export function idfOf(sample: readonly Map<number, number>[]): Float32Array {
  const df = new Uint32Array(DIMS);
  for (const c of sample) for (const k of c.keys()) df[k]++;
  const idf = new Float32Array(DIMS);
  for (let i = 0; i < DIMS; i++) idf[i] = Math.log((1 + sample.length) / (1 + df[i])) + 1;
  return idf;
}

export function vectorize(counts: Map<number, number>, idf: Float32Array): SparseVector {
  const keys = [...counts.keys()].sort((a, b) => a - b);
  const idx = Uint32Array.from(keys);
  const val = new Float32Array(keys.length);
  let norm = 0;
  for (let i = 0; i < keys.length; i++) {
    const v = (1 + Math.log(counts.get(keys[i])!)) * idf[keys[i]];
    val[i] = v;
    norm += v * v;
  }
  const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < val.length; i++) val[i] *= s;
  return { idx, val };
}

export function dot(v: SparseVector, dense: Float32Array, offset = 0): number {
  let s = 0;
  for (let i = 0; i < v.idx.length; i++) s += v.val[i] * dense[offset + v.idx[i]];
  return s;
}
