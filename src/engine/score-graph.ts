// A scoring graph: the model's forward for one (B, T) batch shape, then per logits chunk the head and the
// scoring kernel (-log p(target) and a greedy flag per position). Forward only, sharing the engine's
// parameters. It wraps a forward ModelGraph (whose `headLogits` already multiply by the right head, tied or
// not) and adds only the scoring outputs, so the training graph is unchanged and does none of this work.
import type { ModelConfig } from '../model/config';
import { estimateMemory, type AdapterLimits, type GraphShape, type MemoryEstimate, type TensorEntry } from '../model/memory';
import { allocateTable, type TensorTable } from './buffers';
import { KernelContext, type Dispatch } from './kernel-context';
import type { AttentionTiles } from './kernels/attention';
import { crossEntropyScore } from './kernels/loss';
import { ModelGraph } from './graph';
import type { ParamStore } from './param-store';

/** What a scoring graph adds to the forward graph's activation table. */
export function scoreOutputTable(s: GraphShape): TensorEntry[] {
  return [{ name: 'greedy', numel: s.batchSize * s.seqLen }];  // (N) u32: 1 where the target is the argmax
}

/** The memory plan of a scoring graph: the forward graph's table plus the scoring outputs. */
export function scoreMemory(c: ModelConfig, s: GraphShape, limits: AdapterLimits): { activationBytes: number; problems: readonly string[] } {
  const e: MemoryEstimate = estimateMemory(c, s, limits, { mode: 'forward' });
  const extra = scoreOutputTable(s).reduce((a, t) => a + t.numel * 4, 0);
  return { activationBytes: e.bytes.activations + extra, problems: e.problems };
}

export interface ScoreGraphOptions {
  readonly maxBindingBytes: number;
  readonly logitsChunkRows?: number;
  readonly attentionTiles?: AttentionTiles;
}

export class ScoreGraph {
  readonly model: ModelGraph;
  readonly outputs: TensorTable;
  /** Forward, then per chunk: lm_head[r0], score[r0]. One compute pass replays it. */
  readonly list: Dispatch[] = [];
  readonly activationBytes: number;

  private readonly ctx: KernelContext;

  /**
   * `engineCtx` lends the device and kernel choices; the graph keeps its uniforms in a context of its own
   * (pipelines stay shared through the device's cache), so destroying a graph frees everything it made and
   * a scorer that replaces graphs does not accumulate uniform blocks.
   */
  constructor(engineCtx: KernelContext, config: ModelConfig, store: ParamStore, readonly shape: GraphShape, opts: ScoreGraphOptions) {
    const N = shape.batchSize * shape.seqLen, V = config.vocabSize;
    const ctx = this.ctx = new KernelContext(engineCtx.device, engineCtx.caps, engineCtx.choices);
    this.model = new ModelGraph(ctx, config, store, shape, { ...opts, mode: 'forward' });
    this.outputs = allocateTable(ctx.device, `score ${shape.batchSize}x${shape.seqLen}`, scoreOutputTable(shape),
      { maxBindingBytes: opts.maxBindingBytes });
    const a = (name: string) => this.model.acts.get(name);
    const R = this.model.chunkRows;
    this.list.push(...this.model.forward);
    this.model.headLogits.forEach((logits, k) => {
      const r0 = k * R, rows = Math.min(R, N - r0);
      this.list.push(...logits);
      this.list.push(crossEntropyScore(ctx, `score[${r0}]`, a('losses'), this.outputs.get('greedy'), a('logits'), a('targets'), rows, V, r0));
    });
    this.activationBytes = this.model.acts.bytes + this.outputs.bytes;
  }

  get nTokens(): number { return this.model.nTokens; }

  destroy(): void {
    this.model.destroy();
    for (const b of this.outputs.buffers) b.destroy();
    this.ctx.destroy();
  }
}
