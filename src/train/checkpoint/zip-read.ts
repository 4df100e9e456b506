// Reads a zip archive through its central directory, over a random-access source: a stored entry becomes a
// window onto the archive (a 4 GB tensor file inside a zipped File is never copied into memory); a deflated
// entry (the JSON files, or anything a user re-zipped) is inflated whole with fflate, after its declared size
// passes the limit for its kind, and never past that declared size.
import { Inflate } from 'fflate';
import { bytesSource, readExactly, sliceSource, type ByteSource } from './byte-source';
import { crc32 } from './crc32';
import { CheckpointError } from './errors';
import { formatBytes, inMemoryLimit } from './file-limits';
import {
  CENTRAL_HEADER_BYTES, END_BYTES, FLAG_ENCRYPTED, LOCAL_HEADER_BYTES, METHOD_DEFLATE, METHOD_STORED, SIG, U16_MARK,
  U32_MARK, ZIP64_END_BYTES, ZIP64_EXTRA_ID, ZIP64_LOCATOR_BYTES, getU64,
} from './zip-records';

export interface OpenZipOptions {
  /** The archive's name, for messages (default "archive"). */
  readonly name?: string;
  /** Checks every entry's CRC-32 while opening, which reads the whole archive once (default true): a
   *  flipped bit in a tensor would otherwise resume training from silently different weights. */
  readonly verify?: boolean;
}

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

const VERIFY_PIECE = 16 << 20; // bytes read at a time while checking a stored entry's CRC
const MAX_COMMENT = 0xffff;
// Deflate expands at most ~1032x. Compressed bytes are fed to the inflater in pieces that cannot expand past
// what is still due plus 1 MiB, so a bomb that records a small size costs about 1 MiB of work.
const MAX_EXPANSION = 1032;
const MIN_PIECE = 1 << 10;
// A checkpoint has seven files and a model folder a few dozen; a directory this big is damage.
const MAX_CENTRAL_BYTES = 16 << 20;

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const hex = (n: number) => n.toString(16).padStart(8, '0');

// Entries that are not part of the content: folder markers and what macOS's Finder adds when it zips.
const isNoise = (name: string) => name.endsWith('/') || name.startsWith('__MACOSX/') || /(^|\/)\.DS_Store$/.test(name);

/** The archive's files by name, each as a source. A single folder holding every file is looked through,
 *  so a zip of the model folder and a zip of its contents read the same. */
export async function openZip(source: ByteSource, options: OpenZipOptions = {}): Promise<Map<string, ByteSource>> {
  const archive = options.name ?? 'archive';
  const entries = (await readCentralDirectory(source, archive)).filter((e) => !isNoise(e.name));
  const folder = commonFolder(entries.map((e) => e.name));
  const files = new Map<string, ByteSource>();
  for (const entry of entries) {
    const name = entry.name.slice(folder.length);
    const where = `${archive}: ${entry.name}`;
    if (files.has(name)) throw new CheckpointError(where, 'appears twice in the archive');
    files.set(name, await openEntry(source, entry, where, options.verify ?? true));
  }
  return files;
}

function commonFolder(names: string[]): string {
  const first = names[0]?.split('/')[0];
  if (first === undefined || names[0] === first) return '';
  const folder = `${first}/`;
  return names.every((n) => n.startsWith(folder)) ? folder : '';
}

async function readCentralDirectory(source: ByteSource, archive: string): Promise<CentralEntry[]> {
  const fail = (message: string): never => {
    throw new CheckpointError(archive, message);
  };
  // The end record is the last 22 bytes, unless the archive ends with a comment of up to 64 KiB.
  const tailLength = Math.min(source.size, END_BYTES + MAX_COMMENT);
  const tailStart = source.size - tailLength;
  const tail = await readExactly(source, tailStart, tailLength);
  const tv = view(tail);
  let endAt = -1;
  for (let i = tail.length - END_BYTES; i >= 0; i--) {
    if (tv.getUint32(i, true) === SIG.end && i + END_BYTES + tv.getUint16(i + 20, true) === tail.length) {
      endAt = i;
      break;
    }
  }
  if (endAt < 0) fail('is not a zip archive (no end-of-central-directory record; truncated or another format)');
  let count = tv.getUint16(endAt + 10, true);
  let centralSize = tv.getUint32(endAt + 12, true);
  let centralStart = tv.getUint32(endAt + 16, true);
  let centralEnd = tailStart + endAt;

  if (count === U16_MARK || centralSize === U32_MARK || centralStart === U32_MARK) {
    const locatorAt = tailStart + endAt - ZIP64_LOCATOR_BYTES;
    if (locatorAt < 0) fail('announces Zip64 but has no Zip64 locator');
    const locator = view(await readExactly(source, locatorAt, ZIP64_LOCATOR_BYTES));
    if (locator.getUint32(0, true) !== SIG.zip64Locator) fail('announces Zip64 but has no Zip64 locator');
    const zip64At = getU64(locator, 8);
    if (zip64At + ZIP64_END_BYTES > locatorAt) fail(`Zip64 end record offset ${zip64At} is out of range`);
    const record = view(await readExactly(source, zip64At, ZIP64_END_BYTES));
    if (record.getUint32(0, true) !== SIG.zip64End) fail(`no Zip64 end record at offset ${zip64At}`);
    count = getU64(record, 32);
    centralSize = getU64(record, 40);
    centralStart = getU64(record, 48);
    centralEnd = zip64At;
  }
  if (centralStart + centralSize > centralEnd) {
    fail(`central directory (${centralSize} bytes at ${centralStart}) runs past its end record; the archive is truncated or corrupt`);
  }
  if (centralSize > MAX_CENTRAL_BYTES) fail(`central directory is ${centralSize} bytes, more than the ${formatBytes(MAX_CENTRAL_BYTES)} Leveret reads`);
  if (count * CENTRAL_HEADER_BYTES > centralSize) {
    fail(`end record announces ${count} entries, more than its ${centralSize}-byte central directory can hold`);
  }

  const dir = await readExactly(source, centralStart, centralSize);
  const dv = view(dir);
  const entries: CentralEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_HEADER_BYTES > dir.length || dv.getUint32(at, true) !== SIG.central) {
      fail(`central directory entry ${i + 1} of ${count} is damaged`);
    }
    const nameLength = dv.getUint16(at + 28, true);
    const extraLength = dv.getUint16(at + 30, true);
    const commentLength = dv.getUint16(at + 32, true);
    const next = at + CENTRAL_HEADER_BYTES + nameLength + extraLength + commentLength;
    if (next > dir.length) fail(`central directory entry ${i + 1} of ${count} is damaged`);
    const nameBytes = dir.subarray(at + CENTRAL_HEADER_BYTES, at + CENTRAL_HEADER_BYTES + nameLength);
    const entry: CentralEntry = {
      name: new TextDecoder().decode(nameBytes),
      flags: dv.getUint16(at + 8, true),
      method: dv.getUint16(at + 10, true),
      crc: dv.getUint32(at + 16, true),
      compressedSize: dv.getUint32(at + 20, true),
      size: dv.getUint32(at + 24, true),
      offset: dv.getUint32(at + 42, true),
    };
    applyZip64Extra(entry, dir.subarray(at + CENTRAL_HEADER_BYTES + nameLength, at + CENTRAL_HEADER_BYTES + nameLength + extraLength), archive);
    checkName(entry.name, i, count, archive);
    entries.push(entry);
    at = next;
  }
  return entries;
}

/** Names are keys, never paths written to disk, but one that climbs out of its folder or is empty is damage. */
function checkName(name: string, i: number, count: number, archive: string): void {
  const parts = name.split('/');
  if (name === '' || name.startsWith('/') || name.includes('\0') || parts.includes('..')) {
    throw new CheckpointError(archive, `central directory entry ${i + 1} of ${count} has an unsafe name ${JSON.stringify(name.slice(0, 200))}`);
  }
}

/** Replaces 0xFFFFFFFF size and offset fields by their 64-bit values, which appear in this fixed order. */
function applyZip64Extra(e: CentralEntry, extra: Uint8Array, archive: string): void {
  const fields = (['size', 'compressedSize', 'offset'] as const).filter((f) => e[f] === U32_MARK);
  if (fields.length === 0) return;
  const ev = view(extra);
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = ev.getUint16(at, true);
    const length = ev.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA_ID) {
      if (length < 8 * fields.length || at + 4 + length > extra.length) break;
      fields.forEach((f, k) => (e[f] = getU64(ev, at + 4 + 8 * k)));
      return;
    }
    at += 4 + length;
  }
  throw new CheckpointError(`${archive}: ${e.name}`, 'has 32-bit size fields marked as Zip64 but no Zip64 extra field');
}

async function openEntry(source: ByteSource, e: CentralEntry, where: string, verify: boolean): Promise<ByteSource> {
  const fail = (message: string): never => {
    throw new CheckpointError(where, message);
  };
  if (e.flags & FLAG_ENCRYPTED) fail('is encrypted');
  if (e.offset + LOCAL_HEADER_BYTES > source.size) fail(`local header offset ${e.offset} is past the end of the archive`);
  const local = view(await readExactly(source, e.offset, LOCAL_HEADER_BYTES));
  if (local.getUint32(0, true) !== SIG.local) fail(`no local header at offset ${e.offset}`);
  const dataStart = e.offset + LOCAL_HEADER_BYTES + local.getUint16(26, true) + local.getUint16(28, true);
  if (dataStart + e.compressedSize > source.size) {
    fail(`data (${e.compressedSize} bytes at ${dataStart}) runs past the end of the archive (${source.size} bytes); it is truncated`);
  }
  const checkCrc = (crc: number) => {
    if (crc !== e.crc) fail(`CRC-32 mismatch (the archive records ${hex(e.crc)}, the data gives ${hex(crc)}): the archive is corrupt`);
  };

  if (e.method === METHOD_STORED) {
    if (e.compressedSize !== e.size) fail(`is stored but its sizes differ (${e.compressedSize} and ${e.size})`);
    const body = sliceSource(source, dataStart, e.size);
    if (verify) {
      let crc = 0;
      for (let at = 0; at < e.size; at += VERIFY_PIECE) {
        crc = crc32(await readExactly(body, at, Math.min(VERIFY_PIECE, e.size - at)), crc);
      }
      checkCrc(crc);
    }
    return body;
  }
  if (e.method === METHOD_DEFLATE) {
    const limit = inMemoryLimit(e.name);
    if (e.size > limit) fail(`inflates to ${e.size} bytes, more than a file of its kind needs (${formatBytes(limit)}); refused without inflating`);
    const bytes = inflateBounded(await readExactly(source, dataStart, e.compressedSize), e.size, fail);
    checkCrc(crc32(bytes));
    return bytesSource(bytes);
  }
  return fail(`uses compression method ${e.method}; Leveret reads stored (0) and deflated (8) entries`);
}

/** Inflates into exactly `size` bytes, a piece at a time, and stops as soon as the data goes past that size:
 *  a bomb that records a small size costs one piece of work, not the gigabyte it expands to. */
function inflateBounded(compressed: Uint8Array, size: number, fail: (message: string) => never): Uint8Array {
  const out = new Uint8Array(size);
  let written = 0;
  let overflow = false;
  const inflater = new Inflate((chunk) => {
    if (overflow) return;
    if (written + chunk.length > size) {
      overflow = true;
      return;
    }
    out.set(chunk, written);
    written += chunk.length;
  });
  try {
    // At least one push, the last one marked final, even for an empty entry.
    for (let at = 0, last = false; !last && !overflow; ) {
      const piece = Math.max(MIN_PIECE, Math.floor((size - written) / MAX_EXPANSION));
      const end = Math.min(compressed.length, at + piece);
      last = end === compressed.length;
      inflater.push(compressed.subarray(at, end), last);
      at = end;
    }
  } catch (err) {
    fail(`cannot be inflated (${(err as Error).message})`);
  }
  if (overflow) fail(`inflates to more than the ${size} bytes the archive records; refused without inflating the rest`);
  if (written !== size) fail(`inflates to ${written} bytes, the archive records ${size}`);
  return out;
}
