// Seeded spherical k-means with k-means++ seeding over unit-length sparse vectors (vectors.ts): similarity is
// the cosine, a centroid is the normalised mean of its members. Deterministic for a seed: the seeding draws
// from Xoshiro128, ties go to the lower cluster, and the clusters are numbered by size (0 the largest).
import { Xoshiro128 } from '../rng';
import { DIMS, dot, type SparseVector } from './vectors';

export interface KMeansResult {
  /** (k, DIMS) unit-length centroids, row-major. */
  centroids: Float32Array;
  k: number;
  /** Cluster of each input vector. */
  assignment: Uint16Array;
  iterations: number;
}

/** Nearest centroid (highest cosine) and that cosine. */
export function nearest(v: SparseVector, centroids: Float32Array, k: number): { cluster: number; similarity: number } {
  let best = 0;
  let bestSim = -Infinity;
  for (let c = 0; c < k; c++) {
    const s = dot(v, centroids, c * DIMS);
    if (s > bestSim) { bestSim = s; best = c; }
  }
  return { cluster: best, similarity: bestSim };
}

function setCentroid(centroids: Float32Array, c: number, v: SparseVector): void {
  centroids.fill(0, c * DIMS, (c + 1) * DIMS);
  for (let i = 0; i < v.idx.length; i++) centroids[c * DIMS + v.idx[i]] = v.val[i];
}

export function kmeans(vectors: readonly SparseVector[], kWanted: number, seed: number, maxIterations = 30): KMeansResult {
  const n = vectors.length;
  const k = Math.max(1, Math.min(kWanted, n));
  const rng = new Xoshiro128(seed);
  const centroids = new Float32Array(k * DIMS);
  // k-means++: each next centre drawn with probability proportional to its squared distance (1 - cos) to the
  // nearest centre so far, so the centres start spread over the topics.
  const d2 = new Float64Array(n).fill(Infinity);
  let chosen = n > 0 ? rng.nextInt(n) : 0;
  for (let c = 0; c < k; c++) {
    if (n === 0) break;
    setCentroid(centroids, c, vectors[chosen]);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.max(0, 1 - dot(vectors[i], centroids, c * DIMS));
      if (d * d < d2[i]) d2[i] = d * d;
      total += d2[i];
    }
    if (c + 1 === k) break;
    if (total <= 0) { chosen = rng.nextInt(n); continue; }
    let r = rng.nextFloat() * total;
    chosen = n - 1;
    for (let i = 0; i < n; i++) { r -= d2[i]; if (r < 0) { chosen = i; break; } }
  }
  const assignment = new Uint16Array(n);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = iterations === 0;
    for (let i = 0; i < n; i++) {
      const c = nearest(vectors[i], centroids, k).cluster;
      if (c !== assignment[i]) { assignment[i] = c; changed = true; }
    }
    if (!changed) break;
    centroids.fill(0);
    const sizes = new Uint32Array(k);
    for (let i = 0; i < n; i++) {
      const c = assignment[i];
      sizes[c]++;
      const v = vectors[i];
      for (let j = 0; j < v.idx.length; j++) centroids[c * DIMS + v.idx[j]] += v.val[j];
    }
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) { setCentroid(centroids, c, vectors[farthest(vectors, centroids, assignment)]); continue; }
      let norm = 0;
      for (let j = c * DIMS; j < (c + 1) * DIMS; j++) norm += centroids[j] * centroids[j];
      const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = c * DIMS; j < (c + 1) * DIMS; j++) centroids[j] *= s;
    }
  }
  return renumberBySize({ centroids, k, assignment, iterations });
}

/** An empty cluster restarts at the vector least like its own centroid. */
function farthest(vectors: readonly SparseVector[], centroids: Float32Array, assignment: Uint16Array): number {
  let worst = 0;
  let worstSim = Infinity;
  for (let i = 0; i < vectors.length; i++) {
    const s = dot(vectors[i], centroids, assignment[i] * DIMS);
    if (s < worstSim) { worstSim = s; worst = i; }
  }
  return worst;
}

function renumberBySize(r: KMeansResult): KMeansResult {
  const sizes = new Array<number>(r.k).fill(0);
  for (const c of r.assignment) sizes[c]++;
  const order = [...sizes.keys()].sort((a, b) => sizes[b] - sizes[a] || a - b);
  const newId = new Uint16Array(r.k);
  order.forEach((old, i) => { newId[old] = i; });
  const centroids = new Float32Array(r.k * DIMS);
  order.forEach((old, i) => centroids.set(r.centroids.subarray(old * DIMS, (old + 1) * DIMS), i * DIMS));
  return { ...r, centroids, assignment: r.assignment.map((c) => newId[c]) };
}
