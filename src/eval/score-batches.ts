// Which requests run together: sorted longest first (as the harness does, so the first batch is the largest
// and a plan that does not fit fails at once), grouped into padded batches whose length is a power-of-two
// bucket. Buckets keep the set of graph shapes small (each shape is a planned graph, kept between batches)
// while a short request pays for at most twice its length, not for the whole context window.

export interface ScoreBatch {
  readonly seqLen: number;              // T: the padded length of every row
  readonly batchSize: number;           // B: rows in the graph (>= requests.length; the rest are padding)
  readonly requests: readonly number[]; // indices into the caller's list, one per row, longest first
}

/** The padded length for a row of n inputs: the smallest power of two >= max(n, minSeqLen), at most contextLength. */
export function bucketLength(n: number, minSeqLen: number, contextLength: number): number {
  let T = 1;
  while (T < Math.max(n, minSeqLen)) T *= 2;
  return Math.min(T, contextLength);
}

const nextPow2 = (n: number): number => { let p = 1; while (p < n) p *= 2; return p; };

/**
 * `lengths[i]`: inputs of request i. `rowsFor(T)`: the most rows a batch of length T may have (the memory
 * plan's answer). Every bucket fills full batches of that many rows; its last, partial batch runs in a graph
 * of the next power of two rows, so the padding rows it computes are fewer than the real ones.
 */
export function planBatches(lengths: readonly number[], contextLength: number, minSeqLen: number,
  rowsFor: (seqLen: number) => number): ScoreBatch[] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: ScoreBatch[] = [];
  for (let i = 0; i < order.length;) {
    const T = bucketLength(lengths[order[i]], minSeqLen, contextLength);
    let end = i;
    while (end < order.length && bucketLength(lengths[order[end]], minSeqLen, contextLength) === T) end++;
    const maxRows = rowsFor(T);
    if (!(maxRows >= 1)) throw new Error(`no batch of length ${T} fits (rowsFor gave ${maxRows})`);
    for (let j = i; j < end; j += maxRows) {
      const requests = order.slice(j, Math.min(end, j + maxRows));
      batches.push({ seqLen: T, batchSize: Math.min(maxRows, nextPow2(requests.length)), requests });
    }
    i = end;
  }
  return batches;
}
