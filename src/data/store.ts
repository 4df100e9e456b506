// Where the data pipeline's outputs live: a flat folder of named files (token shards, manifest, tokenizer,
// report, cleaned records). Node keeps them in a directory (store.node.ts), the page in the origin-private
// file system (store.opfs.ts), tests in memory (store.memory.ts). Everything downstream (the sampler, the
// trainer) reads through this interface, by byte range, so memory stays bounded by what it asks for.

/** A file being written: appends in order, then close(). Writes after close() throw. */
export interface WritableSink {
  write(chunk: Uint8Array | string): Promise<void>;
  close(): Promise<void>;
}

export interface DataStore {
  /** Creates (or truncates) `name` and returns a sink that appends to it. */
  writer(name: string): Promise<WritableSink>;
  /** Exactly `byteLength` bytes from `byteOffset`; throws when the range runs past the end of the file. */
  readRange(name: string, byteOffset: number, byteLength: number): Promise<Uint8Array>;
  /** The whole file as a byte stream, read in chunks. */
  readStream(name: string): Promise<ReadableStream<Uint8Array>>;
  /** The whole file as UTF-8 text (for small files: manifests, tokenizer.json). */
  readText(name: string): Promise<string>;
  /** Size in bytes; throws when the file does not exist. */
  size(name: string): Promise<number>;
  /** Names of all files, sorted. */
  list(): Promise<string[]>;
  /** Deletes `name` if it exists. */
  remove(name: string): Promise<void>;
}

const encoder = new TextEncoder();

/** Strings become UTF-8 bytes at the edge, so every store only ever deals with bytes. */
export function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}

/** File names stay flat and portable: no folders, no characters that OPFS or Windows refuse. */
export function checkName(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') {
    throw new Error(`invalid store file name: ${JSON.stringify(name)}`);
  }
  return name;
}

export function checkRange(name: string, size: number, byteOffset: number, byteLength: number): void {
  if (!Number.isInteger(byteOffset) || !Number.isInteger(byteLength) || byteOffset < 0 || byteLength < 0 ||
      byteOffset + byteLength > size) {
    throw new RangeError(`${name}: range [${byteOffset}, ${byteOffset + byteLength}) outside file of ${size} bytes`);
  }
}
