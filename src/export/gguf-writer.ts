// The GGUF file format, version 3, as ggml's docs/gguf.md specifies it (little-endian throughout):
//   magic "GGUF" | u32 version | u64 tensor count | u64 metadata count
//   metadata:    key (u64 length + UTF-8) | u32 value type | value (arrays: u32 element type, u64 count, elements)
//   tensor info: name | u32 dimension count | u64 dims (ggml order: dims[0] varies fastest) | u32 ggml type |
//                u64 offset from the start of the data section (a multiple of the alignment)
//   padding to general.alignment (32 unless the file says otherwise), then the data, each tensor padded to it.
// Writing streams like safetensors.ts: the header is built once (it holds the vocabulary, a few MB at most),
// then each tensor's bytes come from a getter while the file goes out, so only one tensor is ever in memory.
import type { ChunkedFile } from '../train/checkpoint/byte-source';
import { assertLittleEndianHost } from '../train/checkpoint/float-formats';

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_ALIGNMENT = 32;

/** gguf_metadata_value_type. */
export const GGUFValueType = {
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9,
  UINT64: 10, INT64: 11, FLOAT64: 12,
} as const;

/** The ggml_type codes Leveret writes (float formats only: no quantization). */
export const GGMLType = { F32: 0, F16: 1, BF16: 30 } as const;
export type GGMLTypeName = keyof typeof GGMLType;
const TYPE_BYTES: Readonly<Record<GGMLTypeName, number>> = { F32: 4, F16: 2, BF16: 2 };

/** A metadata value with its GGUF type; the few shapes the llama keys need. */
export type GGUFValue =
  | { readonly type: 'u32'; readonly value: number }
  | { readonly type: 'i32'; readonly value: number }
  | { readonly type: 'f32'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'string[]'; readonly value: readonly string[] }
  | { readonly type: 'f32[]'; readonly value: Float32Array }
  | { readonly type: 'i32[]'; readonly value: Int32Array };

export const u32 = (value: number): GGUFValue => ({ type: 'u32', value });
export const f32 = (value: number): GGUFValue => ({ type: 'f32', value });
export const bool = (value: boolean): GGUFValue => ({ type: 'bool', value });
export const str = (value: string): GGUFValue => ({ type: 'string', value });

export interface GGUFTensorSpec {
  readonly name: string;
  /** ggml order: dims[0] is the row length (a Hugging Face [out, in] weight is [in, out] here). */
  readonly dims: readonly number[];
  readonly type: GGMLTypeName;
}

export interface GGUFLayout {
  /** Everything before the data section, padding included. */
  readonly header: Uint8Array;
  readonly tensors: readonly { readonly spec: GGUFTensorSpec; readonly offset: number; readonly bytes: number }[];
  readonly size: number;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** A growing little-endian byte buffer (the header), doubling as it fills. */
class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private readonly utf8 = new TextEncoder();

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void { this.reserve(1); this.view.setUint8(this.length, v); this.length += 1; }
  u32(v: number): void { this.reserve(4); this.view.setUint32(this.length, v, true); this.length += 4; }
  i32(v: number): void { this.reserve(4); this.view.setInt32(this.length, v, true); this.length += 4; }
  f32(v: number): void { this.reserve(4); this.view.setFloat32(this.length, v, true); this.length += 4; }
  u64(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`GGUF u64 field: ${v} is not a non-negative safe integer`);
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  string(s: string): void {
    const bytes = this.utf8.encode(s);
    this.u64(bytes.length);
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  zeros(n: number): void { this.reserve(n); this.buf.fill(0, this.length, this.length + n); this.length += n; }
  bytes(): Uint8Array { return this.buf.slice(0, this.length); }
}

function writeValue(w: ByteWriter, v: GGUFValue): void {
  const T = GGUFValueType;
  switch (v.type) {
    case 'u32': w.u32(T.UINT32); w.u32(v.value); return;
    case 'i32': w.u32(T.INT32); w.i32(v.value); return;
    case 'f32': w.u32(T.FLOAT32); w.f32(v.value); return;
    case 'bool': w.u32(T.BOOL); w.u8(v.value ? 1 : 0); return;
    case 'string': w.u32(T.STRING); w.string(v.value); return;
    case 'string[]': w.u32(T.ARRAY); w.u32(T.STRING); w.u64(v.value.length); for (const s of v.value) w.string(s); return;
    case 'f32[]': w.u32(T.ARRAY); w.u32(T.FLOAT32); w.u64(v.value.length); for (const x of v.value) w.f32(x); return;
    case 'i32[]': w.u32(T.ARRAY); w.u32(T.INT32); w.u64(v.value.length); for (const x of v.value) w.i32(x); return;
    default: throw new Error(`unknown GGUF value type ${(v as { type: string }).type}`);
  }
}

/** Encodes the header and places every tensor at an aligned offset, in the order given. */
export function ggufLayout(metadata: ReadonlyMap<string, GGUFValue>, tensors: readonly GGUFTensorSpec[]): GGUFLayout {
  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(tensors.length);
  w.u64(metadata.size);
  for (const [key, value] of metadata) {
    w.string(key);
    writeValue(w, value);
  }
  const placed: { spec: GGUFTensorSpec; offset: number; bytes: number }[] = [];
  const names = new Set<string>();
  let offset = 0;
  for (const spec of tensors) {
    // llama.cpp refuses names longer than GGML_MAX_NAME - 1 (63 bytes) and duplicates.
    if (new TextEncoder().encode(spec.name).length > 63) throw new Error(`GGUF tensor name ${spec.name} is over 63 bytes`);
    if (names.has(spec.name)) throw new Error(`GGUF tensor ${spec.name} is listed twice`);
    names.add(spec.name);
    if (!spec.dims.length || !spec.dims.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(`GGUF tensor ${spec.name} has invalid dims [${spec.dims.join(', ')}]`);
    }
    w.string(spec.name);
    w.u32(spec.dims.length);
    for (const d of spec.dims) w.u64(d);
    w.u32(GGMLType[spec.type]);
    w.u64(offset);
    const bytes = spec.dims.reduce((a, b) => a * b, 1) * TYPE_BYTES[spec.type];
    placed.push({ spec, offset, bytes });
    offset = alignUp(offset + bytes, GGUF_ALIGNMENT);
  }
  w.zeros(alignUp(w.length, GGUF_ALIGNMENT) - w.length);
  const header = w.bytes();
  // The last tensor is padded too, so the file is a whole number of alignment units after the header.
  return { header, tensors: placed, size: header.length + offset };
}

/** A tensor's bytes, already in its ggml type and row order; may be async (a file read). Only read, never kept. */
export type GGUFTensorGetter = (spec: GGUFTensorSpec) => Uint8Array | Promise<Uint8Array>;

/** The file as a stream of chunks: the header, then each tensor followed by its padding. */
export function ggufFile(layout: GGUFLayout, get: GGUFTensorGetter): ChunkedFile {
  assertLittleEndianHost();
  const padding = new Uint8Array(GGUF_ALIGNMENT);
  return {
    size: layout.size,
    async *chunks() {
      yield layout.header;
      for (const { spec, bytes } of layout.tensors) {
        const data = await get(spec);
        if (data.length !== bytes) throw new Error(`GGUF tensor ${spec.name}: got ${data.length} bytes, its dims and type need ${bytes}`);
        yield data;
        const pad = alignUp(bytes, GGUF_ALIGNMENT) - bytes;
        if (pad) yield padding.subarray(0, pad);
      }
    },
  };
}
