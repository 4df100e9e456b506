// A streaming zip writer with Zip64, so a checkpoint of any size downloads as one archive without being
// copied into memory. Tensor files are stored (float data barely compresses, and a stored entry can be
// read back at random offsets straight from the archive); the small JSON files are deflated.
// fflate provides the deflate; its own zip writer has no Zip64 and would corrupt files past 4 GB.
import { deflateSync } from 'fflate';
import { bodyChunks, type FileBody } from './byte-source';
import { crc32 } from './crc32';
import {
  CENTRAL_HEADER_BYTES, END_BYTES, FLAG_DESCRIPTOR, FLAG_UTF8, LOCAL_HEADER_BYTES, METHOD_DEFLATE, METHOD_STORED,
  SIG, U16_MARK, U32_MARK, VERSION_DEFAULT, VERSION_ZIP64, ZIP64_END_BYTES, ZIP64_EXTRA_ID, ZIP64_LOCATOR_BYTES,
  setU64,
} from './zip-records';

export interface ZipOptions {
  /** Puts every file under this folder inside the archive, so unzipping gives a model folder. */
  readonly folder?: string;
  /** Modification time recorded for every entry (default: now). */
  readonly mtime?: Date;
  /** Writes Zip64 records even where 32-bit fields would do (lets tests exercise them at small sizes). */
  readonly forceZip64?: boolean;
}

interface Written {
  name: Uint8Array;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

const stores = (name: string, body: FileBody): boolean => !(body instanceof Uint8Array) || name.endsWith('.safetensors');

/** MS-DOS time and date words (local time, 2-second resolution, years 1980 to 2107). */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** The archive as a stream of chunks. Tensor bytes pass through as the views the body yields. */
export async function* zipChunks(files: Iterable<readonly [string, FileBody]>, options: ZipOptions = {}): AsyncGenerator<Uint8Array> {
  const { time, date } = dosDateTime(options.mtime ?? new Date());
  const force = options.forceZip64 ?? false;
  const prefix = options.folder ? `${options.folder.replace(/\/+$/, '')}/` : '';
  const written: Written[] = [];
  let offset = 0;

  for (const [fileName, body] of files) {
    const name = new TextEncoder().encode(prefix + fileName);
    const entry: Written = { name, method: METHOD_STORED, flags: FLAG_UTF8, crc: 0, compressedSize: 0, size: 0, offset };
    let data: Uint8Array | undefined; // set when the whole entry is in memory and its crc known up front
    if (body instanceof Uint8Array) {
      entry.crc = crc32(body);
      entry.size = body.length;
      data = stores(fileName, body) ? body : deflateSync(body, { level: 6 });
      if (data !== body) entry.method = METHOD_DEFLATE;
      entry.compressedSize = data.length;
    } else {
      entry.flags |= FLAG_DESCRIPTOR;
      entry.size = entry.compressedSize = body.size;
    }
    // Zip64 is decided from the announced size, before the data, because the local header must say so.
    const zip64 = force || entry.size >= U32_MARK || entry.compressedSize >= U32_MARK;
    const header = localHeader(entry, zip64, time, date, data !== undefined);
    yield header;
    offset += header.length;

    if (data) {
      yield data;
      offset += data.length;
    } else {
      let crc = 0;
      for await (const chunk of bodyChunks(fileName, body)) {
        crc = crc32(chunk, crc);
        yield chunk;
      }
      entry.crc = crc;
      offset += entry.size;
      const descriptor = dataDescriptor(entry, zip64);
      yield descriptor;
      offset += descriptor.length;
    }
    written.push(entry);
  }

  const centralStart = offset;
  for (const entry of written) {
    const record = centralHeader(entry, force, time, date);
    yield record;
    offset += record.length;
  }
  yield endRecords(written.length, centralStart, offset - centralStart, force);
}

function localHeader(e: Written, zip64: boolean, time: number, date: number, known: boolean): Uint8Array {
  const extraBytes = zip64 ? 20 : 0;
  const out = new Uint8Array(LOCAL_HEADER_BYTES + e.name.length + extraBytes);
  const v = new DataView(out.buffer);
  v.setUint32(0, SIG.local, true);
  v.setUint16(4, zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, true);
  v.setUint16(6, e.flags, true);
  v.setUint16(8, e.method, true);
  v.setUint16(10, time, true);
  v.setUint16(12, date, true);
  // With a data descriptor the crc and sizes here are zero and the real ones follow the data.
  v.setUint32(14, known ? e.crc : 0, true);
  v.setUint32(18, zip64 ? U32_MARK : known ? e.compressedSize : 0, true);
  v.setUint32(22, zip64 ? U32_MARK : known ? e.size : 0, true);
  v.setUint16(26, e.name.length, true);
  v.setUint16(28, extraBytes, true);
  out.set(e.name, LOCAL_HEADER_BYTES);
  if (zip64) {
    const at = LOCAL_HEADER_BYTES + e.name.length;
    v.setUint16(at, ZIP64_EXTRA_ID, true);
    v.setUint16(at + 2, 16, true);
    setU64(v, at + 4, known ? e.size : 0);
    setU64(v, at + 12, known ? e.compressedSize : 0);
  }
  return out;
}

function dataDescriptor(e: Written, zip64: boolean): Uint8Array {
  const out = new Uint8Array(zip64 ? 24 : 16);
  const v = new DataView(out.buffer);
  v.setUint32(0, SIG.descriptor, true);
  v.setUint32(4, e.crc, true);
  if (zip64) {
    setU64(v, 8, e.compressedSize);
    setU64(v, 16, e.size);
  } else {
    v.setUint32(8, e.compressedSize, true);
    v.setUint32(12, e.size, true);
  }
  return out;
}

function centralHeader(e: Written, force: boolean, time: number, date: number): Uint8Array {
  // Only the fields that overflow go to the Zip64 extra field, in the order the format fixes.
  const big = (n: number) => force || n >= U32_MARK;
  const wide = [e.size, e.compressedSize, e.offset].filter(big);
  const extraBytes = wide.length ? 4 + 8 * wide.length : 0;
  const out = new Uint8Array(CENTRAL_HEADER_BYTES + e.name.length + extraBytes);
  const v = new DataView(out.buffer);
  const version = wide.length ? VERSION_ZIP64 : VERSION_DEFAULT;
  v.setUint32(0, SIG.central, true);
  v.setUint16(4, (3 << 8) | VERSION_ZIP64, true); // made by: Unix, so the permissions below apply
  v.setUint16(6, version, true);
  v.setUint16(8, e.flags, true);
  v.setUint16(10, e.method, true);
  v.setUint16(12, time, true);
  v.setUint16(14, date, true);
  v.setUint32(16, e.crc, true);
  v.setUint32(20, big(e.compressedSize) ? U32_MARK : e.compressedSize, true);
  v.setUint32(24, big(e.size) ? U32_MARK : e.size, true);
  v.setUint16(28, e.name.length, true);
  v.setUint16(30, extraBytes, true);
  v.setUint32(38, (0o100644 << 16) >>> 0, true); // a regular file, rw-r--r--
  v.setUint32(42, big(e.offset) ? U32_MARK : e.offset, true);
  out.set(e.name, CENTRAL_HEADER_BYTES);
  if (wide.length) {
    let at = CENTRAL_HEADER_BYTES + e.name.length;
    v.setUint16(at, ZIP64_EXTRA_ID, true);
    v.setUint16(at + 2, 8 * wide.length, true);
    for (const n of wide) setU64(v, (at += 8) - 4, n);
  }
  return out;
}

function endRecords(count: number, centralStart: number, centralSize: number, force: boolean): Uint8Array {
  const zip64 = force || count >= U16_MARK || centralStart >= U32_MARK || centralSize >= U32_MARK;
  const out = new Uint8Array((zip64 ? ZIP64_END_BYTES + ZIP64_LOCATOR_BYTES : 0) + END_BYTES);
  const v = new DataView(out.buffer);
  let at = 0;
  if (zip64) {
    v.setUint32(0, SIG.zip64End, true);
    setU64(v, 4, ZIP64_END_BYTES - 12); // size of the rest of this record
    v.setUint16(12, (3 << 8) | VERSION_ZIP64, true);
    v.setUint16(14, VERSION_ZIP64, true);
    setU64(v, 24, count);
    setU64(v, 32, count);
    setU64(v, 40, centralSize);
    setU64(v, 48, centralStart);
    v.setUint32(56, SIG.zip64Locator, true);
    setU64(v, 64, centralStart + centralSize); // where the Zip64 end record starts
    v.setUint32(72, 1, true); // one disk
    at = ZIP64_END_BYTES + ZIP64_LOCATOR_BYTES;
  }
  v.setUint32(at, SIG.end, true);
  v.setUint16(at + 8, zip64 ? U16_MARK : count, true);
  v.setUint16(at + 10, zip64 ? U16_MARK : count, true);
  v.setUint32(at + 12, zip64 ? U32_MARK : centralSize, true);
  v.setUint32(at + 16, zip64 ? U32_MARK : centralStart, true);
  return out;
}

/** The archive as a Blob for a download link. Each chunk is copied into a Blob as it comes, so producers
 *  may reuse their buffers and the browser may keep the parts on disk instead of in the JS heap. */
export async function zipToBlob(files: Iterable<readonly [string, FileBody]>, options: ZipOptions = {}): Promise<Blob> {
  const parts: Blob[] = [];
  for await (const chunk of zipChunks(files, options)) parts.push(new Blob([chunk as Uint8Array<ArrayBuffer>]));
  return new Blob(parts, { type: 'application/zip' });
}
