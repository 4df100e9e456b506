// The trainer's view of a dataset: batches drawn from the sources by their mixture weights with a seeded RNG.
// Each row picks a source with probability weight / (sum of active weights) — every row has the same length,
// so weights are shares of training tokens — then takes that source's next window in a per-epoch seeded
// permutation. A packed sequence of packLength tokens holds floor(packLength / (seqLen + 1)) windows.
// The whole position (RNG state, each source's epoch and place in it) is plain JSON: a run resumed with
// setState(getState()) draws exactly the batches it would have drawn. Reads go through DataStore.readRange,
// one window at a time, so memory is one batch plus one permutation per source (4 bytes a window).
// Segmented datasets (manifest.segments: fine-tuning rows packed from whole examples) also carry each token's
// segment word (pack/segments.ts) through nextRows/valRows; their rows are read whole (seqLen + 1 = packLength),
// since a window starting inside an example would cut it from its prompt.
import { bytesPerToken, decodeTokens, readManifest, type DatasetManifest, type ShardRef } from './pack/manifest';
import { decodeSegments, SEGMENT_LEARN } from './pack/segments';
import { hashUnit, permutation, Xoshiro128 } from './rng';
import { checkSamplerState, SamplerStateError } from './sampler-state';
import type { DataStore } from './store';

export interface SamplerOptions {
  seed: number;
  /** Training sequence length T; rows hold T + 1 tokens (inputs and shifted targets). At most packLength − 1. */
  seqLen: number;
  /** HARE's stage 1: only these sources while step < untilStep, the full mixture afterwards. */
  stage1?: { sources: string[]; untilStep: number };
}

export interface SamplerState {
  version: 1;
  rng: [number, number, number, number];
  sources: { name: string; epoch: number; position: number }[];
}

/** Padding token in the last validation batch (rows or positions past the end of the data). */
export const VAL_PAD = -1;

/** A batch's tokens, and for a segmented dataset the segment word of each (null otherwise). */
export interface Rows {
  tokens: Int32Array;
  segments: Uint16Array | null;
}

interface SourceCursor {
  name: string;
  weight: number;
  shards: ShardRef[];
  /** First sequence index of each shard. */
  starts: number[];
  windows: number;
  epoch: number;
  position: number;
  order: Uint32Array | null; // permutation of the current epoch, built on first use
}

export class MixtureSampler {
  private rng: Xoshiro128;
  private readonly cursors: SourceCursor[];
  private readonly rowLen: number;
  private readonly windowsPerSequence: number;
  private readonly width: number;
  private readonly stage1: Set<number> | null;

  constructor(readonly manifest: DatasetManifest, private readonly store: DataStore, readonly opts: SamplerOptions) {
    const { packLength } = manifest;
    if (!(Number.isInteger(opts.seqLen) && opts.seqLen >= 1 && opts.seqLen <= packLength - 1)) {
      throw new Error(`seqLen must be an integer in [1, ${packLength - 1}] for sequences packed at ${packLength}`);
    }
    this.rowLen = opts.seqLen + 1;
    if (manifest.segments && this.rowLen !== packLength) {
      throw new Error(`this dataset packs whole examples into rows of ${packLength} tokens: train with seqLen ${packLength - 1} ` +
        `(a shorter window would cut examples from their prompts), or prepare it again with --seq-len ${opts.seqLen}`);
    }
    this.windowsPerSequence = Math.floor(packLength / this.rowLen);
    this.width = bytesPerToken(manifest.dtype);
    this.rng = new Xoshiro128(opts.seed);
    this.cursors = manifest.sources.map((s) => {
      const starts: number[] = [];
      let n = 0;
      for (const sh of s.train) { starts.push(n); n += sh.sequences; }
      return { name: s.name, weight: s.weight, shards: s.train, starts, windows: n * this.windowsPerSequence, epoch: 0, position: 0, order: null };
    });
    if (opts.stage1) {
      const names = new Map(manifest.sources.map((s, i) => [s.name, i]));
      this.stage1 = new Set(opts.stage1.sources.map((n) => {
        const i = names.get(n);
        if (i === undefined) throw new Error(`stage 1 names unknown source "${n}"`);
        return i;
      }));
    } else {
      this.stage1 = null;
    }
  }

  static async open(store: DataStore, opts: SamplerOptions): Promise<MixtureSampler> {
    return new MixtureSampler(await readManifest(store), store, opts);
  }

  /** Sources in play at `step`, with their normalised probabilities. */
  activeSources(step: number): { index: number; probability: number }[] {
    const inStage1 = this.stage1 !== null && step < this.opts.stage1!.untilStep;
    const active = this.cursors
      .map((c, index) => ({ index, weight: c.weight }))
      .filter(({ index, weight }) => weight > 0 && this.cursors[index].windows > 0 && (!inStage1 || this.stage1!.has(index)));
    const total = active.reduce((n, a) => n + a.weight, 0);
    if (active.length === 0 || total <= 0) {
      throw new Error(inStage1 ? 'no stage-1 source has training data and a weight above 0' : 'no source has training data and a weight above 0');
    }
    return active.map((a) => ({ index: a.index, probability: a.weight / total }));
  }

  /** batchSize rows of seqLen + 1 tokens, row-major. */
  async nextBatch(batchSize: number, step: number): Promise<Int32Array> {
    return (await this.draw(batchSize, step, false)).tokens;
  }

  /** The next batch with its segment words when the dataset has them: the same draws as nextBatch. */
  nextRows(batchSize: number, step: number): Promise<Rows> {
    return this.draw(batchSize, step, this.manifest.segments === true);
  }

  private async draw(batchSize: number, step: number, withSegments: boolean): Promise<Rows> {
    const active = this.activeSources(step);
    const out = new Int32Array(batchSize * this.rowLen);
    const segments = withSegments ? new Uint16Array(batchSize * this.rowLen) : null;
    const reads: Promise<void>[] = [];
    for (let row = 0; row < batchSize; row++) {
      // All random draws happen here, in row order, before any read: the batch depends on the state alone.
      const src = this.pick(active);
      const window = this.nextWindow(src);
      reads.push(this.readWindow(src, window, out, row * this.rowLen, segments));
    }
    await Promise.all(reads);
    return { tokens: out, segments };
  }

  getState(): SamplerState {
    return {
      version: 1,
      rng: this.rng.getState(),
      sources: this.cursors.map((c) => ({ name: c.name, epoch: c.epoch, position: c.position })),
    };
  }

  /** Continues from a saved position; throws SamplerStateError naming the field when it does not fit. */
  setState(saved: SamplerState): void {
    const state = checkSamplerState(saved);
    if (state.sources.length !== this.cursors.length || state.sources.some((s, i) => s.name !== this.cursors[i].name)) {
      throw new SamplerStateError('sources', 'belong to a dataset with different sources');
    }
    // A position equal to the window count is an epoch just finished; the next draw starts the next one.
    state.sources.forEach((s, i) => {
      const windows = this.cursors[i].windows;
      if (s.position > windows) throw new SamplerStateError(`sources[${i}].position`, `is ${s.position}, past the ${windows} windows of source ${s.name}`);
    });
    this.rng = new Xoshiro128(state.rng);
    state.sources.forEach((s, i) => {
      const c = this.cursors[i];
      if (c.epoch !== s.epoch) c.order = null;
      c.epoch = s.epoch;
      c.position = s.position;
    });
  }

  /**
   * Every validation window once, sources in manifest order, shards and sequences in order. The last batch
   * is padded with VAL_PAD rows, so callers mask positions holding VAL_PAD.
   */
  async *valBatches(batchSize: number): AsyncGenerator<Int32Array> {
    for await (const rows of this.walkVal(batchSize, false)) yield rows.tokens;
  }

  /** valBatches with segment words for a segmented dataset (padding rows: nothing learned). */
  valRows(batchSize: number): AsyncGenerator<Rows> {
    return this.walkVal(batchSize, this.manifest.segments === true);
  }

  private async *walkVal(batchSize: number, withSegments: boolean): AsyncGenerator<Rows> {
    const fresh = (): Rows => ({ tokens: new Int32Array(batchSize * this.rowLen).fill(VAL_PAD),
      segments: withSegments ? new Uint16Array(batchSize * this.rowLen) : null });
    let out = fresh();
    let row = 0;
    for (const s of this.manifest.sources) {
      for (const sh of s.val) {
        for (let seq = 0; seq < sh.sequences; seq++) {
          for (let w = 0; w < this.windowsPerSequence; w++) {
            await this.readAt(sh, seq, w, out.tokens, row * this.rowLen, out.segments);
            if (++row === batchSize) {
              yield out;
              out = fresh();
              row = 0;
            }
          }
        }
      }
    }
    if (row > 0) yield out;
  }

  /** Validation windows in the dataset (for progress bars and averaging). */
  get valWindows(): number {
    return this.manifest.sources.reduce((n, s) => n + s.val.reduce((m, sh) => m + sh.sequences, 0), 0) * this.windowsPerSequence;
  }

  private pick(active: { index: number; probability: number }[]): number {
    const u = this.rng.nextFloat();
    let acc = 0;
    for (const a of active) {
      acc += a.probability;
      if (u < acc) return a.index;
    }
    return active[active.length - 1].index; // rounding left u above the last cumulative sum
  }

  private nextWindow(src: number): number {
    const c = this.cursors[src];
    if (c.position >= c.windows) { c.epoch++; c.position = 0; c.order = null; }
    if (!c.order) c.order = permutation(c.windows, Math.floor(hashUnit(this.opts.seed, src, c.epoch) * 4294967296));
    return c.order[c.position++];
  }

  private async readWindow(src: number, window: number, out: Int32Array, at: number, segments: Uint16Array | null): Promise<void> {
    const c = this.cursors[src];
    const seq = Math.floor(window / this.windowsPerSequence);
    let shard = c.starts.length - 1;
    while (c.starts[shard] > seq) shard--; // few shards: a backward scan is enough
    await this.readAt(c.shards[shard], seq - c.starts[shard], window % this.windowsPerSequence, out, at, segments);
  }

  private async readAt(shard: ShardRef, seqInShard: number, windowInSeq: number, out: Int32Array, at: number,
                       segments: Uint16Array | null): Promise<void> {
    const tokenOffset = seqInShard * this.manifest.packLength + windowInSeq * this.rowLen;
    const bytes = await this.store.readRange(shard.file, tokenOffset * this.width, this.rowLen * this.width);
    decodeTokens(bytes, this.manifest.dtype, out, at);
    if (!segments) return;
    if (shard.segments) {
      decodeSegments(await this.store.readRange(shard.segments, tokenOffset * 2, this.rowLen * 2), segments, at);
    } else {
      // A pretraining source in a fine-tuning mixture: one causal sequence per row, every token learned.
      for (let p = 0; p < this.rowLen; p++) segments[at + p] = p | SEGMENT_LEARN;
    }
  }
}
