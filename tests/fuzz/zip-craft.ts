// Hand-made archives for the zip reader's tests and fuzz family: a deflate bomb built bit by bit (no gigabyte
// ever exists to compress), and an archive assembler that writes whatever sizes, CRCs and methods it is told,
// true or not, so an entry can claim anything.
import { crc32 } from '../../src/train/checkpoint/crc32';

/** Writes bits into a zeroed buffer, least significant first, as deflate packs them. */
class BitWriter {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  /** `n` bits of `value`, low bit first (headers and counts). */
  bits(value: number, n: number): void {
    for (let i = 0; i < n; i++, this.pos++) if ((value >> i) & 1) this.bytes[this.pos >> 3] |= 1 << (this.pos & 7);
  }
  /** A Huffman code of `n` bits, high bit first, as deflate stores codes. */
  code(value: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) this.bits((value >> i) & 1, 1);
  }
}

/**
 * A raw deflate stream that inflates to `size` zero bytes (size = 1 + 258k): one dynamic Huffman block whose
 * only symbols are the literal 0, "copy 258 bytes from distance 1" and the end of the block. The copy and its
 * distance have 1-bit codes that are both 0, so each 258 output bytes cost two zero bits: about 1 MB of
 * compressed data per GB, the ratio deflate allows at best, built in milliseconds.
 */
export function zeroBomb(size: number): Uint8Array {
  const copies = Math.floor((size - 1) / 258);
  if (size < 1 || 1 + 258 * copies !== size) throw new Error(`zeroBomb size must be 1 + 258k, got ${size}`);
  const out = new Uint8Array(64 + Math.ceil((2 * copies) / 8));
  const w = new BitWriter(out);
  w.bits(1, 1); // final block
  w.bits(2, 2); // dynamic Huffman
  w.bits(286 - 257, 5); // literal/length codes 0..285
  w.bits(2 - 1, 5); // distance codes 0..1
  // Code-length code lengths in the format's order 16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,2,14,1: symbols
  // 0, 1, 2 and 18 get 2-bit codes (00, 01, 10, 11 in symbol order), every other symbol none.
  const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
  w.bits(order.length - 4, 4);
  for (const sym of order) w.bits([0, 1, 2, 18].includes(sym) ? 2 : 0, 3);
  const clCode: Record<number, number> = { 0: 0, 1: 1, 2: 2, 18: 3 };
  const zeros = (n: number) => {
    // Symbol 18 repeats a zero length 11 to 138 times (7 extra bits).
    for (let left = n; left > 0;) {
      const run = Math.min(138, left);
      w.code(clCode[18], 2);
      w.bits(run - 11, 7);
      left -= run;
    }
  };
  // Literal/length lengths: 0 -> 2 bits, 256 (end) -> 2 bits, 285 (length 258) -> 1 bit; then distances 0, 1 -> 1 bit.
  w.code(clCode[2], 2); zeros(255); w.code(clCode[2], 2); zeros(28); w.code(clCode[1], 2);
  w.code(clCode[1], 2); w.code(clCode[1], 2);
  // Canonical codes: 285 -> 0; literal 0 -> 10; end of block -> 11; distance 0 -> 0.
  w.code(0b10, 2);
  w.pos += 2 * copies; // each copy is the bits 0 (length 258) and 0 (distance 1): already zero
  w.code(0b11, 2);
  return out.subarray(0, Math.ceil(w.pos / 8));
}

export interface CraftedEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  /** The bytes as they sit in the archive (compressed when method is 8). */
  data: Uint8Array;
  /** What the archive records; default the truth for stored entries (size and CRC of data). */
  size?: number;
  crc?: number;
}

/** A plain (non-Zip64) archive holding the entries exactly as described. */
export function craftZip(entries: readonly CraftedEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const crc = e.crc ?? crc32(e.data);
    const size = e.size ?? e.data.length;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, e.data.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const dir = new Uint8Array(46 + name.length);
    const dv = new DataView(dir.buffer);
    dv.setUint32(0, 0x02014b50, true);
    dv.setUint16(4, 20, true);
    dv.setUint16(6, 20, true);
    dv.setUint16(10, e.method, true);
    dv.setUint32(16, crc, true);
    dv.setUint32(20, e.data.length, true);
    dv.setUint32(24, size, true);
    dv.setUint16(28, name.length, true);
    dv.setUint32(42, offset, true);
    dir.set(name, 46);
    parts.push(local, e.data);
    central.push(dir);
    offset += local.length + e.data.length;
  }
  const centralSize = central.reduce((n, d) => n + d.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) { out.set(p, at); at += p.length; }
  return out;
}
