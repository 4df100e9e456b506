// Segment shards: for datasets whose rows hold several whole examples (supervised fine-tuning), each token
// shard `S.train.NNN.bin` has a twin `S.train.seg.NNN.bin` (named in its ShardRef) with one little-endian
// uint16 per token:
//   bits 0..14  the token's position within its example (0 where an example, or the row's padding, starts)
//   bit 15      learn: the token is a target the loss counts (an assistant token), else it is context only
// The trainer turns these into per-token RoPE positions, the attention's example boundaries, and targets of
// -1 wherever the next token is not learned or starts another example.
import { dtypeFor, encodeTokens, type ShardRef } from './manifest';
import { ShardWriter } from './packer';
import type { DataStore } from '../store';

export const SEGMENT_LEARN = 0x8000;
/** Longest row a segment shard can describe: positions take 15 bits. */
export const MAX_SEGMENT_ROW = 0x8000;

export function encodeSegments(meta: Uint16Array): Uint8Array {
  const out = new Uint8Array(meta.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < meta.length; i++) view.setUint16(i * 2, meta[i], true);
  return out;
}

export function decodeSegments(bytes: Uint8Array, out: Uint16Array, at = 0): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.length / 2; i++) out[at + i] = view.getUint16(i * 2, true);
}

class SegmentSplit {
  private readonly tokens: Uint32Array;
  private readonly meta: Uint16Array;
  private fill = 0;
  /** The last full row, held back so that finish() can hand it to the other split (see packer.ts). */
  held: [Uint8Array, Uint8Array] | null = null;
  readonly tokenWriter: ShardWriter;
  readonly segWriter: ShardWriter;
  padTokens = 0;

  constructor(store: DataStore, prefix: string, perShard: number, private readonly packLength: number,
              private readonly vocabSize: number, private readonly padId: number) {
    this.tokens = new Uint32Array(packLength);
    this.meta = new Uint16Array(packLength);
    this.tokenWriter = new ShardWriter(store, prefix, perShard);
    this.segWriter = new ShardWriter(store, `${prefix}.seg`, perShard);
  }

  async add(ids: readonly number[], learn: Uint8Array): Promise<void> {
    if (this.fill + ids.length > this.packLength) await this.flushRow();
    for (let p = 0; p < ids.length; p++) {
      this.tokens[this.fill + p] = ids[p];
      this.meta[this.fill + p] = p | (p > 0 && learn[p] ? SEGMENT_LEARN : 0);   // an example's first token has no predictor in it
    }
    this.fill += ids.length;
  }

  /** Pads the row with EOS (its own segment, nothing learned) and queues it. */
  async flushRow(): Promise<void> {
    if (this.fill === 0) return;
    for (let p = 0; this.fill < this.packLength; p++, this.fill++) { this.tokens[this.fill] = this.padId; this.meta[this.fill] = p; this.padTokens++; }
    if (this.held) { await this.tokenWriter.write(this.held[0]); await this.segWriter.write(this.held[1]); }
    this.held = [encodeTokens(this.tokens, dtypeFor(this.vocabSize)), encodeSegments(this.meta)];
    this.fill = 0;
  }

  get count(): number { return this.tokenWriter.sequences + (this.held ? 1 : 0); }

  async writeHeld(): Promise<void> {
    if (this.held) { await this.tokenWriter.write(this.held[0]); await this.segWriter.write(this.held[1]); this.held = null; }
  }

  async close(): Promise<void> { await this.tokenWriter.close(); await this.segWriter.close(); }

  shards(): ShardRef[] {
    return this.tokenWriter.shards.map((s, i) => ({ ...s, segments: this.segWriter.shards[i].file }));
  }
}

export interface PackedExamples {
  train: ShardRef[];
  val: ShardRef[];
  tokens: number;
  padTokens: number;
}

/**
 * Whole examples into rows of packLength tokens: an example that does not fit in what is left of a row starts
 * the next one (the rest is padding), so no example is ever cut. The caller drops examples longer than a row.
 */
export class ExamplePacker {
  private readonly train: SegmentSplit;
  private readonly val: SegmentSplit;

  constructor(store: DataStore, prefix: string, private readonly packLength: number, vocabSize: number, padId: number, perShard: number) {
    if (packLength > MAX_SEGMENT_ROW) throw new Error(`rows of ${packLength} tokens are longer than segment shards allow (${MAX_SEGMENT_ROW})`);
    this.train = new SegmentSplit(store, `${prefix}.train`, perShard, packLength, vocabSize, padId);
    this.val = new SegmentSplit(store, `${prefix}.val`, perShard, packLength, vocabSize, padId);
  }

  add(ids: readonly number[], learn: Uint8Array, toVal: boolean): Promise<void> {
    if (ids.length > this.packLength) throw new Error(`an example of ${ids.length} tokens does not fit a row of ${this.packLength}`);
    return (toVal ? this.val : this.train).add(ids, learn);
  }

  async abandon(): Promise<void> { await this.train.close(); await this.val.close(); }

  async finish(): Promise<PackedExamples> {
    const { train, val } = this;
    await train.flushRow();
    await val.flushRow();
    // As in packer.ts: with two rows or more, each split gets at least one.
    if (val.count === 0 && train.count >= 2) { [val.held, train.held] = [train.held, null]; }
    else if (train.count === 0 && val.count >= 2) { [train.held, val.held] = [val.held, null]; }
    await train.writeHeld();
    await val.writeHeld();
    await train.close();
    await val.close();
    const rows = train.tokenWriter.sequences + val.tokenWriter.sequences;
    return { train: train.shards(), val: val.shards(), tokens: rows * this.packLength, padTokens: train.padTokens + val.padTokens };
  }
}
