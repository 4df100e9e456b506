// `npm run eval`'s measure: mean next-token cross-entropy over a file's documents, each encoded as BOS
// followed by its tokens and truncated to the context length, averaged over every predicted token, with no
// packing across documents (each document is its own row, padded with ignored positions).
import type { Batch } from '../engine/engine';

export interface DocumentLossResult {
  readonly loss: number;
  readonly documents: number;
  readonly predictedTokens: number;
}

/** Rows of (inputs, targets) for documents already encoded as [BOS, ...tokens]. */
export function documentRows(docs: readonly number[][], seqLen: number): Batch {
  const n = docs.length * seqLen;
  const inputs = new Int32Array(n);
  const targets = new Int32Array(n).fill(-1);
  docs.forEach((ids, r) => {
    const s = ids.slice(0, seqLen + 1);  // T inputs predict up to T next tokens
    for (let i = 0; i + 1 < s.length && i < seqLen; i++) {
      inputs[r * seqLen + i] = s[i];
      targets[r * seqLen + i] = s[i + 1];
    }
  });
  return { inputs, targets };
}

/**
 * Streams documents through `forward` (per-position losses for batchSize rows of seqLen) in batches.
 * `seqLen` is the context length: a document of contextLength tokens (BOS included) has contextLength − 1
 * predicted tokens.
 */
export async function documentLoss(docs: AsyncIterable<number[]>, batchSize: number, contextLength: number,
  forward: (b: Batch) => Promise<Float32Array>): Promise<DocumentLossResult> {
  let sum = 0, count = 0, documents = 0;
  let pending: number[][] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const rows = [...pending];
    while (rows.length < batchSize) rows.push([]);
    // Truncate to contextLength tokens: contextLength − 1 predictions per document.
    const b = documentRows(rows.map((d) => d.slice(0, contextLength)), contextLength);
    const losses = await forward(b);
    for (let i = 0; i < b.targets.length; i++) if (b.targets[i] >= 0) { sum += losses[i]; count++; }
    pending = [];
  };
  for await (const ids of docs) {
    documents++;
    pending.push(ids);
    if (pending.length === batchSize) await flush();
  }
  await flush();
  return { loss: count > 0 ? sum / count : NaN, documents, predictedTokens: count };
}
