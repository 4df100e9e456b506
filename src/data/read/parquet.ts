// Parquet through hyparquet, one row group at a time: memory is bounded by the largest row group, not the
// file. Parquet keeps its index at the end, so it needs random access (File.slice in the page, a file handle
// in Node); a file offered only as a stream (or gzipped) is buffered whole, up to the record limit.
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData, type RowGroup } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { SourceFile } from '../source';
import { concat, errorText, openBytes } from './bytes';
import { checkColumnChunk, chunkRange } from './parquet-check';
import type { ProblemSink } from './problems';
import { extractText, MAX_FIELD_DEPTH, nestingDepth, type RawRecord } from './record';

/** Parquet values made JSON-safe for cleaned.jsonl: 64-bit integers, dates and byte arrays have no JSON form. */
export function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = jsonSafe(x);
    return out;
  }
  return v;
}

async function asyncBuffer(file: SourceFile, maxBytes: number, problems: ProblemSink,
                           onBytes: (n: number) => void): Promise<AsyncBuffer | null> {
  const slice = file.slice?.bind(file);
  if (slice && file.size !== undefined && !/\.gz$/i.test(file.name)) {
    if (file.size === 0) {
      problems({ kind: 'empty-file', file: file.name, message: 'file is empty' });
      return null;
    }
    onBytes(file.size);
    return { byteLength: file.size, slice: (start, end) => slice(start, end ?? file.size!).arrayBuffer() };
  }
  const opened = await openBytes(file, problems, onBytes, false);
  if (!opened) return null;
  const reader = opened.stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    total += r.value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      problems({ kind: 'too-long', file: file.name,
        message: `Parquet without random access must be buffered and is over the ${maxBytes}-byte limit` });
      return null;
    }
    chunks.push(r.value);
  }
  const bytes = concat(chunks, total);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { byteLength: buffer.byteLength, slice: (start, end) => buffer.slice(start, end) };
}

/** Why a row group must not reach hyparquet (parquet-check.ts), or null. Reads each column chunk once more. */
async function checkRowGroup(buffer: AsyncBuffer, group: RowGroup, metadata: FileMetaData): Promise<string | null> {
  if (!Number.isSafeInteger(Number(group.num_rows)) || Number(group.num_rows) < 0) return `row count ${group.num_rows} is not a count`;
  for (const chunk of group.columns) {
    const range = chunkRange(chunk, buffer.byteLength);
    if (typeof range === 'string') return range;
    const bytes = new Uint8Array(await buffer.slice(range.start, range.end));
    const why = checkColumnChunk(bytes, chunk, metadata, compressors);
    if (why) return why;
  }
  return null;
}

export async function* parquetRecords(file: SourceFile, textField: string, maxRecordBytes: number,
                                      problems: ProblemSink, onBytes: (n: number) => void): AsyncGenerator<RawRecord> {
  let buffer: AsyncBuffer | null;
  try {
    buffer = await asyncBuffer(file, maxRecordBytes, problems, onBytes);
  } catch (err) {
    problems({ kind: 'read-error', file: file.name, message: errorText(err) });
    return;
  }
  if (!buffer) return;
  let metadata;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (err) {
    problems({ kind: 'parquet', file: file.name, message: `not a readable Parquet file: ${errorText(err)}` });
    return;
  }
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      const why = await checkRowGroup(buffer, group, metadata);
      if (why) throw new Error(why);
      rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd, compressors });
    } catch (err) {
      problems({ kind: 'parquet', file: file.name, line: rowStart + 1,
        message: `row group of rows ${rowStart + 1}..${rowEnd} unreadable: ${errorText(err)}` });
      rowStart = rowEnd;
      continue;
    }
    for (let i = 0; i < rows.length; i++) {
      if (nestingDepth(rows[i]) > MAX_FIELD_DEPTH) {
        problems({ kind: 'too-deep', file: file.name, line: rowStart + i + 1, message: `fields nest over ${MAX_FIELD_DEPTH} levels deep` });
        continue;
      }
      const fields = jsonSafe(rows[i]) as Record<string, unknown>;
      const text = extractText(fields, textField);
      if (text === null) {
        problems({ kind: 'missing-field', file: file.name, line: rowStart + i + 1, message: `no string field "${textField}"` });
        continue;
      }
      yield { file: file.name, line: rowStart + i + 1, text, fields };
    }
    rowStart = rowEnd;
  }
}
