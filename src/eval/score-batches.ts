// Which requests run together: sorted longest first (as the harness does, so the first batch is the largest
// and a plan that does not fit fails at once), grouped into padded batches whose length is a bucket: a power
// of two or one and a half times one (16, 24, 32, 48, 64, ...). Buckets keep the set of graph shapes small
// (each shape is a planned graph, kept between batches) while a row pays for at most a third more positions
// than it has, not for the whole context window.

export interface ScoreBatch {
  readonly seqLen: number;              // T: the padded length of every row
  readonly batchSize: number;           // B: rows in the graph (>= requests.length; the rest are padding)
  readonly requests: readonly number[]; // indices into the caller's list, one per row, longest first
}

/** The padded length for a row of n inputs: the smallest bucket >= max(n, minSeqLen), at most contextLength. */
export function bucketLength(n: number, minSeqLen: number, contextLength: number): number {
  const want = Math.max(n, minSeqLen);
  let T = 1;
  while (T < want) T *= 2;
  if (T >= 4 && (3 * T) / 4 >= want) T = (3 * T) / 4;
  return Math.min(T, contextLength);
}

/** Rows of a partial batch are rounded up to a multiple of this, so one bucket needs few graph shapes. */
export const ROW_STEP = 4;

/**
 * `lengths[i]`: inputs of request i. `rowsFor(T)`: the most rows a batch of length T may have (the memory
 * plan's answer). Every bucket fills full batches of that many rows; its last, partial batch runs in a graph
 * of its row count rounded up to ROW_STEP, so it computes at most ROW_STEP - 1 padding rows.
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
      batches.push({ seqLen: T, batchSize: Math.min(maxRows, Math.ceil(requests.length / ROW_STEP) * ROW_STEP), requests });
    }
    i = end;
  }
  return batches;
}
