// Megatron-LM's indexed dataset (megatron/core/datasets/indexed_dataset.py), the files its --data-path reads:
//   PREFIX.bin  every sequence's tokens back to back, in the index's dtype, little-endian;
//   PREFIX.idx  b"MMIDIDX\x00\x00" | u64 version 1 | u8 dtype code | u64 sequence count | u64 document-index count |
//               i32 sequence lengths | i64 sequence byte offsets into .bin | i64 document indices
// Document indices start at 0 and gain, after each document, the number of sequences so far; with one sequence
// per document (no sentence splitting, as preprocess_data.py does without --split-sentences) they are 0..N.
// The writer keeps only the lengths (4 bytes a document); the tokens go straight to the .bin sink.
import type { WritableSink } from '../data/store';

export const MMIDIDX_MAGIC = new Uint8Array([0x4d, 0x4d, 0x49, 0x44, 0x49, 0x44, 0x58, 0x00, 0x00]); // "MMIDIDX\0\0"
export const MMIDIDX_VERSION = 1;

/** DType codes in Megatron's index header (uint8 1, int8 2, int16 3, int32 4, int64 5, float64 6, float32 7, uint16 8). */
export const MEGATRON_DTYPE = { uint16: 8, int32: 4 } as const;
export type MegatronDtype = keyof typeof MEGATRON_DTYPE;

/** DType.optimal_dtype: uint16 when the vocabulary is under 65500 tokens, else int32. */
export const megatronDtype = (vocabSize: number): MegatronDtype => (vocabSize < 65500 ? 'uint16' : 'int32');

export class MegatronIndexedWriter {
  private readonly lengths: number[] = [];

  constructor(private readonly bin: WritableSink, readonly dtype: MegatronDtype) {}

  /** Appends one document (its tokens, EOS included when the caller appends it) as one sequence. */
  async addDocument(tokens: ArrayLike<number>): Promise<void> {
    const width = this.dtype === 'uint16' ? 2 : 4;
    const out = new Uint8Array(tokens.length * width);
    const view = new DataView(out.buffer);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (!Number.isInteger(t) || t < 0 || (width === 2 && t > 0xffff)) throw new RangeError(`token ${t} does not fit ${this.dtype}`);
      if (width === 2) view.setUint16(i * 2, t, true); else view.setInt32(i * 4, t, true);
    }
    if (tokens.length > 0x7fffffff) throw new RangeError('a document longer than 2^31 tokens does not fit an int32 length');
    await this.bin.write(out);
    this.lengths.push(tokens.length);
  }

  get documents(): number {
    return this.lengths.length;
  }

  /** Closes the .bin and returns the .idx bytes. */
  async finish(): Promise<Uint8Array> {
    await this.bin.close();
    const n = this.lengths.length;
    const width = this.dtype === 'uint16' ? 2 : 4;
    const out = new Uint8Array(9 + 8 + 1 + 8 + 8 + 4 * n + 8 * n + 8 * (n + 1));
    const v = new DataView(out.buffer);
    out.set(MMIDIDX_MAGIC, 0);
    let at = 9;
    v.setBigUint64(at, BigInt(MMIDIDX_VERSION), true); at += 8;
    v.setUint8(at, MEGATRON_DTYPE[this.dtype]); at += 1;
    v.setBigUint64(at, BigInt(n), true); at += 8;
    v.setBigUint64(at, BigInt(n + 1), true); at += 8;
    for (const len of this.lengths) { v.setInt32(at, len, true); at += 4; }
    let pointer = 0;
    for (const len of this.lengths) { v.setBigInt64(at, BigInt(pointer), true); at += 8; pointer += len * width; }
    for (let d = 0; d <= n; d++) { v.setBigInt64(at, BigInt(d), true); at += 8; }
    return out;
  }
}
