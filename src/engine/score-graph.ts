// A scoring graph: the model's forward for one (B, T) batch shape, then the head and the scoring kernel
// (-log p(target) and a greedy flag) at the scored positions only. Forward only, sharing the engine's
// parameters; it wraps a forward ModelGraph, so the training graph is unchanged and does none of this work.
//
// Only a request's continuation is scored, a few positions of each row, so the final-norm outputs at those
// positions are first gathered into a compact (M, C) block (the embedding kernel's gather, with positions as
// the "tokens" and xf as the table) and the head runs on M rows instead of N: the vocabulary projection is
// the largest matmul of a small model, and its logits the largest buffer of a big one. M is the batch's
// count of scored positions rounded up to a power of two; each M gets its dispatch list on first use.
import type { ModelConfig } from '../model/config';
import { estimateMemory, type AdapterLimits, type GraphShape, type MemoryEstimate, type TensorEntry } from '../model/memory';
import { headWeight } from '../model/params';
import { allocateTable, type TensorTable } from './buffers';
import { KernelContext, type Dispatch } from './kernel-context';
import type { AttentionTiles } from './kernels/attention';
import { embeddingForward } from './kernels/embedding';
import { crossEntropyScore } from './kernels/loss';
import { ModelGraph } from './graph';
import { linearForward } from './linear';
import type { ParamStore } from './param-store';

/** What a scoring graph adds to the forward graph's activation table (M <= N scored positions). */
export function scoreOutputTable(c: ModelConfig, s: GraphShape): TensorEntry[] {
  const N = s.batchSize * s.seqLen;
  return [
    { name: 'positions', numel: N },   // (M) i32: the batch positions scored, row-major order
    { name: 'xs', numel: N * c.dim },  // (M, C) final-norm output gathered at those positions
    { name: 'greedy', numel: N },      // (M) u32: 1 where the target is the argmax
  ];
}

/** The memory plan of a scoring graph: the forward graph's table plus the scoring outputs. */
export function scoreMemory(c: ModelConfig, s: GraphShape, limits: AdapterLimits): { activationBytes: number; problems: readonly string[] } {
  const e: MemoryEstimate = estimateMemory(c, s, limits, { mode: 'forward' });
  const extra = scoreOutputTable(c, s).reduce((a, t) => a + t.numel * 4, 0);
  return { activationBytes: e.bytes.activations + extra, problems: e.problems };
}

export interface ScoreGraphOptions {
  readonly maxBindingBytes: number;
  readonly logitsChunkRows?: number;
  readonly attentionTiles?: AttentionTiles;
}

/** Scored rows the head runs on for m scored positions: a power of two (at least 8), at most N. */
export const headRows = (m: number, nTokens: number): number => {
  let M = 8;
  while (M < m) M *= 2;
  return Math.min(M, nTokens);
};

export class ScoreGraph {
  readonly model: ModelGraph;
  readonly outputs: TensorTable;
  readonly activationBytes: number;
  private readonly ctx: KernelContext;
  private readonly lists = new Map<number, Dispatch[]>();

  /**
   * `engineCtx` lends the device and kernel choices; the graph keeps its uniforms in a context of its own
   * (pipelines stay shared through the device's cache), so destroying a graph frees everything it made and
   * a scorer that replaces graphs does not accumulate uniform blocks.
   */
  constructor(engineCtx: KernelContext, readonly config: ModelConfig, private readonly store: ParamStore,
    readonly shape: GraphShape, opts: ScoreGraphOptions) {
    this.ctx = new KernelContext(engineCtx.device, engineCtx.caps, engineCtx.choices);
    this.model = new ModelGraph(this.ctx, config, store, shape, { ...opts, mode: 'forward' });
    this.outputs = allocateTable(this.ctx.device, `score ${shape.batchSize}x${shape.seqLen}`, scoreOutputTable(config, shape),
      { maxBindingBytes: opts.maxBindingBytes });
    this.activationBytes = this.model.acts.bytes + this.outputs.bytes;
  }

  get nTokens(): number { return this.model.nTokens; }

  /**
   * Forward, gather the M scored rows, then per logits chunk: lm_head, score. Targets are read compact
   * (targets[j] belongs to positions[j]); losses come out compact in the first M entries of `losses`.
   */
  dispatches(M: number): readonly Dispatch[] {
    let list = this.lists.get(M);
    if (list) return list;
    if (!(M >= 1 && M <= this.nTokens)) throw new Error(`scored rows ${M} outside [1, ${this.nTokens}]`);
    const ctx = this.ctx, c = this.config, C = c.dim, V = c.vocabSize, N = this.nTokens, R = this.model.chunkRows;
    const a = (name: string) => this.model.acts.get(name), o = (name: string) => this.outputs.get(name);
    const head = headWeight(c);   // lm_head, or the embedding when tied
    list = [...this.model.forward];
    list.push(...embeddingForward(ctx, `gather_scored[${M}]`,
      { x: o('xs'), tokens: o('positions'), table: [{ view: a('xf'), rowBegin: 0, rowEnd: N }] }, { nTokens: M, dim: C }));
    for (let r0 = 0; r0 < M; r0 += R) {
      const rows = Math.min(R, M - r0);
      list.push(...linearForward(ctx, `lm_head[${r0}/${M}]`, a('logits'), o('xs'), this.store.piecesOf(head), { rows, in: C, out: V, xOff: r0 * C }));
      list.push(crossEntropyScore(ctx, `score[${r0}/${M}]`,
        { losses: a('losses'), greedy: o('greedy'), logits: a('logits'), targets: a('targets') }, { rows, vocab: V, rowOffset: r0 }));
    }
    this.lists.set(M, list);
    return list;
  }

  destroy(): void {
    this.model.destroy();
    for (const b of this.outputs.buffers) b.destroy();
    this.ctx.destroy();
  }
}
