// Gzip decompression that keeps everything decoded before a fault. The platform's DecompressionStream errors
// the whole chunk in which it meets a bad CRC, trailing junk or a truncation, so a small file lost every record
// while `gzip -dc` printed them all. fflate's streaming Gunzip hands out data as it inflates; this wrapper
// checks each member's trailer (CRC-32 and length) itself, since fflate does not, and turns every fault into
// one report with the compressed byte offset, after which the stream ends cleanly.
import { Gunzip } from 'fflate';
import { crc32 } from './crc32';

/** Input is pushed in pieces of at most this size: an inflate error loses what its piece decoded, no more. */
const PIECE = 4 * 1024;
/** Compressed bytes kept behind the read position, to find trailers (gzip headers with huge names excepted). */
const WINDOW = 64 * 1024;

export interface GzipFault {
  /** Compressed byte offset where the fault starts. */
  offset: number;
  message: string;
}

interface Member { crc: number; size: number }

export function gunzipStream(onFault: (f: GzipFault) => void): TransformStream<Uint8Array, Uint8Array> {
  // The last pieces pushed (held by reference, never copied), at least WINDOW bytes when there are that many.
  const recent: { start: number; bytes: Uint8Array }[] = [];
  let windowStart = 0; // compressed offset of the first byte held
  const byteAt = (offset: number): number => {
    for (const r of recent) if (offset < r.start + r.bytes.length) return r.bytes[offset - r.start];
    return -1;
  };
  let consumed = 0;    // compressed bytes pushed
  let member: Member = { crc: 0, size: 0 };
  let failed = false;
  let out: TransformStreamDefaultController<Uint8Array> | null = null;

  const gz = new Gunzip((data) => {
    member.crc = crc32(data, member.crc);
    member.size = (member.size + data.length) >>> 0;
    if (data.length > 0) out!.enqueue(data);
  });

  /** Offset of the 8-byte trailer (CRC, length) of `m` in the window, searched backwards from `before`. */
  const findTrailer = (m: Member, before: number): number => {
    const want = new Uint8Array(8);
    const view = new DataView(want.buffer);
    view.setUint32(0, m.crc, true);
    view.setUint32(4, m.size, true);
    for (let i = Math.min(before, consumed) - 8; i >= windowStart; i--) {
      let k = 0;
      while (k < 8 && byteAt(i + k) === want[k]) k++;
      if (k === 8) return i;
    }
    return -1;
  };
  const trailerAt = (offset: number): string => {
    if (offset < windowStart || offset + 8 > consumed) return 'unseen';
    const v = new DataView(Uint8Array.from({ length: 8 }, (_, k) => byteAt(offset + k)).buffer);
    return `CRC ${v.getUint32(0, true).toString(16)}, length ${v.getUint32(4, true)}`;
  };
  const fail = (f: GzipFault) => {
    failed = true;
    onFault(f);
  };

  // A new member begins at `offset`: the previous one's trailer is the 8 bytes before it.
  gz.onmember = (offset) => {
    if (findTrailer(member, offset) !== offset - 8) {
      fail({ offset: offset - 8, message: `gzip member ending at byte ${offset} fails its check (trailer ${trailerAt(offset - 8)}, decoded CRC ${member.crc.toString(16)}, length ${member.size})` });
    }
    member = { crc: 0, size: 0 };
  };

  const push = (piece: Uint8Array, final: boolean) => {
    if (piece.length > 0) recent.push({ start: consumed, bytes: piece });
    consumed += piece.length;
    while (recent.length > 1 && consumed - recent[1].start >= WINDOW) recent.shift();
    windowStart = recent.length > 0 ? recent[0].start : consumed;
    try {
      gz.push(piece, final);
    } catch (err) {
      // fflate cannot say where it stopped; a trailer matching what was decoded marks where the data ended.
      const t = findTrailer(member, consumed);
      const message = err instanceof Error ? err.message : String(err);
      if (t >= 0) fail({ offset: t + 8, message: `junk after the gzip data at byte ${t + 8} (${consumed - t - 8}+ bytes ignored: ${message})` });
      else fail({ offset: consumed, message: `corrupt gzip data at or before byte ${consumed}: ${message}` });
    }
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      out = controller;
      for (let at = 0; at < chunk.length && !failed; at += PIECE) push(chunk.subarray(at, at + PIECE), false);
      // Nothing after a fault can be trusted: end the output here and stop reading the file.
      if (failed) controller.terminate();
    },
    flush(controller) {
      out = controller;
      if (failed) return;
      push(new Uint8Array(0), true);
      if (failed) return;
      const t = findTrailer(member, consumed);
      if (t === consumed - 8) return;
      if (t >= 0) onFault({ offset: t + 8, message: `junk after the gzip data at byte ${t + 8} (${consumed - t - 8} bytes ignored)` });
      else onFault({ offset: Math.max(0, consumed - 8), message: `gzip trailer at byte ${Math.max(0, consumed - 8)} does not match the data (${trailerAt(consumed - 8)}; decoded CRC ${member.crc.toString(16)}, length ${member.size}): corrupt or truncated` });
    },
  });
}
