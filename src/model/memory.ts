// Memory, planned up front: the tables of every tensor the engine allocates for a config and a batch shape,
// and the estimate the page and CLI show before anything starts. The engine allocates exactly these
// tables, so the estimate is the plan, not a guess.
import { headDim, type ModelConfig, type TrainShape } from './config';
import { countLoraParams, loraSpecs, type LoraConfig } from './lora';
import { numel, paramSpecs } from './params';

export interface TensorEntry {
  readonly name: string;
  readonly numel: number;   // elements: 4 bytes each (f32, i32 or u32), 2 when f16
  /** Stored as half precision, two elements per 32-bit word (a frozen LoRA base's projections). */
  readonly f16?: boolean;
}

/** Bytes a tensor of the table takes (f16: halves packed in whole 32-bit words). */
export const entryBytes = (e: TensorEntry): number => e.f16 ? Math.ceil(e.numel / 2) * 4 : e.numel * 4;

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

/** How the activations are kept for the backward. */
export interface ActivationOptions {
  /** Activation recomputation: only each block's input x.l stays from the forward; the backward recomputes
   *  block l into one shared set of block tensors right before block l's backward. Training graphs only. */
  readonly recompute?: boolean;
  /** false: the unfused graph (GraphOptions.fuse), which writes SwiGLU's act for the down projection to read. */
  readonly fuse?: boolean;
}

/** Whether the graph writes SwiGLU's act = silu(gate) * up (N, F) in each block: unfused, or when a LoRA adapter
 *  on down_proj takes it as its input. Fused, the down projection and its weight gradient compute it from gate
 *  and up as they load it, so it is neither written nor saved. */
export const writesSwigluAct = (lora?: LoraConfig, fuse = true): boolean =>
  !fuse || (lora?.targets.includes('down_proj') ?? false);

/** The tensor holding a block's saved activation `name` (xn1, q, gate, ...) for layer l: one per layer, or,
 *  recomputing, one shared by every layer (`name.block`). */
export const blockActivation = (name: string, layer: number, recompute = false): string =>
  recompute ? `${name}.block` : `${name}.${layer}`;

/** Activations saved by the forward for the backward, per layer (or, recomputing, one block's worth beside
 *  every block's input), plus the head, inputs and scratch; with a LoRA adapter, each target's u = x A^T (N, r)
 *  (saved with the block's activations when training, one scratch otherwise). */
export function activationTable(c: ModelConfig, s: GraphShape, mode: GraphMode, chunkRows: number, lora?: LoraConfig,
  opts: ActivationOptions = {}): TensorEntry[] {
  const B = s.batchSize, T = s.seqLen, N = B * T, C = c.dim, F = c.hiddenDim;
  const HD = c.nHeads * headDim(c), KVD = c.nKvHeads * headDim(c), H = c.nHeads;
  const re = mode === 'train' && opts.recompute === true;
  const saved = re ? 1 : c.nLayers;   // sets of block activations
  const act = writesSwigluAct(lora, opts.fuse);
  const t: TensorEntry[] = [
    { name: 'inputs', numel: N },             // (N) token ids
    { name: 'targets', numel: N },            // (N) next-token ids, -1 where nothing is predicted
    { name: 'positions', numel: N },          // (N) each token's place in its example: RoPE angle, attention start
    { name: 'rope.cos', numel: T * headDim(c) / 2 },
    { name: 'rope.sin', numel: T * headDim(c) / 2 },
  ];
  for (let l = 0; l <= c.nLayers; l++) t.push({ name: `x.${l}`, numel: N * C }); // residual stream entering layer l
  for (let l = 0; l < saved; l++) {
    const n = (name: string) => blockActivation(name, l, re);
    t.push(
      { name: n('xn1'), numel: N * C }, { name: n('rstd1'), numel: N },
      { name: n('q'), numel: N * HD }, { name: n('k'), numel: N * KVD }, { name: n('v'), numel: N * KVD },
      { name: n('att'), numel: N * HD }, { name: n('lse'), numel: B * H * T },
      { name: n('xmid'), numel: N * C },
      { name: n('xn2'), numel: N * C }, { name: n('rstd2'), numel: N },
      { name: n('gate'), numel: N * F }, { name: n('up'), numel: N * F },
    );
    if (act) t.push({ name: n('act'), numel: N * F });
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
      for (let l = 0; l < saved; l++) for (const target of lora.targets) t.push({ name: loraActivation(target, l, re), numel: N * r });
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

/** The saved u = x A^T of one LoRA target in one layer (training graphs), shared by the layers when recomputing. */
export const loraActivation = (target: string, layer: number, recompute = false): string =>
  blockActivation(`lora.u.${target}`, layer, recompute);

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
  /** The activations by what they are for (see activationGroup), in table order; bytes sum to bytes.activations. */
  readonly activationGroups: readonly { readonly name: string; readonly bytes: number }[];
  readonly recompute: boolean;
  readonly largestBinding: { readonly name: string; readonly bytes: number };
  /** Empty when the config fits; otherwise one sentence per problem, with what to change. */
  readonly problems: readonly string[];
}

export interface EstimateOptions {
  readonly mode?: GraphMode;
  readonly budgetBytes?: number;
  readonly lora?: LoraConfig;
  readonly recompute?: boolean;
  /** A LoRA run's frozen base keeps its linear layers' weights as f16 (norms and embedding stay f32). */
  readonly f16Base?: boolean;
  /** false: the unfused engine's tables (ActivationOptions.fuse). */
  readonly fuse?: boolean;
}

const MiB = 2 ** 20;
export const formatBytes = (b: number): string =>
  b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : b >= MiB ? `${(b / MiB).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`;

/** What an activation is kept for: the groups a plan prints. */
export function activationGroup(name: string): string {
  if (/^x\.\d+$/.test(name)) return 'block inputs (residual stream x.l)';
  if (name.endsWith('.block')) return 'one block, recomputed in the backward';
  if (/\.\d+$/.test(name)) return 'saved per layer';
  if (name.startsWith('d.')) return 'backward scratch (gradients of one block)';
  if (name === 'logits' || name === 'losses') return 'logits chunk and losses';
  if (name === 'proj' || name === 'xf' || name === 'rstdf' || name === 'lora.u') return 'final norm and scratch';
  return 'tokens, targets, positions, RoPE tables';
}

/**
 * What a training run (or a forward-only run) of this config at this batch shape needs, checked against
 * the adapter's limits and, when given, a total memory budget.
 */
export function estimateMemory(c: ModelConfig, s: TrainShape | GraphShape, limits: AdapterLimits, opts: EstimateOptions = {}): MemoryEstimate {
  const mode = opts.mode ?? 'train';
  const recompute = mode === 'train' && opts.recompute === true;
  const maxBinding = limits.maxStorageBufferBindingSize;
  const problems: string[] = [];
  const nBase = paramSpecs(c).reduce((a, p) => a + numel(p.shape), 0);
  // With LoRA the base is frozen: only the adapter has gradients and moments.
  const nAdapter = opts.lora ? countLoraParams(c, opts.lora) : 0;
  const nParams = nBase + nAdapter;
  const trainable = opts.lora ? nAdapter : nBase;
  if (opts.f16Base && !opts.lora) problems.push('f16 weights are for a frozen LoRA base: full training keeps f32 weights');
  const f16Base = opts.f16Base === true && opts.lora !== undefined;
  const f16Elems = f16Base ? paramSpecs(c).filter((p) => p.kind === 'linear').reduce((a, p) => a + numel(p.shape), 0) : 0;
  const pBytes = nParams * 4 - f16Elems * 2;
  let pieces: ParamPiece[] = [];
  try {
    pieces = paramPieces(c, maxBinding);
    if (opts.lora) pieces.push(...specPieces(loraSpecs(c, opts.lora), maxBinding));
  } catch (e) { problems.push((e as Error).message); }
  const N = s.batchSize * s.seqLen;
  const acts = activationTable(c, s, mode, logitsChunkRows(c, N, maxBinding), opts.lora, { recompute, fuse: opts.fuse });
  const actBytes = acts.reduce((a, t) => a + t.numel * 4, 0);
  const groups = new Map<string, number>();
  for (const t of acts) groups.set(activationGroup(t.name), (groups.get(activationGroup(t.name)) ?? 0) + t.numel * 4);
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
    const fits = fitOptions(c, s, limits, { ...opts, mode }, opts.budgetBytes);
    problems.push(`needs ${formatBytes(total)} of GPU memory, more than the ${formatBytes(opts.budgetBytes)} available` +
      (fits.length ? `; it would fit with ${fits.map((f) => f.text).join(', or ')}` : ''));
  }
  return {
    parameters: nParams,
    trainable,
    bytes: { parameters: pBytes, gradients: grads, adamMoments: adam, activations: actBytes, total },
    activationGroups: [...groups].map(([name, bytes]) => ({ name, bytes })),
    recompute,
    largestBinding: largest,
    problems,
  };
}

export interface FitOption {
  readonly option: 'recompute' | 'batch' | 'lora' | 'f16Base';
  /** The change in words with its command-line option and the total it plans, e.g. "activation recomputation (--recompute): 17.52 GiB". */
  readonly text: string;
  readonly bytes: number;
  /** For 'batch': the micro-batch and accumulation it plans (the page's button sets them). */
  readonly shape?: { readonly batchSize: number; readonly accumSteps: number };
}

/** LoRA rank suggested for a run that only fits as an adapter (PEFT's targets, alpha 2r). */
const SUGGESTED_LORA: LoraConfig = { rank: 16, alpha: 32, targets: ['q_proj', 'v_proj'] };

/**
 * The changes that would bring a training run over `budgetBytes` within it, each planned with the same
 * tables: recomputation, a smaller micro-batch with more accumulation (the same tokens per step), a LoRA
 * adapter in place of full training (with recomputation when it needs it). Each one alone, cheapest change
 * first; empty when none fits (or for forward-only runs).
 */
export function fitOptions(c: ModelConfig, s: TrainShape | GraphShape, limits: AdapterLimits, opts: EstimateOptions,
  budgetBytes: number): FitOption[] {
  if ((opts.mode ?? 'train') !== 'train') return [];
  const plain = { ...opts, budgetBytes: undefined };
  const total = (shape: TrainShape | GraphShape, o: EstimateOptions) => estimateMemory(c, shape, limits, { ...plain, ...o }).bytes.total;
  const out: FitOption[] = [];
  const accum = 'accumSteps' in s ? s.accumSteps : 1;
  if (!opts.recompute) {
    const b = total(s, { recompute: true });
    if (b <= budgetBytes) out.push({ option: 'recompute', text: `activation recomputation (--recompute): ${formatBytes(b)}`, bytes: b });
  }
  for (let batch = s.batchSize - 1; batch >= 1; batch--) {
    if (s.batchSize % batch !== 0) continue;
    const shape = { ...s, batchSize: batch, accumSteps: accum * (s.batchSize / batch) };
    const b = total(shape, {});
    if (b > budgetBytes) continue;
    out.push({ option: 'batch', text: `a smaller micro-batch (--batch ${batch} --accum ${shape.accumSteps}, the same tokens per step): ${formatBytes(b)}`, bytes: b,
      shape: { batchSize: batch, accumSteps: shape.accumSteps } });
    break;
  }
  if (opts.lora && !opts.f16Base) {
    const b = total(s, { f16Base: true });
    if (b <= budgetBytes) out.push({ option: 'f16Base', text: `the frozen base's linear layers in f16 (--f16-base): ${formatBytes(b)}`, bytes: b });
  }
  if (!opts.lora && out.length === 0) {
    for (const recompute of opts.recompute ? [true] : [false, true]) {
      const b = total(s, { lora: SUGGESTED_LORA, recompute });
      if (b > budgetBytes) continue;
      out.push({
        option: 'lora', bytes: b,
        text: `a LoRA adapter on the frozen model instead of full training (--lora ${SUGGESTED_LORA.rank}${recompute && !opts.recompute ? ' --recompute' : ''}): ${formatBytes(b)}`,
      });
      break;
    }
  }
  return out;
}

/** Training at this shape, recomputing only when the budget needs it: what --memory-budget chooses. */
export function chooseRecompute(c: ModelConfig, s: TrainShape, limits: AdapterLimits, opts: EstimateOptions, budgetBytes: number): boolean {
  if (opts.recompute) return true;
  return estimateMemory(c, s, limits, { ...opts, recompute: false }).bytes.total > budgetBytes;
}
