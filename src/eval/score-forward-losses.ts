// A Scorer over any forward pass that returns per-position losses for a fixed (B, T) batch, as
// Engine.forwardLosses does: each request is one row, left-truncated as the harness does
// ((context + continuation)[-(T + 1):][:-1] as inputs), its continuation's positions as the only targets,
// and loglik = −Σ of their losses. Per-position losses say nothing of the argmax, so isGreedy is always
// false here; the engine scorer in score-engine.ts, which reads logits, replaces this where it exists.
import type { Batch } from '../engine/engine';
import type { LoglikRequest, LoglikResult, Scorer } from './scorer';

export function forwardLossScorer(contextLength: number, batchSize: number,
                                  forward: (b: Batch) => Promise<Float32Array>): Scorer {
  const T = contextLength;
  return {
    contextLength,
    async score(requests: readonly LoglikRequest[], onProgress?: (done: number, total: number) => void): Promise<LoglikResult[]> {
      const out: LoglikResult[] = [];
      for (let start = 0; start < requests.length; start += batchSize) {
        const chunk = requests.slice(start, start + batchSize);
        const inputs = new Int32Array(batchSize * T);   // (B, T)
        const targets = new Int32Array(batchSize * T).fill(-1);
        const spans: [number, number][] = [];            // [first, end) flat positions of each continuation
        chunk.forEach((r, row) => {
          if (r.continuation.length === 0) throw new Error('a loglikelihood request needs at least one continuation token');
          const all = [...r.context, ...r.continuation];
          const window = all.slice(-(T + 1));
          const n = window.length - 1;                   // inputs of this row; targets are window[1..]
          for (let i = 0; i < n; i++) {
            inputs[row * T + i] = window[i];
            targets[row * T + i] = window[i + 1];
          }
          // The continuation's tokens are the last of the window (all of its targets if it is longer than T).
          const scored = Math.min(r.continuation.length, n);
          spans.push([row * T + n - scored, row * T + n]);
        });
        const losses = await forward({ inputs, targets });
        for (const [a, b] of spans) {
          let sum = 0;
          for (let i = a; i < b; i++) sum += losses[i];
          out.push({ loglik: -sum, isGreedy: false });
        }
        onProgress?.(out.length, requests.length);
      }
      return out;
    },
  };
}
