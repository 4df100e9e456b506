// Topic clusters per source (HARE's semantic diversity), between pass 1 and the tokenizer. Pass 1 wrote its
// records to UNCLUSTERED_FILE; this reads it three times, streaming:
//   1. a seeded reservoir sample per source (up to sampleSize records) -> IDF, k-means++ (kmeans.ts)
//   2. every record assigned to its nearest centroid: its cluster and estimated tokens kept (6 bytes a record)
//   3. cleaned.jsonl written with `_cluster` on every line, less the records a cap or flattening leaves out
//      (balance.ts says how and why)
// and reports each cluster's size, top words and the records nearest its centre.
import { cleanedText, CLEANED_FILE } from '../cleaned-record';
import { byteLines } from '../read/lines';
import { excerpt } from '../report';
import { hashUnit, Xoshiro128 } from '../rng';
import { utf8Length } from '../rules/length';
import type { DataStore } from '../store';
import { normalizedWords } from '../words';
import { hashString32 } from '../dedup/hash';
import { clusterTargets } from './balance';
import { kmeans, nearest } from './kmeans';
import { DIMS, idfOf, ngramCounts, vectorize, type SparseVector } from './vectors';

export const UNCLUSTERED_FILE = 'cleaned.unclustered.jsonl';
/** Salt of the hash that orders a cluster's records for down-sampling (apart from the validation split's). */
export const CLUSTER_SALT = 0x636c7573;

export interface DiversityOptions {
  /** Clusters per source (k of k-means). */
  clusters: number;
  /** No cluster above this share of its source's (estimated) tokens; see balance.ts. */
  cap?: number;
  /** 0 = every cluster the same share, 1 = shares as found; see balance.ts. */
  flatten?: number;
  /** Records per source the clusters are fitted on (default 4000); all records are then assigned. */
  sampleSize?: number;
}

export const DIVERSITY_DEFAULTS = { sampleSize: 4000, examples: 3, terms: 6, maxClusters: 256 } as const;

export interface ClusterRow {
  cluster: number;
  docs: number;
  estTokens: number;
  /** estTokens / the source's estTokens, before down-sampling. */
  share: number;
  keptDocs: number;
  keptEstTokens: number;
  /** After down-sampling: what the packer gets from this cluster, as a share of the source's kept tokens. */
  keptShare: number;
  /** The highest-weighted words (count x (IDF - 1)) of the sampled members. */
  terms: string[];
  /** Sampled members most like the centroid. */
  examples: string[];
}

export interface SourceClusters {
  source: string;
  sampled: number;
  iterations: number;
  docs: number;
  keptDocs: number;
  estTokens: number;
  keptEstTokens: number;
  clusters: ClusterRow[];
}

export interface DiversityReport {
  clusters: number;
  cap: number | null;
  flatten: number | null;
  sampleSize: number;
  /** What the cap or flattening did, in words (also printed by the CLI). */
  method: string;
  sources: SourceClusters[];
}

export function checkDiversity(o: DiversityOptions): void {
  const fail = (m: string) => { throw new Error(`invalid pipeline options: diversity.${m}`); };
  if (!(Number.isInteger(o.clusters) && o.clusters >= 1 && o.clusters <= DIVERSITY_DEFAULTS.maxClusters)) fail(`clusters must be an integer in 1..${DIVERSITY_DEFAULTS.maxClusters}`);
  if (o.cap !== undefined && !(o.cap > 0 && o.cap <= 1)) fail('cap must be in (0, 1]');
  if (o.flatten !== undefined && !(o.flatten >= 0 && o.flatten <= 1)) fail('flatten must be in [0, 1]');
  if (o.sampleSize !== undefined && !(Number.isInteger(o.sampleSize) && o.sampleSize >= 1)) fail('sampleSize must be a positive integer');
}

export interface ClusterPassInput {
  store: DataStore;
  sources: readonly { name: string; textKey: string }[];
  options: DiversityOptions;
  seed: number;
  bytesPerToken: number;
  exampleChars: number;
  maxLineBytes: number;
  signal?: AbortSignal;
}

interface Line { source: number; obj: Record<string, unknown>; text: string }

async function* lines(inp: ClusterPassInput): AsyncGenerator<Line> {
  const byName = new Map(inp.sources.map((s, i) => [s.name, i]));
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for await (const l of byteLines(await inp.store.readStream(UNCLUSTERED_FILE), inp.maxLineBytes)) {
    if (l.bytes === null) throw new Error(`${UNCLUSTERED_FILE}:${l.line}: line over ${inp.maxLineBytes} bytes`);
    if (l.bytes.length === 0) continue;
    inp.signal?.throwIfAborted();
    const obj = JSON.parse(utf8.decode(l.bytes)) as Record<string, unknown>;
    const source = byName.get(String(obj._source));
    if (source === undefined) throw new Error(`${UNCLUSTERED_FILE}:${l.line}: unknown source ${String(obj._source)}`);
    yield { source, obj, text: cleanedText(obj, inp.sources[source].textKey) };
  }
}

interface Fitted { centroids: Float32Array; k: number; idf: Float32Array; iterations: number; sample: string[]; sampleVectors: SparseVector[]; sampleClusters: Uint16Array }

export async function clusterPass(inp: ClusterPassInput): Promise<DiversityReport> {
  const o = inp.options;
  const sampleSize = o.sampleSize ?? DIVERSITY_DEFAULTS.sampleSize;
  const nSources = inp.sources.length;

  // 1. Reservoir samples (algorithm R), one seeded generator per source.
  const reservoirs: string[][] = inp.sources.map(() => []);
  const seen = new Array<number>(nSources).fill(0);
  const rngs = inp.sources.map((s) => new Xoshiro128((hashUnit(inp.seed, CLUSTER_SALT, hashString32(s.name)) * 4294967296) >>> 0));
  for await (const l of lines(inp)) {
    const n = seen[l.source]++;
    const r = reservoirs[l.source];
    if (n < sampleSize) r.push(l.text.slice(0, 4000));
    else { const j = rngs[l.source].nextInt(n + 1); if (j < sampleSize) r[j] = l.text.slice(0, 4000); }
  }
  const fitted: Fitted[] = reservoirs.map((sample, si) => {
    const counts = sample.map(ngramCounts);
    const idf = idfOf(counts);
    const vectors = counts.map((c) => vectorize(c, idf));
    const km = kmeans(vectors, o.clusters, hashUnit(inp.seed, CLUSTER_SALT, si) * 4294967296 >>> 0);
    return { centroids: km.centroids, k: km.k, idf, iterations: km.iterations, sample, sampleVectors: vectors, sampleClusters: km.assignment };
  });

  // 2. Every record's cluster and estimated tokens.
  const total = seen.reduce((a, b) => a + b, 0);
  const cluster = new Uint16Array(total);
  const tokens = new Uint32Array(total);
  const clusterTokens = fitted.map((f) => new Array<number>(f.k).fill(0));
  const clusterDocs = fitted.map((f) => new Array<number>(f.k).fill(0));
  const indexInSource = new Uint32Array(total);
  const lineSource = new Uint16Array(total);
  {
    const counters = new Array<number>(nSources).fill(0);
    let i = 0;
    for await (const l of lines(inp)) {
      const f = fitted[l.source];
      const c = nearest(vectorize(ngramCounts(l.text), f.idf), f.centroids, f.k).cluster;
      const t = Math.ceil(utf8Length(l.text) / inp.bytesPerToken);
      cluster[i] = c; tokens[i] = t; lineSource[i] = l.source; indexInSource[i] = counters[l.source]++;
      clusterTokens[l.source][c] += t;
      clusterDocs[l.source][c]++;
      i++;
    }
  }

  // Down-sampling: per cluster, records in hash order kept while the cluster's target allows.
  const keep = new Uint8Array(total).fill(1);
  const balancing = o.cap !== undefined || o.flatten !== undefined;
  if (balancing) {
    const targets = clusterTokens.map((t) => clusterTargets(t, { cap: o.cap, flatten: o.flatten }));
    // Members of each cluster that must shrink, gathered in one scan.
    const members = new Map<number, number[]>();
    const key = (si: number, c: number) => si * 65536 + c;
    for (let si = 0; si < nSources; si++) {
      for (let c = 0; c < fitted[si].k; c++) if (targets[si][c] < clusterTokens[si][c]) members.set(key(si, c), []);
    }
    for (let i = 0; i < total; i++) members.get(key(lineSource[i], cluster[i]))?.push(i);
    for (const [k, list] of members) {
      const si = Math.floor(k / 65536);
      const target = targets[si][k % 65536];
      const h = list.map((i) => hashUnit(inp.seed, CLUSTER_SALT, si, indexInSource[i]));
      const order = list.map((_, j) => j).sort((a, b) => h[a] - h[b] || a - b);
      let used = 0;
      for (const j of order) {
        const i = list[j];
        if (used + tokens[i] <= target) used += tokens[i];
        else keep[i] = 0;
      }
    }
  }

  // 3. cleaned.jsonl with the cluster of each record.
  const keptTokens = fitted.map((f) => new Array<number>(f.k).fill(0));
  const keptDocs = fitted.map((f) => new Array<number>(f.k).fill(0));
  const out = await inp.store.writer(CLEANED_FILE);
  try {
    let i = 0;
    for await (const l of lines(inp)) {
      if (keep[i]) {
        l.obj._cluster = cluster[i];
        await out.write(`${JSON.stringify(l.obj)}\n`);
        keptTokens[l.source][cluster[i]] += tokens[i];
        keptDocs[l.source][cluster[i]]++;
      }
      i++;
    }
  } finally {
    await out.close();
  }
  await inp.store.remove(UNCLUSTERED_FILE);

  const sources = inp.sources.map((s, si): SourceClusters => {
    const f = fitted[si];
    const est = sum(clusterTokens[si]);
    const kept = sum(keptTokens[si]);
    return {
      source: s.name, sampled: f.sample.length, iterations: f.iterations, docs: sum(clusterDocs[si]), keptDocs: sum(keptDocs[si]),
      estTokens: est, keptEstTokens: kept,
      clusters: clusterTokens[si].map((t, c) => ({
        cluster: c, docs: clusterDocs[si][c], estTokens: t, share: ratio(t, est),
        keptDocs: keptDocs[si][c], keptEstTokens: keptTokens[si][c], keptShare: ratio(keptTokens[si][c], kept),
        terms: topTerms(f, c, DIVERSITY_DEFAULTS.terms), examples: examples(f, c, DIVERSITY_DEFAULTS.examples, inp.exampleChars),
      })),
    };
  });
  return {
    clusters: o.clusters, cap: o.cap ?? null, flatten: o.flatten ?? null, sampleSize, method: describe(o), sources,
  };
}

function describe(o: DiversityOptions): string {
  const what = [o.flatten !== undefined ? `cluster shares flattened to tokens^${o.flatten}` : '',
    o.cap !== undefined ? `no cluster above ${(o.cap * 100).toFixed(1)}% of its source's tokens` : ''].filter(Boolean).join(', then ');
  if (!what) return 'clusters reported only; every record kept';
  return `${what}: within each source, records down-sampled (never repeated), chosen per cluster in seeded hash order; the source's weight in the mixture is unchanged`;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1e4) / 1e4 : 0);

function topTerms(f: Fitted, c: number, n: number): string[] {
  const score = new Map<string, number>();
  for (let i = 0; i < f.sample.length; i++) {
    if (f.sampleClusters[i] !== c) continue;
    for (const w of normalizedWords(f.sample[i])) score.set(w, (score.get(w) ?? 0) + f.idf[hashString32(w) % DIMS] - 1);
  }
  // IDF - 1 is 0 for a word in every sampled text ("the"), so frequent function words drop out; very short
  // words and numbers are rarely topical.
  return [...score.entries()].filter(([w, sc]) => sc > 0 && w.length > 2 && !/^\d+$/.test(w))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([w]) => w);
}

function examples(f: Fitted, c: number, n: number, chars: number): string[] {
  const members: { i: number; s: number }[] = [];
  for (let i = 0; i < f.sample.length; i++) {
    if (f.sampleClusters[i] === c) members.push({ i, s: dotCentroid(f, i, c) });
  }
  return members.sort((a, b) => b.s - a.s || a.i - b.i).slice(0, n).map((m) => excerpt(f.sample[m.i], chars));
}

function dotCentroid(f: Fitted, i: number, c: number): number {
  const v = f.sampleVectors[i];
  let s = 0;
  for (let j = 0; j < v.idx.length; j++) s += v.val[j] * f.centroids[c * DIMS + v.idx[j]];
  return s;
}
