// Packs one source's token stream into fixed-length sequences and writes them to train and validation
// shards. The last full sequence of each split is held back until the end, so that a source with at least
// two sequences can always give one to validation (or to training) if its records all fell on one side.
// Tokens left over after the last full sequence are dropped and counted.
import type { DataStore, WritableSink } from '../store';
import { encodeTokens, type ShardRef, type TokenDtype } from './manifest';

export class ShardWriter {
  readonly shards: ShardRef[] = [];
  private sink: WritableSink | null = null;

  constructor(private readonly store: DataStore, private readonly prefix: string, private readonly maxSequences: number) {}

  async write(sequence: Uint8Array): Promise<void> {
    let cur = this.shards[this.shards.length - 1];
    if (!this.sink || cur.sequences >= this.maxSequences) {
      await this.sink?.close();
      cur = { file: `${this.prefix}.${String(this.shards.length).padStart(3, '0')}.bin`, sequences: 0 };
      this.shards.push(cur);
      this.sink = await this.store.writer(cur.file);
    }
    await this.sink.write(sequence);
    cur.sequences++;
  }

  async close(): Promise<void> {
    await this.sink?.close();
    this.sink = null;
  }

  get sequences(): number {
    return this.shards.reduce((n, s) => n + s.sequences, 0);
  }
}

class Split {
  private readonly buf: Uint32Array;
  private fill = 0;
  held: Uint8Array | null = null;
  readonly writer: ShardWriter;

  constructor(store: DataStore, prefix: string, maxSequences: number, private readonly packLength: number,
              private readonly dtype: TokenDtype) {
    this.buf = new Uint32Array(packLength);
    this.writer = new ShardWriter(store, prefix, maxSequences);
  }

  async add(tokens: ArrayLike<number>): Promise<void> {
    let i = 0;
    while (i < tokens.length) {
      const take = Math.min(tokens.length - i, this.packLength - this.fill);
      for (let k = 0; k < take; k++) this.buf[this.fill + k] = tokens[i + k];
      this.fill += take;
      i += take;
      if (this.fill === this.packLength) {
        if (this.held) await this.writer.write(this.held);
        this.held = encodeTokens(this.buf, this.dtype);
        this.fill = 0;
      }
    }
  }

  /** Full sequences so far, the held one included. */
  get count(): number {
    return this.writer.sequences + (this.held ? 1 : 0);
  }

  get leftover(): number {
    return this.fill;
  }
}

export interface PackedSource {
  train: ShardRef[];
  val: ShardRef[];
  tokens: number;
  droppedTokens: number;
}

export class SourcePacker {
  private readonly train: Split;
  private readonly val: Split;

  constructor(store: DataStore, prefix: string, private readonly packLength: number, dtype: TokenDtype,
              maxSequencesPerShard: number) {
    this.train = new Split(store, `${prefix}.train`, maxSequencesPerShard, packLength, dtype);
    this.val = new Split(store, `${prefix}.val`, maxSequencesPerShard, packLength, dtype);
  }

  /** Appends one record's tokens (EOS included by the caller) to the training or validation stream. */
  async add(tokens: ArrayLike<number>, toVal: boolean): Promise<void> {
    await (toVal ? this.val : this.train).add(tokens);
  }

  /** Closes any open shard without finishing (after an error or a cancel), so no file stays locked. */
  async abandon(): Promise<void> {
    await this.train.writer.close();
    await this.val.writer.close();
  }

  async finish(): Promise<PackedSource> {
    const { train, val } = this;
    if (val.count === 0 && train.count >= 2) { await val.writer.write(train.held!); train.held = null; }
    else if (train.count === 0 && val.count >= 2) { await train.writer.write(val.held!); val.held = null; }
    if (train.held) await train.writer.write(train.held);
    if (val.held) await val.writer.write(val.held);
    await train.writer.close();
    await val.writer.close();
    const sequences = train.writer.sequences + val.writer.sequences;
    return {
      train: train.writer.shards,
      val: val.writer.shards,
      tokens: sequences * this.packLength,
      droppedTokens: train.leftover + val.leftover,
    };
  }
}
