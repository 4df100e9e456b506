// Memory, planned up front: the tables of every tensor the engine allocates for a config and a batch shape,
// and the estimate the page and CLI show before anything starts. The engine allocates exactly these
// tables, so the estimate is the plan, not a guess.
import { headDim, type ModelConfig, type TrainShape } from './config';
import { countLoraParams, loraSpecs, type LoraConfig } from './lora';
import { numel, paramSpecs } from './params';

export interface TensorEntry {
  readonly name: string;
  readonly numel: number;   // 4-byte elements (f32, i32 or u32)
}

export type GraphMode = 'train' | 'forward';

export interface GraphShape {
  readonly batchSize: number;  // B
  readonly seqLen: number;     // T
}

/** Rows of logits computed at once: the head and the loss walk the N tokens in chunks of this many rows. */
export function logitsChunkRows(c: ModelConfig, n: number, maxBindingBytes: number, override?: number): number {
  if (override !== undefined) return Math.max(1, Math.min(n, override));
  const budget = Math.min(maxBindingBytes, 256 * 2 ** 20); // a 256 MiB logits block is plenty to keep a GPU busy
  return Math.max(1, Math.min(n, Math.floor(budget / (c.vocabSize * 4))));
}

/** Activations saved by the forward for the backward, per layer, plus the head, inputs and scratch; with a
 *  LoRA adapter, each target's u = x A^T (N, r) (saved per layer when training, one scratch otherwise). */
export function activationTable(c: ModelConfig, s: GraphShape, mode: GraphMode, chunkRows: number, lora?: LoraConfig): TensorEntry[] {
  const B = s.batchSize, T = s.seqLen, N = B * T, C = c.dim, F = c.hiddenDim;
  const HD = c.nHeads * headDim(c), KVD = c.nKvHeads * headDim(c), H = c.nHeads;
  const t: TensorEntry[] = [
    { name: 'inputs', numel: N },             // (N) token ids
    { name: 'targets', numel: N },            // (N) next-token ids, -1 where nothing is predicted
    { name: 'positions', numel: N },          // (N) each token's place in its example: RoPE angle, attention start
    { name: 'rope.cos', numel: T * headDim(c) / 2 },
    { name: 'rope.sin', numel: T * headDim(c) / 2 },
  ];
  for (let l = 0; l <= c.nLayers; l++) t.push({ name: `x.${l}`, numel: N * C }); // residual stream entering layer l
  for (let l = 0; l < c.nLayers; l++) {
    t.push(
      { name: `xn1.${l}`, numel: N * C }, { name: `rstd1.${l}`, numel: N },
      { name: `q.${l}`, numel: N * HD }, { name: `k.${l}`, numel: N * KVD }, { name: `v.${l}`, numel: N * KVD },
      { name: `att.${l}`, numel: N * HD }, { name: `lse.${l}`, numel: B * H * T },
      { name: `xmid.${l}`, numel: N * C },
      { name: `xn2.${l}`, numel: N * C }, { name: `rstd2.${l}`, numel: N },
      { name: `gate.${l}`, numel: N * F }, { name: `up.${l}`, numel: N * F }, { name: `act.${l}`, numel: N * F },
    );
  }
  t.push(
    { name: 'proj', numel: N * C },   // scratch: an output projection before its residual add (not saved)
    { name: 'xf', numel: N * C }, { name: 'rstdf', numel: N },
    { name: 'logits', numel: chunkRows * c.vocabSize },   // (rows, V), one chunk at a time
    { name: 'losses', numel: N },
  );
  if (mode === 'train') {
    t.push(
      { name: 'segments', numel: 1 + 4 * N },  // embedding backward: count, (token, start, end) per segment, order
      { name: 'd.x', numel: N * C },           // residual-stream gradient, flows down through the layers
      { name: 'd.xn', numel: N * C },          // gradient at a norm's output
      { name: 'd.q', numel: N * HD }, { name: 'd.k', numel: N * KVD }, { name: 'd.v', numel: N * KVD },
      { name: 'd.att', numel: N * HD }, { name: 'd.delta', numel: B * H * T },
      { name: 'd.gate', numel: N * F }, { name: 'd.up', numel: N * F }, { name: 'd.act', numel: N * F },
    );
  }
  if (lora) {
    const r = lora.rank;
    if (mode === 'train') {
      for (let l = 0; l < c.nLayers; l++) for (const target of lora.targets) t.push({ name: loraActivation(target, l), numel: N * r });
      t.push({ name: 'd.lora.u', numel: N * r });   // du = s dy B, scratch shared by every target
    } else {
      t.push({ name: 'lora.u', numel: N * r });     // consumed right after it is written
    }
  }
  return t;
}

export interface ParamPiece {
  readonly name: string;      // the parameter's HF name, with `#k` for the k-th row piece when split
  readonly param: string;
  readonly rowBegin: number;
  readonly rowEnd: number;
  readonly numel: number;
}

/** The saved u = x A^T of one LoRA target in one layer (training graphs). */
export const loraActivation = (target: string, layer: number): string => `lora.u.${target}.${layer}`;

/**
 * Parameters as the engine stores them: a tensor larger than one storage binding is split along its first
 * dimension (rows: vocabulary entries, output features) into pieces that each fit.
 */
export function paramPieces(c: ModelConfig, maxBindingBytes: number): ParamPiece[] {
  return specPieces(paramSpecs(c), maxBindingBytes);
}

/** paramPieces for any list of named row-major tensors (the model's, or a LoRA adapter's). */
export function specPieces(specs: readonly { name: string; shape: readonly number[] }[], maxBindingBytes: number): ParamPiece[] {
  const out: ParamPiece[] = [];
  for (const p of specs) {
    const rows = p.shape[0];
    const rowElems = numel(p.shape) / rows;
    const maxRows = Math.floor(maxBindingBytes / (rowElems * 4));
    if (maxRows < 1) throw new Error(`${p.name}: one row (${rowElems * 4} bytes) is larger than a storage binding (${maxBindingBytes} bytes)`);
    if (rows <= maxRows) {
      out.push({ name: p.name, param: p.name, rowBegin: 0, rowEnd: rows, numel: numel(p.shape) });
      continue;
    }
    for (let r = 0, k = 0; r < rows; r += maxRows, k++) {
      const end = Math.min(rows, r + maxRows);
      out.push({ name: `${p.name}#${k}`, param: p.name, rowBegin: r, rowEnd: end, numel: (end - r) * rowElems });
    }
  }
  return out;
}

export interface AdapterLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
}

export interface MemoryEstimate {
  readonly parameters: number;     // count (base and adapter)
  /** Parameters that get gradients and AdamW moments: all of them, or the adapter's alone with LoRA. */
  readonly trainable: number;
  readonly bytes: {
    readonly parameters: number;
    readonly gradients: number;
    readonly adamMoments: number;
    readonly activations: number;
    readonly total: number;
  };
  readonly largestBinding: { readonly name: string; readonly bytes: number };
  /** Empty when the config fits; otherwise one sentence per problem, with what to change. */
  readonly problems: readonly string[];
}

const MiB = 2 ** 20;
export const formatBytes = (b: number): string =>
  b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : b >= MiB ? `${(b / MiB).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`;

/**
 * What a training run (or a forward-only run) of this config at this batch shape needs, checked against
 * the adapter's limits and, when given, a total memory budget.
 */
export function estimateMemory(
  c: ModelConfig, s: TrainShape | GraphShape, limits: AdapterLimits,
  opts: { mode?: GraphMode; budgetBytes?: number; lora?: LoraConfig } = {},
): MemoryEstimate {
  const mode = opts.mode ?? 'train';
  const maxBinding = limits.maxStorageBufferBindingSize;
  const problems: string[] = [];
  const nBase = paramSpecs(c).reduce((a, p) => a + numel(p.shape), 0);
  // With LoRA the base is frozen: only the adapter has gradients and moments.
  const nAdapter = opts.lora ? countLoraParams(c, opts.lora) : 0;
  const nParams = nBase + nAdapter;
  const trainable = opts.lora ? nAdapter : nBase;
  const pBytes = nParams * 4;
  let pieces: ParamPiece[] = [];
  try {
    pieces = paramPieces(c, maxBinding);
    if (opts.lora) pieces.push(...specPieces(loraSpecs(c, opts.lora), maxBinding));
  } catch (e) { problems.push((e as Error).message); }
  const N = s.batchSize * s.seqLen;
  const acts = activationTable(c, s, mode, logitsChunkRows(c, N, maxBinding), opts.lora);
  const actBytes = acts.reduce((a, t) => a + t.numel * 4, 0);
  let largest = { name: '', bytes: 0 };
  for (const t of [...acts, ...pieces]) if (t.numel * 4 > largest.bytes) largest = { name: t.name, bytes: t.numel * 4 };
  for (const t of acts) {
    if (t.numel * 4 > maxBinding) {
      const per = t.numel * 4 / s.batchSize;
      const fitB = Math.floor(maxBinding / per);
      problems.push(
        `activation ${t.name} needs ${formatBytes(t.numel * 4)} but this adapter binds at most ${formatBytes(maxBinding)}: ` +
        (fitB >= 1 ? `use batch ≤ ${fitB} with gradient accumulation` : 'use a shorter sequence'),
      );
      break;
    }
  }
  const grads = mode === 'train' ? trainable * 4 : 0;
  const adam = mode === 'train' ? 2 * trainable * 4 : 0;
  const total = pBytes + grads + adam + actBytes;
  if (opts.budgetBytes !== undefined && total > opts.budgetBytes) {
    problems.push(`needs ${formatBytes(total)} of GPU memory, more than the ${formatBytes(opts.budgetBytes)} available`);
  }
  return {
    parameters: nParams,
    trainable,
    bytes: { parameters: pBytes, gradients: grads, adamMoments: adam, activations: actBytes, total },
    largestBinding: largest,
    problems,
  };
}
