// An index of every word n-gram of every benchmark sample, for each n-gram size the rules can pick.
// Layout per size N: the (n-gram hash, sample) pairs sorted by hash, in two typed arrays (8 + 4 bytes a pair),
// so memory grows with the benchmarks' size only: about 12 bytes × benchmark words × sizes indexed.
// Hashes are 53 bits: a chance match against a million indexed n-grams is about 1 in 10^10 per lookup.
import { hashRun53 } from '../dedup/hash';

export interface BenchmarkSampleRef {
  /** Benchmark file and 1-based line (or row) of the sample. */
  file: string;
  line: number;
  excerpt: string;
}

interface SizeTable {
  keys: Float64Array;     // sorted n-gram hashes, one entry per (n-gram, sample)
  samples: Uint32Array;   // the sample holding keys[i]
  perSample: Uint32Array; // distinct n-grams of each sample at this size
}

/** Distinct 53-bit hashes of the n-grams of size n in a sequence of word hashes. */
export function ngramHashes(words: Uint32Array, n: number): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i + n <= words.length; i++) out.add(hashRun53(words, i, i + n));
  return out;
}

export class BenchmarkIndexBuilder {
  private readonly keys = new Map<number, number[]>();
  private readonly sampleOf = new Map<number, number[]>();
  private readonly perSample = new Map<number, number[]>();
  readonly refs: BenchmarkSampleRef[] = [];

  constructor(readonly sizes: readonly number[]) {
    for (const n of sizes) { this.keys.set(n, []); this.sampleOf.set(n, []); this.perSample.set(n, []); }
  }

  add(words: Uint32Array, ref: BenchmarkSampleRef): void {
    const id = this.refs.length;
    this.refs.push(ref);
    for (const n of this.sizes) {
      const grams = ngramHashes(words, n);
      const keys = this.keys.get(n)!;
      const samples = this.sampleOf.get(n)!;
      for (const g of grams) { keys.push(g); samples.push(id); }
      this.perSample.get(n)!.push(grams.size);
    }
  }

  build(): BenchmarkIndex {
    const tables = new Map<number, SizeTable>();
    for (const n of this.sizes) {
      const keys = this.keys.get(n)!;
      const samples = this.sampleOf.get(n)!;
      const order = new Uint32Array(keys.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      order.sort((a, b) => keys[a] - keys[b] || samples[a] - samples[b]);
      const t: SizeTable = {
        keys: new Float64Array(order.length),
        samples: new Uint32Array(order.length),
        perSample: Uint32Array.from(this.perSample.get(n)!),
      };
      for (let i = 0; i < order.length; i++) { t.keys[i] = keys[order[i]]; t.samples[i] = samples[order[i]]; }
      tables.set(n, t);
      this.keys.set(n, []); this.sampleOf.set(n, []); // let the build arrays go
    }
    return new BenchmarkIndex(tables, this.refs);
  }
}

/** How a training sample's n-grams meet the benchmarks at one size. */
export interface NgramOverlap {
  n: number;
  /** Distinct n-grams of the training sample. */
  sampleNgrams: number;
  /** Of those, how many occur in any benchmark sample. */
  matched: number;
  /** Per benchmark sample: how many of its n-grams the training sample holds. */
  perBenchmark: Map<number, number>;
}

/** An index's tables as plain typed arrays, for a worker (structured clone); the sample refs stay behind. */
export interface BenchmarkParts {
  tables: [number, SizeTable][];
  sampleCount: number;
}

export class BenchmarkIndex {
  readonly sampleCount: number;

  /** `sampleCount` is given when `refs` is left empty (a worker's copy: it reports sample ids, the pipeline names them). */
  constructor(private readonly tables: Map<number, SizeTable>, readonly refs: readonly BenchmarkSampleRef[], sampleCount = refs.length) {
    this.sampleCount = sampleCount;
  }

  static fromParts(p: BenchmarkParts): BenchmarkIndex {
    return new BenchmarkIndex(new Map(p.tables), [], p.sampleCount);
  }

  parts(): BenchmarkParts {
    return { tables: [...this.tables], sampleCount: this.sampleCount };
  }

  /** Indexed (n-gram, sample) pairs over all sizes: the memory measure. */
  get entries(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.keys.length;
    return n;
  }

  /** Distinct n-grams benchmark sample `id` has at size n. */
  ngramsOf(id: number, n: number): number {
    return this.table(n).perSample[id];
  }

  overlap(words: Uint32Array, n: number): NgramOverlap {
    const t = this.table(n);
    const grams = ngramHashes(words, n);
    const perBenchmark = new Map<number, number>();
    let matched = 0;
    for (const g of grams) {
      let i = lowerBound(t.keys, g);
      if (i >= t.keys.length || t.keys[i] !== g) continue;
      matched++;
      for (; i < t.keys.length && t.keys[i] === g; i++) {
        const s = t.samples[i];
        perBenchmark.set(s, (perBenchmark.get(s) ?? 0) + 1);
      }
    }
    return { n, sampleNgrams: grams.size, matched, perBenchmark };
  }

  private table(n: number): SizeTable {
    const t = this.tables.get(n);
    if (!t) throw new Error(`n-gram size ${n} was not indexed`);
    return t;
  }
}

function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}
