// Checks a Parquet column chunk's pages before hyparquet decodes them, because some malformed inputs make
// hyparquet loop forever instead of throwing: a page header missing a size leaves its read offset NaN (every
// read then lands on byte 0 and never advances), and a run of zero values in RLE/bit-packed data never moves
// its counter. A synchronous loop inside a library cannot be interrupted on the thread it runs on, and moving
// the decode to a thread that can be abandoned would need a second worker bundle in the page (nested worker)
// and in Node (worker_threads, whose entry must be plain JS outside the CLI bundle). So the decision is to
// prevent the loops: walk the pages with hyparquet's own header parser and refuse, with a reason, anything
// its page loop and level/index decoders rely on and a damaged file can break. Everything here is bounded:
// each page advances the offset by at least one byte and each run scan by at least one byte or one value.
import type { ColumnChunk, Compressors, FileMetaData, PageHeader, SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage } from 'hyparquet/src/datapage.js';
import { getMaxDefinitionLevel, getMaxRepetitionLevel, getSchemaPath } from 'hyparquet/src/schema.js';

const isCount = (v: unknown): boolean => typeof v === 'number' ? Number.isSafeInteger(v) && v >= 0
  : typeof v === 'bigint' && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER);

function bitWidth(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max);
}

/**
 * Scans an RLE/bit-packed hybrid run list of `bytes` for `values` values as hyparquet reads it; returns a
 * reason when a run is empty (hyparquet would spin on it) or the header runs off the end. Values past the
 * last run are hyparquet's own business (it throws).
 */
function checkRuns(bytes: Uint8Array, width: number, values: number, what: string): string | null {
  let at = 0;
  let seen = 0;
  while (seen < values) {
    if (at >= bytes.length) return null; // hyparquet throws on the missing data
    let header = 0;
    let shift = 0;
    for (;;) {
      if (at >= bytes.length || shift > 28) return `${what}: truncated run header`;
      const b = bytes[at++];
      header += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    const count = header % 2 === 1 ? Math.floor(header / 2) * 8 : Math.floor(header / 2);
    if (count === 0) return `${what}: empty run at byte ${at - 1}`;
    at += header % 2 === 1 ? Math.floor(header / 2) * width : (width + 7) >> 3;
    seen += count;
  }
  return null;
}

/** Level runs of a v1 page: a 4-byte length, then runs. Returns [reason, offset after the levels]. */
function checkV1Levels(page: Uint8Array, at: number, max: number, values: number, what: string): [string | null, number] {
  if (max === 0) return [null, at];
  if (at + 4 > page.length) return [`${what}: page too short for its levels`, at];
  const length = new DataView(page.buffer, page.byteOffset + at, 4).getUint32(0, true);
  if (at + 4 + length > page.length) return [`${what}: levels of ${length} bytes overrun the page`, at];
  return [checkRuns(page.subarray(at + 4, at + 4 + length), bitWidth(max), values, what), at + 4 + length];
}

function checkDictionaryIndices(data: Uint8Array, encoding: string | undefined, values: number): string | null {
  if (encoding !== 'RLE_DICTIONARY' && encoding !== 'PLAIN_DICTIONARY') return null;
  if (data.length === 0) return null;
  if (data[0] > 32) return `dictionary index width ${data[0]} over 32 bits`;
  return checkRuns(data.subarray(1), data[0], values, 'dictionary indices');
}

function checkPage(h: PageHeader, body: Uint8Array, maxRep: number, maxDef: number, codec: string,
                   compressors: Compressors): string | null {
  if (h.type === 'DICTIONARY_PAGE') {
    return h.dictionary_page_header && isCount(h.dictionary_page_header.num_values) ? null : 'dictionary page without its header';
  }
  if (h.type === 'DATA_PAGE') {
    const d = h.data_page_header;
    if (!d || !isCount(d.num_values)) return 'data page without a value count';
    if (maxRep === 0 && maxDef === 0 && d.encoding !== 'RLE_DICTIONARY' && d.encoding !== 'PLAIN_DICTIONARY') return null;
    const page = decompressPage(body, Number(h.uncompressed_page_size), codec as never, compressors);
    const [rep, afterRep] = checkV1Levels(page, 0, maxRep, d.num_values, 'repetition levels');
    if (rep) return rep;
    const [def, afterDef] = checkV1Levels(page, afterRep, maxDef, d.num_values, 'definition levels');
    return def ?? checkDictionaryIndices(page.subarray(afterDef), d.encoding, d.num_values);
  }
  if (h.type === 'DATA_PAGE_V2') {
    const d = h.data_page_header_v2;
    if (!d) return 'v2 data page without its header';
    for (const k of ['num_values', 'num_nulls', 'num_rows', 'definition_levels_byte_length', 'repetition_levels_byte_length'] as const) {
      if (!isCount(d[k])) return `v2 data page header without a valid ${k}`;
    }
    const rlen = d.repetition_levels_byte_length;
    const dlen = d.definition_levels_byte_length;
    if (rlen + dlen > body.length) return `v2 page levels (${rlen} + ${dlen} bytes) overrun the page of ${body.length}`;
    if (d.num_nulls > d.num_values) return `v2 page has ${d.num_nulls} nulls in ${d.num_values} values`;
    const rep = maxRep ? checkRuns(body.subarray(0, rlen), bitWidth(maxRep), d.num_values, 'repetition levels') : null;
    const def = maxDef ? checkRuns(body.subarray(rlen, rlen + dlen), bitWidth(maxDef), d.num_values, 'definition levels') : null;
    if (rep ?? def) return rep ?? def;
    if (d.encoding !== 'RLE_DICTIONARY' && d.encoding !== 'PLAIN_DICTIONARY') return null;
    const uncompressed = Number(h.uncompressed_page_size) - rlen - dlen;
    let data = body.subarray(rlen + dlen);
    if (d.is_compressed !== false && uncompressed > 0) data = decompressPage(data, uncompressed, codec as never, compressors);
    return checkDictionaryIndices(data, d.encoding, d.num_values - d.num_nulls);
  }
  return `unsupported page type ${String(h.type)}`;
}

/** Where a column chunk lies in the file, as hyparquet computes it; a reason when it lies outside. */
export function chunkRange(chunk: ColumnChunk, fileBytes: number): { start: number; end: number } | string {
  const m = chunk.meta_data;
  if (!m) return 'column chunk without metadata';
  const start = Number(m.dictionary_page_offset || m.data_page_offset);
  const size = Number(m.total_compressed_size);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(size) || start < 0 || size < 0 || start + size > fileBytes) {
    return `column chunk at ${start} of ${size} bytes lies outside the file of ${fileBytes}`;
  }
  return { start, end: start + size };
}

/**
 * Why hyparquet must not be given this column chunk (`bytes` is the whole chunk), or null when its pages are
 * sound enough that hyparquet either decodes them or throws.
 */
export function checkColumnChunk(bytes: Uint8Array, chunk: ColumnChunk, metadata: FileMetaData,
                                 compressors: Compressors): string | null {
  const m = chunk.meta_data!;
  const name = m.path_in_schema.join('.');
  let schemaPath: SchemaTree[];
  try {
    schemaPath = getSchemaPath(metadata.schema, m.path_in_schema);
  } catch (err) {
    return `column ${name}: ${err instanceof Error ? err.message : String(err)}`;
  }
  const maxRep = getMaxRepetitionLevel(schemaPath);
  const maxDef = getMaxDefinitionLevel(schemaPath);
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  while (reader.offset < bytes.length - 1) {
    const at = reader.offset;
    let h: PageHeader;
    try {
      h = parquetHeader(reader);
    } catch (err) {
      return `column ${name}: page header at chunk byte ${at} unreadable: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!isCount(h.compressed_page_size) || !isCount(h.uncompressed_page_size)) {
      return `column ${name}: page header at chunk byte ${at} without valid page sizes`;
    }
    const end = reader.offset + h.compressed_page_size;
    if (end > bytes.length) return `column ${name}: page at chunk byte ${at} overruns its chunk`;
    let why: string | null;
    try {
      why = checkPage(h, bytes.subarray(reader.offset, end), maxRep, maxDef, m.codec, compressors);
    } catch (err) {
      why = `undecodable: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (why) return `column ${name}: page at chunk byte ${at}: ${why}`;
    reader.offset = end;
  }
  return null;
}
