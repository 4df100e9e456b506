// Record signatures and field helpers shared by the zip writer and reader (PKWARE APPNOTE.TXT, with the
// Zip64 extensions: a checkpoint's model and optimizer files pass 4 GB for the largest presets, and 32-bit
// sizes and offsets cannot describe them).

export const SIG = {
  local: 0x04034b50,
  descriptor: 0x08074b50,
  central: 0x02014b50,
  end: 0x06054b50,
  zip64End: 0x06064b50,
  zip64Locator: 0x07064b50,
} as const;

export const ZIP64_EXTRA_ID = 0x0001;
/** A 32-bit size or offset field holding this says "the real value is in the Zip64 extra field". */
export const U32_MARK = 0xffffffff;
export const U16_MARK = 0xffff;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DESCRIPTOR = 0x0008; // crc and sizes follow the data instead of preceding it
export const FLAG_UTF8 = 0x0800;

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;

export const VERSION_DEFAULT = 20;
export const VERSION_ZIP64 = 45;

export const LOCAL_HEADER_BYTES = 30;
export const CENTRAL_HEADER_BYTES = 46;
export const END_BYTES = 22;
export const ZIP64_END_BYTES = 56;
export const ZIP64_LOCATOR_BYTES = 20;

export function setU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

/** Reads a little-endian u64; exact for every value below 2^53, which covers any real file. */
export function getU64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}
