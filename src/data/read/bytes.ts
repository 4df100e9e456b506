// Opening a file as a byte stream: gzip is recognised by its magic bytes (not trusted to the extension) and
// decompressed on the fly (gunzip.ts keeps what was decoded before a fault); empty and binary files are
// reported and skipped.
import type { SourceFile } from '../source';
import { gunzipStream } from './gunzip';
import type { ProblemSink } from './problems';

/** How many leading bytes are looked at before a file is judged binary. */
export const BINARY_SNIFF_BYTES = 4096;
/**
 * Share of control bytes (NUL and C0 codes other than tab, line breaks, form feed and escape) in the first
 * block above which a file is binary and refused whole. Text has none; UTF-16 is half NULs; compressed or
 * executable data has about 10%. A stray NUL in a text file stays a problem of its line (lines.ts).
 */
export const BINARY_CONTROL_SHARE = 0.05;

function looksBinary(block: Uint8Array): boolean {
  let control = 0;
  for (let i = 0; i < block.length; i++) {
    const b = block[i];
    if (b < 0x20 && b !== 9 && b !== 10 && b !== 12 && b !== 13 && b !== 0x1b) control++;
  }
  return control > 0 && control >= block.length * BINARY_CONTROL_SHARE;
}

export interface OpenedFile {
  stream: ReadableStream<Uint8Array>;
  gzip: boolean;
}

/** Reads at least `minBytes` (or to the end) and gives back those bytes plus a stream that still yields everything. */
export async function peek(stream: ReadableStream<Uint8Array>, minBytes: number):
    Promise<{ head: Uint8Array; stream: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < minBytes) {
    const r = await reader.read();
    if (r.done) { done = true; break; }
    chunks.push(r.value);
    have += r.value.length;
  }
  const head = concat(chunks, have);
  let replayed = false;
  const rest = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!replayed) {
        replayed = true;
        if (head.length > 0) { controller.enqueue(head); return; }
      }
      if (done) { controller.close(); return; }
      const r = await reader.read();
      if (r.done) controller.close(); else controller.enqueue(r.value);
    },
    cancel(reason) { return reader.cancel(reason); },
  });
  return { head, stream: rest };
}

/** Counts bytes as they pass (the compressed size for gzip input, so progress matches the file size). */
export function countBytes(stream: ReadableStream<Uint8Array>, onBytes: (n: number) => void): ReadableStream<Uint8Array> {
  return stream.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) { onBytes(chunk.length); controller.enqueue(chunk); },
  }));
}

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * The file's (decompressed) bytes, or null when it is empty or binary (reported). `binaryCheck` is off for
 * formats that are binary by nature (Parquet).
 */
export async function openBytes(file: SourceFile, problems: ProblemSink, onBytes: (n: number) => void,
                                binaryCheck = true): Promise<OpenedFile | null> {
  let { head, stream } = await peek(countBytes(file.stream(), onBytes), 2);
  if (head.length === 0) {
    problems({ kind: 'empty-file', file: file.name, message: 'file is empty' });
    return null;
  }
  const gzip = isGzip(head);
  if (gzip) {
    stream = stream.pipeThrough(gunzipStream((f) => problems({ kind: 'gzip', file: file.name,
      message: `${f.message}; records decoded before it are kept` })));
  }
  if (!binaryCheck) return { stream, gzip };
  let sniffed: Uint8Array;
  try {
    ({ head: sniffed, stream } = await peek(stream, BINARY_SNIFF_BYTES));
  } catch (err) {
    problems({ kind: gzip ? 'gzip' : 'read-error', file: file.name, message: errorText(err) });
    return null;
  }
  if (sniffed.length === 0) {
    problems({ kind: 'empty-file', file: file.name, message: 'file is empty after decompression' });
    await stream.cancel().catch(() => {});
    return null;
  }
  if (looksBinary(sniffed.subarray(0, BINARY_SNIFF_BYTES))) {
    problems({ kind: 'binary-file', file: file.name, message: 'control bytes throughout the first block: not a text file' });
    await stream.cancel().catch(() => {});
    return null;
  }
  return { stream, gzip };
}

export function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
