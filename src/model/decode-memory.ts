// Memory of a KV-cache generator, planned up front like memory.ts's training tables: the cache (each layer's
// keys after RoPE and its values, (KV, L, D) for a planned max length L) and the activations of the two step
// graphs, prefill (a chunk of R prompt rows) and decode (one row). Forward only, so one set of activation
// buffers serves every layer in turn. The generator allocates exactly these tables.
import { headDim, type ModelConfig } from './config';
import { formatBytes, type AdapterLimits, type TensorEntry } from './memory';

export interface DecodePlan {
  readonly maxLen: number;       // L: positions the cache holds (prompt + new tokens)
  readonly prefillRows: number;  // R: prompt rows run at once
}

/** Per layer: keys (after RoPE) and values, (KV, L, D) each. */
export function kvCacheTable(c: ModelConfig, maxLen: number): TensorEntry[] {
  const n = c.nKvHeads * maxLen * headDim(c);
  const t: TensorEntry[] = [];
  for (let l = 0; l < c.nLayers; l++) t.push({ name: `k_cache.${l}`, numel: n }, { name: `v_cache.${l}`, numel: n });
  return t;
}

/** One step graph's activations for R rows; layer l reads and overwrites the same buffers as layer l - 1. */
export function decodeStepTable(c: ModelConfig, rows: number): TensorEntry[] {
  const R = rows, C = c.dim, F = c.hiddenDim, D = headDim(c);
  const HD = c.nHeads * D, KVD = c.nKvHeads * D;
  return [
    { name: 'inputs', numel: R },                                  // (R) token ids
    { name: 'rope.cos', numel: R * D / 2 }, { name: 'rope.sin', numel: R * D / 2 }, // (R, D/2) rows of this call's positions
    { name: 'x', numel: R * C }, { name: 'xmid', numel: R * C },   // residual stream before / after attention
    { name: 'xn', numel: R * C }, { name: 'rstd', numel: R },      // a norm's output (both norms of a layer)
    { name: 'q', numel: R * HD }, { name: 'k', numel: R * KVD }, { name: 'v', numel: R * KVD },
    { name: 'att', numel: R * HD }, { name: 'proj', numel: R * C },
    { name: 'gate', numel: R * F }, { name: 'up', numel: R * F }, { name: 'act', numel: R * F },
    { name: 'xlast', numel: C },                                   // the residual of the last real row
    { name: 'xf', numel: C }, { name: 'rstdf', numel: 1 },
    { name: 'logits', numel: c.vocabSize },                        // (V): only the last position's
  ];
}

export interface DecodeMemory {
  readonly cacheBytes: number;
  readonly activationBytes: number;  // both step graphs
  readonly total: number;            // cache + activations (the weights are the engine's)
  /** Empty when the plan fits; otherwise one sentence per problem. */
  readonly problems: readonly string[];
}

export function decodeMemory(c: ModelConfig, plan: DecodePlan, limits: AdapterLimits): DecodeMemory {
  const problems: string[] = [];
  if (!Number.isInteger(plan.maxLen) || plan.maxLen < 1) problems.push(`the max length must be a positive integer, got ${plan.maxLen}`);
  else if (plan.maxLen > c.contextLength) {
    problems.push(`a max length of ${plan.maxLen} is beyond the model's context of ${c.contextLength} positions`);
  }
  if (!Number.isInteger(plan.prefillRows) || plan.prefillRows < 1) problems.push(`prefill rows must be a positive integer, got ${plan.prefillRows}`);
  const bytes = (t: TensorEntry[]) => t.reduce((a, e) => a + e.numel * 4, 0);
  const cache = kvCacheTable(c, Math.max(1, plan.maxLen));
  const steps = [...decodeStepTable(c, Math.max(1, plan.prefillRows)), ...decodeStepTable(c, 1)];
  for (const e of [...cache, ...steps]) {
    if (e.numel * 4 > limits.maxStorageBufferBindingSize) {
      problems.push(`${e.name} needs ${formatBytes(e.numel * 4)} but this adapter binds at most ` +
        `${formatBytes(limits.maxStorageBufferBindingSize)}: use a shorter max length or fewer prefill rows`);
      break;
    }
  }
  const cacheBytes = bytes(cache), activationBytes = bytes(steps);
  return { cacheBytes, activationBytes, total: cacheBytes + activationBytes, problems };
}
