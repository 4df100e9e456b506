// The two shapes bytes come in. Reading needs random access (a File, a Node file handle, a zip entry, an
// in-memory array) so a 4 GB tensor file is never read whole; writing needs only a stream of chunks, so a
// file can be produced tensor by tensor as the GPU hands them back.

/** Random-access bytes. `read` resolves to exactly `length` bytes or rejects. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A file produced as a sequence of chunks whose total length is known up front. Each call to `chunks`
 *  starts over. A consumer must be done with a chunk before asking for the next: producers may hand out
 *  views of buffers they reuse. */
export interface ChunkedFile {
  readonly size: number;
  chunks(): AsyncIterable<Uint8Array>;
}

export type FileBody = Uint8Array | ChunkedFile;

function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new RangeError(`read of ${length} bytes at ${offset} is outside a source of ${size} bytes`);
  }
}

/** A source over bytes already in memory; reads are views, not copies. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => {
      checkRange(bytes.length, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** A source over a Blob or File (the page's uploads and OPFS files): only the requested range is read. */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => {
      checkRange(blob.size, offset, length);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/** A window [start, start + size) of another source, used for stored zip entries. */
export function sliceSource(source: ByteSource, start: number, size: number): ByteSource {
  checkRange(source.size, start, size);
  return {
    size,
    read: async (offset, length) => {
      checkRange(size, offset, length);
      return source.read(start + offset, length);
    },
  };
}

/** Reads a range and checks the source kept its promise about the length (a custom source may not). */
export async function readExactly(source: ByteSource, offset: number, length: number): Promise<Uint8Array> {
  const bytes = await source.read(offset, length);
  if (bytes.length !== length) {
    throw new RangeError(`asked for ${length} bytes at ${offset}, the source returned ${bytes.length}`);
  }
  return bytes;
}

export const readAll = (source: ByteSource): Promise<Uint8Array> => readExactly(source, 0, source.size);

export const bodySize = (body: FileBody): number => (body instanceof Uint8Array ? body.length : body.size);

/** The chunks of a body, checking that a chunked file delivers exactly the size it announced. */
export async function* bodyChunks(name: string, body: FileBody): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  let seen = 0;
  for await (const chunk of body.chunks()) {
    seen += chunk.length;
    if (seen > body.size) break;
    yield chunk;
  }
  if (seen !== body.size) throw new RangeError(`${name} announced ${body.size} bytes but produced ${seen}`);
}

/** Gathers a body into one array: for tests and small files only. */
export async function bodyBytes(name: string, body: FileBody): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  const out = new Uint8Array(body.size);
  let at = 0;
  for await (const chunk of bodyChunks(name, body)) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Gathers every body into memory and offers it for reading: an in-memory round trip, for small models
 *  and tests. */
export async function sourcesInMemory(files: ReadonlyMap<string, FileBody>): Promise<Map<string, ByteSource>> {
  const out = new Map<string, ByteSource>();
  for (const [name, body] of files) out.set(name, bytesSource(await bodyBytes(name, body)));
  return out;
}
