// Memory, planned up front: the tables of every tensor the engine allocates for a config and a batch shape,
// and the estimate the page and CLI show before anything starts. The engine allocates exactly these
// tables, so the estimate is the plan, not a guess.
import { headDim, type ModelConfig, type TrainShape } from './config';
import { countLoraParams, loraSpecs, type LoraConfig } from './lora';
import { numel, paramLayer, paramSpecs } from './params';

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
  /** The large saved activations of every block but the top one kept as f16 (see F16_SAVED); excludes
   *  recompute. Training graphs only. */
  readonly f16Activations?: boolean;
  /** false: the unfused graph (GraphOptions.fuse), which writes SwiGLU's act for the down projection to read. */
  readonly fuse?: boolean;
}

/** Whether the graph writes SwiGLU's act = silu(gate) * up (N, F) in each block: unfused, or when a LoRA adapter
 *  on down_proj takes it as its input. Fused, the down projection and its weight gradient compute it from gate
 *  and up as they load it, so it is neither written nor saved. */
export const writesSwigluAct = (lora?: LoraConfig, fuse = true): boolean =>
  !fuse || (lora?.targets.includes('down_proj') ?? false);


/** Where a training graph keeps its saved activations: one set per layer ('layer'), one shared set the
 *  backward recomputes ('recompute'), or one shared f32 set with f16 copies per layer ('f16'). */
export type ActivationStorage = 'layer' | 'recompute' | 'f16';

export function activationStorage(mode: GraphMode, opts: ActivationOptions): ActivationStorage {
  if (mode !== 'train') return 'layer';
  if (opts.recompute && opts.f16Activations) throw new Error(F16_RECOMPUTE);
  return opts.recompute ? 'recompute' : opts.f16Activations ? 'f16' : 'layer';
}

export const F16_RECOMPUTE = 'f16 activations and recomputation exclude each other: recomputation keeps no saved activations ' +
  'to store as f16 (only each block\'s input, in f32); choose one';

/** Why the update layer by layer refuses f16 activations: its update pass runs the backward a second time from
 *  the saved activations, and the first backward has unpacked every layer over the one f32 block set (the top
 *  block's, never packed, is gone by then). */
export const F16_PER_LAYER = 'f16 activations and the update layer by layer exclude each other: the update pass runs the backward ' +
  'again from the saved activations, which the first backward has already unpacked over; choose one';

/**
 * The saved activations f16Activations stores as halves: every tensor of a block's with a row of C, H*D,
 * KV*D or F values. The per-row statistics (rstd1, rstd2: N; lse: B*H*T) stay f32, per layer: they are a
 * C-th of a tensor each, and every value the backward reads is scaled by them (lse sits in an exponent,
 * where rounding a logsumexp of 10 to f16 would move every probability by up to 0.4%). The
 * residual stream x.l stays f32 too (7% of a hare-1.1b layer's saved bytes): it carries every block's
 * output to the top, and the backward's norms read it as their input. LoRA's u = x A^T stays f32 per layer
 * (r columns against C or F, under 1% of a layer at rank 16): the adapter's gradient dB reads it directly.
 */
export const F16_SAVED = ['xn1', 'q', 'k', 'v', 'att', 'xmid', 'xn2', 'gate', 'up', 'act'] as const;

/** The tensors of F16_SAVED a graph writes: act only where the graph writes it (writesSwigluAct). */
export const f16SavedOf = (writesAct: boolean): readonly (typeof F16_SAVED)[number][] =>
  F16_SAVED.filter((name) => name !== 'act' || writesAct);

/** The tensor a block computes its saved activation `name` (xn1, q, gate, ...) of layer l in: one per layer;
 *  recomputing, one shared by every layer (`name.block`); with f16 activations, one shared f32 set for the
 *  tensors of F16_SAVED (`name.f32`, packed into `name.l.f16` after the block's forward and unpacked from it
 *  before its backward), the per-row statistics and LoRA's u per layer. */
export function blockActivation(name: string, layer: number, storage: ActivationStorage = 'layer'): string {
  if (storage === 'recompute') return `${name}.block`;
  if (storage === 'f16' && (F16_SAVED as readonly string[]).includes(name)) return `${name}.f32`;
  return `${name}.${layer}`;
}

/** Layer l's f16 copy of its saved activation `name` (one of F16_SAVED), with f16 activations. */
export const packedActivation = (name: string, layer: number): string => `${name}.${layer}.f16`;

/** Activations saved by the forward for the backward, per layer (or, recomputing, one block's worth beside
 *  every block's input; or, with f16 activations, one f32 block beside every layer's halves), plus the head,
 *  inputs and scratch; with a LoRA adapter, each target's u = x A^T (N, r) (saved with the block's
 *  activations when training, one scratch otherwise). */
export function activationTable(c: ModelConfig, s: GraphShape, mode: GraphMode, chunkRows: number, lora?: LoraConfig,
  opts: ActivationOptions = {}): TensorEntry[] {
  const B = s.batchSize, T = s.seqLen, N = B * T, C = c.dim, F = c.hiddenDim;
  const HD = c.nHeads * headDim(c), KVD = c.nKvHeads * headDim(c), H = c.nHeads;
  const storage = activationStorage(mode, opts), re = storage === 'recompute', half = storage === 'f16';
  const saved = re ? 1 : c.nLayers;   // sets of block activations (f16: the per-layer statistics)
  const rowOf: Record<(typeof F16_SAVED)[number], number> = {
    xn1: C, q: HD, k: KVD, v: KVD, att: HD, xmid: C, xn2: C, gate: F, up: F, act: F,
  };
  const act = writesSwigluAct(lora, opts.fuse), packed = f16SavedOf(act);
  const t: TensorEntry[] = [
    { name: 'inputs', numel: N },             // (N) token ids
    { name: 'targets', numel: N },            // (N) next-token ids, -1 where nothing is predicted
    { name: 'positions', numel: N },          // (N) each token's place in its example: RoPE angle, attention start
    { name: 'rope.cos', numel: T * headDim(c) / 2 },
    { name: 'rope.sin', numel: T * headDim(c) / 2 },
  ];
  for (let l = 0; l <= c.nLayers; l++) t.push({ name: `x.${l}`, numel: N * C }); // residual stream entering layer l
  for (let l = 0; l < saved; l++) {
    const n = (name: string) => blockActivation(name, l, re ? 'recompute' : 'layer');
    if (half) {
      // The top block's are never packed: its backward comes first, while the f32 set still holds them.
      if (l < c.nLayers - 1) for (const name of packed) t.push({ name: packedActivation(name, l), numel: N * rowOf[name], f16: true });
      t.push({ name: n('rstd1'), numel: N }, { name: n('lse'), numel: B * H * T }, { name: n('rstd2'), numel: N });
      continue;
    }
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
  if (half) for (const name of packed) t.push({ name: blockActivation(name, 0, 'f16'), numel: N * rowOf[name] });   // (N, row)
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
      for (let l = 0; l < saved; l++) for (const target of lora.targets) t.push({ name: loraActivation(target, l, storage), numel: N * r });
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

/** The saved u = x A^T of one LoRA target in one layer (training graphs), shared by the layers when recomputing
 *  (per layer, in f32, with f16 activations). */
export const loraActivation = (target: string, layer: number, storage: ActivationStorage = 'layer'): string =>
  blockActivation(`lora.u.${target}`, layer, storage);

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

/**
 * Updating layer by layer (EngineOptions.updatePerLayer), the gradients table holds the embedding's, the final
 * norm's and an untied lm_head's (their gradients accumulate over the whole backward) and one layer's, a scratch
 * that every layer's backward writes in turn: a layer piece's gradient lives under this name, its layer `*`.
 */
export const gradEntryName = (piece: string): string => piece.replace(/^model\.layers\.\d+\./, 'model.layers.*.');

/** The gradients table of a trained store's pieces: one per piece, or, updating layer by layer, the pieces outside
 *  the layers and layer 0's renamed to the scratch (gradEntryName). */
export function gradientEntries(pieces: readonly ParamPiece[], updatePerLayer: boolean): ParamPiece[] {
  if (!updatePerLayer) return [...pieces];
  return pieces.filter((p) => { const l = paramLayer(p.param); return l === null || l === 0; })
    .map((p) => (paramLayer(p.param) === null ? p : { ...p, name: gradEntryName(p.name) }));
}

/** Why a run cannot update layer by layer, or null when it can: full training, one micro-batch per step. */
export function updatePerLayerRefusal(o: { readonly lora?: LoraConfig; readonly accumSteps: number }): string | null {
  if (o.lora) return 'updating layer by layer is for full training: a LoRA adapter\'s gradients are a few MiB, there is nothing to save';
  if (o.accumSteps > 1) {
    return `updating layer by layer needs one micro-batch per step (accumulation ${o.accumSteps}): accumulating keeps every ` +
      'gradient until the last micro-batch, which is what it saves';
  }
  return null;
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
  /** The update is applied layer by layer in the backward: one layer's gradients at a time (see gradientEntries). */
  readonly updatePerLayer: boolean;
  /** The saved activations are kept as f16 (training only). */
  readonly f16Activations: boolean;
  readonly largestBinding: { readonly name: string; readonly bytes: number };
  /** Empty when the config fits; otherwise one sentence per problem, with what to change. */
  readonly problems: readonly string[];
}

export interface EstimateOptions {
  readonly mode?: GraphMode;
  readonly budgetBytes?: number;
  readonly lora?: LoraConfig;
  readonly recompute?: boolean;
  /** Full training with one micro-batch: gradients for one layer at a time (plus the embedding's, the final norm's
   *  and lm_head's), each layer's AdamW update applied right after its backward (EngineOptions.updatePerLayer). */
  readonly updatePerLayer?: boolean;
  /** A LoRA run's frozen base keeps its linear layers' weights as f16 (norms and embedding stay f32). */
  readonly f16Base?: boolean;
  /** Every block's large saved activations but the top one's kept as f16 (F16_SAVED); excludes recompute. */
  readonly f16Activations?: boolean;
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
  if (name.endsWith('.f16')) return 'saved per layer as f16';
  if (name.endsWith('.f32')) return 'one block in f32, packed and unpacked';
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
  const updatePerLayer = mode === 'train' && opts.updatePerLayer === true;
  const problems: string[] = [];
  // Both asked for: planned as recomputation alone, and refused.
  if (recompute && mode === 'train' && opts.f16Activations) problems.push(F16_RECOMPUTE);
  const f16Activations = mode === 'train' && opts.f16Activations === true && !recompute;
  if (updatePerLayer && f16Activations) problems.push(F16_PER_LAYER);
  const maxBinding = limits.maxStorageBufferBindingSize;
  const nBase = paramSpecs(c).reduce((a, p) => a + numel(p.shape), 0);
  // With LoRA the base is frozen: only the adapter has gradients and moments.
  const nAdapter = opts.lora ? countLoraParams(c, opts.lora) : 0;
  const nParams = nBase + nAdapter;
  const trainable = opts.lora ? nAdapter : nBase;
  const accumSteps = 'accumSteps' in s ? s.accumSteps : 1;
  const perLayerRefusal = updatePerLayer ? updatePerLayerRefusal({ lora: opts.lora, accumSteps }) : null;
  if (perLayerRefusal) problems.push(perLayerRefusal);
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
  const acts = activationTable(c, s, mode, logitsChunkRows(c, N, maxBinding), opts.lora, { recompute, f16Activations, fuse: opts.fuse });
  const actBytes = acts.reduce((a, t) => a + entryBytes(t), 0);
  const groups = new Map<string, number>();
  for (const t of acts) groups.set(activationGroup(t.name), (groups.get(activationGroup(t.name)) ?? 0) + entryBytes(t));
  let largest = { name: '', bytes: 0 };
  for (const t of [...acts, ...pieces]) if (entryBytes(t) > largest.bytes) largest = { name: t.name, bytes: entryBytes(t) };
  // An f16 copy is half its f32 block tensor, so the f32 one is always the first not to fit: no f16 tensor
  // is ever split into pieces.
  for (const t of acts) {
    if (entryBytes(t) > maxBinding) {
      const per = entryBytes(t) / s.batchSize;
      const fitB = Math.floor(maxBinding / per);
      problems.push(
        `activation ${t.name} needs ${formatBytes(entryBytes(t))} but this adapter binds at most ${formatBytes(maxBinding)}: ` +
        (fitB >= 1 ? `use batch ≤ ${fitB} with gradient accumulation` : 'use a shorter sequence'),
      );
      break;
    }
  }
  // Layer by layer (when it applies), the gradients are those outside the layers plus one layer's scratch.
  const layerwise = updatePerLayer && perLayerRefusal === null;
  const gradElems = layerwise
    ? paramSpecs(c).filter((p) => { const l = paramLayer(p.name); return l === null || l === 0; }).reduce((a, p) => a + numel(p.shape), 0)
    : trainable;
  const grads = mode === 'train' ? gradElems * 4 : 0;
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
    updatePerLayer: layerwise,
    f16Activations,
    largestBinding: largest,
    problems,
  };
}

export interface FitOption {
  readonly option: 'recompute' | 'batch' | 'lora' | 'f16Base' | 'updatePerLayer' | 'f16Activations';
  /** For 'updatePerLayer': it fits only with recomputation turned on as well (the page's button turns on both). */
  readonly withRecompute?: boolean;
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
 * tables: recomputation (in place of f16 activations, which it excludes), a smaller micro-batch with more
 * accumulation (the same tokens per step), f16 activations, the f16 frozen base, the update layer by layer
 * (with recomputation when it needs both), a LoRA adapter in place of full training (with recomputation when
 * it needs it). Each one alone but for those pairs, cheapest change first (those that round values after
 * those that do not); empty when none fits (or for forward-only runs).
 */
export function fitOptions(c: ModelConfig, s: TrainShape | GraphShape, limits: AdapterLimits, opts: EstimateOptions,
  budgetBytes: number): FitOption[] {
  if ((opts.mode ?? 'train') !== 'train') return [];
  const plain = { ...opts, budgetBytes: undefined };
  const total = (shape: TrainShape | GraphShape, o: EstimateOptions) => estimateMemory(c, shape, limits, { ...plain, ...o }).bytes.total;
  const out: FitOption[] = [];
  const accum = 'accumSteps' in s ? s.accumSteps : 1;
  if (!opts.recompute) {
    const b = total(s, { recompute: true, f16Activations: false });
    const instead = opts.f16Activations ? ' in place of f16 activations (--recompute without --f16-activations)' : ' (--recompute)';
    if (b <= budgetBytes) out.push({ option: 'recompute', text: `activation recomputation${instead}: ${formatBytes(b)}`, bytes: b });
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
  if (!opts.recompute && !opts.f16Activations && !opts.updatePerLayer) {
    const b = total(s, { f16Activations: true });
    if (b <= budgetBytes) {
      out.push({ option: 'f16Activations', text: `saved activations stored as f16 (--f16-activations; results change slightly): ${formatBytes(b)}`, bytes: b });
    }
  }
  if (opts.lora && !opts.f16Base) {
    const b = total(s, { f16Base: true });
    if (b <= budgetBytes) out.push({ option: 'f16Base', text: `the frozen base's linear layers in f16 (without --f32-base): ${formatBytes(b)}`, bytes: b });
  }
  // The update layer by layer: full training with one micro-batch only; it costs about two thirds of a step more
  // (engine.ts), so it comes after the changes that cost less. With recomputation too when it needs both.
  if (!opts.lora && !opts.updatePerLayer && !opts.f16Activations && accum === 1) {
    const b = total(s, { updatePerLayer: true });
    const both = opts.recompute || b <= budgetBytes ? b : total(s, { updatePerLayer: true, recompute: true });
    if (b <= budgetBytes) {
      out.push({ option: 'updatePerLayer', text: `the update applied layer by layer in the backward (--update-per-layer): ${formatBytes(b)}`, bytes: b });
    } else if (both <= budgetBytes && !out.some((f) => f.option === 'recompute')) {
      out.push({ option: 'updatePerLayer', withRecompute: true, bytes: both,
        text: `the update applied layer by layer in the backward, with recomputation (--update-per-layer --recompute): ${formatBytes(both)}` });
    }
  }
  if (!opts.lora && out.length === 0) {
    for (const recompute of opts.recompute ? [true] : opts.f16Activations ? [false] : [false, true]) {
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

/** Training at this shape, recomputing only when the budget needs it: what --memory-budget chooses. Never
 *  with f16 activations, which recomputation excludes (the plan's refusal then names what would fit). */
export function chooseRecompute(c: ModelConfig, s: TrainShape, limits: AdapterLimits, opts: EstimateOptions, budgetBytes: number): boolean {
  if (opts.recompute) return true;
  if (opts.f16Activations) return false;
  return estimateMemory(c, s, limits, { ...opts, recompute: false }).bytes.total > budgetBytes;
}
