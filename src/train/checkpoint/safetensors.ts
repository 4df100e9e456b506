// The safetensors format (https://huggingface.co/docs/safetensors), as Hugging Face reads and writes it:
//   [u64 little-endian N][N bytes of JSON header, padded with spaces to a multiple of 8][tensor data]
// The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]}, offsets counted from the
// first byte after the header, plus an optional "__metadata__" object of strings.
// Writing streams (header first, then each tensor as it is produced) because a model can be 4.4 GB; reading
// goes through a random-access source and fetches one tensor at a time.
import { readExactly, type ByteSource, type ChunkedFile } from './byte-source';
import { tooDeepAt } from '../../data/json-depth';
import { CheckpointError } from './errors';
import { assertLittleEndianHost, bfloat16ToFloat32, float16ToFloat32 } from './float-formats';

export type Dtype = 'F32' | 'F16' | 'BF16';
const DTYPE_BYTES: Readonly<Record<Dtype, number>> = { F32: 4, F16: 2, BF16: 2 };
const METADATA_KEY = '__metadata__';
// The reference implementation refuses larger headers; a header this big means a corrupt length field.
const MAX_HEADER_BYTES = 100_000_000;

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

// ---------------------------------------------------------------------------------------------- writing

export interface TensorSpec {
  readonly name: string;
  readonly dtype: 'F32';
  readonly shape: readonly number[];
}

export interface SafetensorsLayout {
  /** Everything before the tensor data: the 8-byte header length, then the padded header JSON. */
  readonly header: Uint8Array;
  /** Tensors in file order, with byte offsets relative to the start of the data (as in the header). */
  readonly tensors: readonly { readonly spec: TensorSpec; readonly begin: number; readonly end: number }[];
  /** Total file size in bytes. */
  readonly size: number;
}

/** Lays tensors out in the order given and encodes the header. */
export function safetensorsLayout(
  tensors: readonly TensorSpec[],
  metadata: Readonly<Record<string, string>> = {},
): SafetensorsLayout {
  const json: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) json[METADATA_KEY] = { ...metadata };
  const placed: { spec: TensorSpec; begin: number; end: number }[] = [];
  let at = 0;
  for (const spec of tensors) {
    if (spec.name === METADATA_KEY) throw new Error(`"${METADATA_KEY}" is reserved and cannot name a tensor`);
    if (spec.name in json) throw new Error(`tensor ${spec.name} is listed twice`);
    if (!spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`tensor ${spec.name} has an invalid shape ${shapeText(spec.shape)}`);
    }
    const end = at + numel(spec.shape) * DTYPE_BYTES[spec.dtype];
    json[spec.name] = { dtype: spec.dtype, shape: [...spec.shape], data_offsets: [at, end] };
    placed.push({ spec, begin: at, end });
    at = end;
  }
  const text = new TextEncoder().encode(JSON.stringify(json));
  const padded = Math.ceil(text.length / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20, 8 + text.length); // spaces are valid JSON whitespace
  const view = new DataView(header.buffer);
  view.setUint32(0, padded % 2 ** 32, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  header.set(text, 8);
  return { header, tensors: placed, size: header.length + at };
}

/** Gives a tensor's values; may be async (a GPU readback). The array is only read, never kept. */
export type TensorGetter = (name: string) => Float32Array | Promise<Float32Array>;

/** The file as a stream: the header, then each tensor's bytes straight from the array the getter returns. */
export function safetensorsFile(layout: SafetensorsLayout, get: TensorGetter, fileName = 'safetensors file'): ChunkedFile {
  assertLittleEndianHost();
  return {
    size: layout.size,
    async *chunks() {
      yield layout.header;
      for (const { spec } of layout.tensors) {
        const values = await get(spec.name);
        const want = numel(spec.shape);
        if (!(values instanceof Float32Array) || values.length !== want) {
          const got = values instanceof Float32Array ? `${values.length} values` : 'not a Float32Array';
          throw new CheckpointError(fileName, `tensor ${spec.name} is ${got}; its shape ${shapeText(spec.shape)} needs ${want}`);
        }
        yield new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------- reading

export interface TensorInfo {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Byte range within the whole file (header included), ready for `source.read`. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsReader {
  readonly fileName: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** In file order. */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  /** Reads one tensor, widening F16 and BF16 to float32. The array is the caller's to keep or modify. */
  read(name: string): Promise<Float32Array>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Opens a safetensors file: reads and checks the header; tensor data is read later, one tensor at a time. */
export async function openSafetensors(source: ByteSource, fileName: string): Promise<SafetensorsReader> {
  const fail = (message: string): never => {
    throw new CheckpointError(fileName, message);
  };
  if (source.size < 8) fail(`is ${source.size} bytes long, too short for the 8-byte header length of a safetensors file`);
  const lengthBytes = await readExactly(source, 0, 8);
  const lengthView = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8);
  const headerLength = lengthView.getUint32(0, true) + lengthView.getUint32(4, true) * 2 ** 32;
  if (headerLength > source.size - 8) {
    fail(`header length ${headerLength} runs past the end of the file (${source.size} bytes)`);
  }
  if (headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} is over the ${MAX_HEADER_BYTES}-byte limit`);
  const dataStart = 8 + headerLength;
  const dataSize = source.size - dataStart;

  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(await readExactly(source, 8, headerLength));
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(header)) fail('header is not a JSON object');
  // Messages below quote shapes and offsets; quoting a value nested thousands deep overflows the stack.
  const deep = tooDeepAt(header, 8);
  if (deep !== null) fail(`header nests too deep at ${deep} (a tensor entry is {dtype, shape, data_offsets})`);
  const json = header as Record<string, unknown>;

  const metadata: Record<string, string> = {};
  if (METADATA_KEY in json) {
    const m = json[METADATA_KEY];
    if (!isRecord(m)) fail(`${METADATA_KEY} is not an object`);
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (typeof v !== 'string') fail(`${METADATA_KEY}.${k} is not a string`);
      metadata[k] = v as string;
    }
  }

  const found: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === METADATA_KEY) continue;
    if (!isRecord(entry)) fail(`tensor ${name}: entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
      fail(`tensor ${name} has dtype ${JSON.stringify(dtype)}; Leveret reads F32, F16 and BF16`);
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) fail(`tensor ${name}: shape ${JSON.stringify(shape)} is not a list of sizes`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
      fail(`tensor ${name}: data_offsets ${JSON.stringify(offsets)} is not a [begin, end] pair`);
    }
    const [begin, end] = offsets as number[];
    const dims = shape as number[];
    const need = numel(dims) * DTYPE_BYTES[dtype as Dtype];
    if (end - begin !== need) {
      fail(`tensor ${name}: shape ${shapeText(dims)} of ${dtype} needs ${need} bytes, data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    if (end > dataSize) fail(`tensor ${name}: data_offsets [${begin}, ${end}] run past the end of the data (${dataSize} bytes)`);
    found.push({ name, dtype: dtype as Dtype, shape: dims, begin: dataStart + begin, end: dataStart + end });
  }

  // The data must be tiled exactly: no overlaps (two tensors sharing bytes) and no unexplained bytes.
  const ordered = [...found].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = dataStart;
  let previous: TensorInfo | undefined;
  for (const t of ordered) {
    if (t.begin < covered && previous) {
      fail(`tensors ${previous.name} and ${t.name} overlap (${previous.name} ends at ${covered - dataStart}, ${t.name} starts at ${t.begin - dataStart})`);
    }
    if (t.begin > covered) fail(`bytes ${covered - dataStart} to ${t.begin - dataStart} of the data belong to no tensor`);
    covered = t.end;
    previous = t;
  }
  if (covered !== source.size) fail(`bytes ${covered - dataStart} to ${dataSize} of the data belong to no tensor`);

  const tensors = new Map(ordered.map((t) => [t.name, t]));
  return {
    fileName,
    metadata,
    tensors,
    async read(name) {
      const t = tensors.get(name);
      if (!t) throw new CheckpointError(fileName, `has no tensor named ${name}`);
      return decode(t, await readExactly(source, t.begin, t.end - t.begin));
    },
  };
}

/** Bytes to float32, copying unless the bytes are a whole, aligned buffer of their own (a fresh read). */
function decode(t: TensorInfo, bytes: Uint8Array): Float32Array {
  assertLittleEndianHost();
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  const aligned = own ? bytes : bytes.slice();
  if (t.dtype === 'F32') return new Float32Array(aligned.buffer, 0, aligned.length / 4);
  const halves = new Uint16Array(aligned.buffer, 0, aligned.length / 2);
  return t.dtype === 'F16' ? float16ToFloat32(halves) : bfloat16ToFloat32(halves);
}
