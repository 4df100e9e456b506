// dataset.json: what the data pipeline hands the trainer. Token shards hold whole packed sequences of exactly
// packLength tokens (training length + 1, so every position has a next-token target), little-endian uint16
// when the vocabulary fits, else uint32. Each record is encode(text) followed by EOS (no BOS: EOS alone marks
// where one document ends and the next begins), concatenated per source and cut into sequences.
import type { DataStore } from '../store';

export type TokenDtype = 'uint16' | 'uint32';

export interface ShardRef {
  file: string;
  sequences: number;
  /** The segment shard beside it (pack/segments.ts), for a source packed from whole examples. */
  segments?: string;
}

export interface ManifestSource {
  name: string;
  category: string;
  /** Mixture weight as given; the sampler normalises over the sources in play. */
  weight: number;
  /** Tokens in this source's packed sequences, train and validation together. */
  tokens: number;
  /** Cleaned records that went into the sequences. */
  records: number;
  train: ShardRef[];
  val: ShardRef[];
}

export interface DatasetManifest {
  version: 1;
  packLength: number;
  dtype: TokenDtype;
  vocabSize: number;
  /** File name of the tokenizer's tokenizer.json beside the manifest. */
  tokenizer: 'tokenizer.json';
  bosId: number;
  eosId: number;
  seed: number;
  valFraction: number;
  sources: ManifestSource[];
  /**
   * True when some source's rows hold several examples with per-token positions and loss flags (segment
   * shards, pack/segments.ts): supervised fine-tuning data. Absent in older folders and pretraining data; a
   * source without segment shards then reads as one causal sequence per row, every token learned.
   */
  segments?: true;
}

export const MANIFEST_FILE = 'dataset.json';
export const TOKENIZER_FILE = 'tokenizer.json';

export function dtypeFor(vocabSize: number): TokenDtype {
  return vocabSize <= 65536 ? 'uint16' : 'uint32';
}

export function bytesPerToken(dtype: TokenDtype): number {
  return dtype === 'uint16' ? 2 : 4;
}

/** Little-endian token bytes, whatever the platform's byte order. */
export function encodeTokens(tokens: ArrayLike<number>, dtype: TokenDtype): Uint8Array {
  const width = bytesPerToken(dtype);
  const out = new Uint8Array(tokens.length * width);
  const view = new DataView(out.buffer);
  if (width === 2) for (let i = 0; i < tokens.length; i++) view.setUint16(i * 2, tokens[i], true);
  else for (let i = 0; i < tokens.length; i++) view.setUint32(i * 4, tokens[i], true);
  return out;
}

/** Decodes little-endian tokens into `out` starting at `at`. */
export function decodeTokens(bytes: Uint8Array, dtype: TokenDtype, out: Int32Array, at = 0): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'uint16') for (let i = 0; i < bytes.length / 2; i++) out[at + i] = view.getUint16(i * 2, true);
  else for (let i = 0; i < bytes.length / 4; i++) out[at + i] = view.getUint32(i * 4, true);
}

export async function readManifest(store: DataStore): Promise<DatasetManifest> {
  const m = JSON.parse(await store.readText(MANIFEST_FILE)) as DatasetManifest;
  if (m.version !== 1) throw new Error(`${MANIFEST_FILE}: unsupported version ${String(m.version)}`);
  return m;
}
