// Splits a byte stream into lines without ever holding more than one line (up to a bound) in memory.
// A line longer than the bound is skipped as it streams past (its bytes are dropped, only counted), so a
// 200 MB single-line file costs one chunk of memory, not 200 MB. Each line is decoded on its own with a
// fatal UTF-8 decoder, so one bad byte costs one line, not the file.
// Lines end at LF, CRLF or a lone CR: files saved with classic Mac line endings would otherwise be one line.
import { concat, errorText, type OpenedFile } from './bytes';
import type { InputProblem, ProblemSink } from './problems';

const LF = 10;
const CR = 13;
const QUOTE = 0x22;

export interface ByteLine {
  /** 1-based line number. */
  line: number;
  /** The line without its terminator, or null when it was longer than the bound and dropped. */
  bytes: Uint8Array | null;
  byteLength: number;
  /**
   * Double quotes in a dropped line (0 when `bytes` is held): the CSV reader keeps its quote pairing across a
   * line it never sees. A quote byte never occurs inside a multi-byte UTF-8 sequence, so counting bytes is exact.
   */
  quotes: number;
}

/** Observed memory use of the splitter, for the memory-bound test and the report. */
export interface LineStats {
  /** The most bytes of one line held at once. */
  peakLineBytes: number;
}

function countQuotes(chunk: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = chunk.indexOf(QUOTE, start); i >= 0 && i < end; i = chunk.indexOf(QUOTE, i + 1)) n++;
  return n;
}

export async function* byteLines(stream: ReadableStream<Uint8Array>, maxLineBytes: number,
                                 stats?: LineStats): AsyncGenerator<ByteLine> {
  const reader = stream.getReader();
  let parts: Uint8Array[] = [];
  let held = 0;        // bytes in `parts`
  let length = 0;      // bytes of the current line seen so far (held or dropped)
  let dropping = false;
  let quotes = 0;      // quote bytes of the line being dropped
  let line = 1;
  let afterCR = false; // the last line ended in CR: an LF first in the next chunk belongs to it
  let finished = false;
  const take = (): ByteLine => {
    const bytes = dropping ? null : concat(parts, held);
    const out = { line, bytes, byteLength: length, quotes: dropping ? quotes : 0 };
    parts = []; held = 0; length = 0; dropping = false; quotes = 0; line++;
    return out;
  };
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      const chunk = r.value;
      let start = 0;
      if (afterCR && chunk.length > 0) { if (chunk[0] === LF) start = 1; afterCR = false; }
      // The next LF and CR at or after `start`, each searched again only once passed.
      let lf = chunk.indexOf(LF, start);
      let cr = chunk.indexOf(CR, start);
      while (start <= chunk.length) {
        if (lf >= 0 && lf < start) lf = chunk.indexOf(LF, start);
        if (cr >= 0 && cr < start) cr = chunk.indexOf(CR, start);
        const nl = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
        const end = nl < 0 ? chunk.length : nl;
        if (end > start) {
          length += end - start;
          if (!dropping && length > maxLineBytes) {
            dropping = true;
            for (const p of parts) quotes += countQuotes(p, 0, p.length);
            parts = []; held = 0;
          }
          if (dropping) quotes += countQuotes(chunk, start, end);
          else {
            // Copy only the tail of a chunk that stays pending, so a short remainder never pins a whole chunk.
            parts.push(nl < 0 ? chunk.slice(start, end) : chunk.subarray(start, end));
            held += end - start;
            if (stats && held > stats.peakLineBytes) stats.peakLineBytes = held;
          }
        }
        if (nl < 0) break;
        yield take();
        start = nl + 1;
        if (chunk[nl] === CR) {
          if (start < chunk.length) { if (chunk[start] === LF) start++; } else afterCR = true;
        }
      }
    }
    finished = true;
    if (length > 0 || dropping) yield take();
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

export interface TextLine {
  line: number;
  text: string;
  /**
   * Only from `textLines(..., {keepFaulty: true})`: why this line is unusable (not UTF-8, over the limit, a NUL
   * byte). `text` is then the line decoded leniently ('' when it was too long to hold) and `quotes` counts its
   * double quotes, so a reader whose records span lines (CSV) can drop the whole record and stay in step.
   */
  fault?: InputProblem;
  quotes?: number;
}

export interface TextLineOptions {
  stats?: LineStats;
  /** Yield unusable lines with their fault instead of reporting and skipping them. */
  keepFaulty?: boolean;
}

/**
 * Decoded lines of an opened file. Invalid UTF-8, NUL bytes and over-long lines are reported and skipped (or
 * yielded with their fault, see TextLine); a stream error (failed read) is reported and ends the file.
 */
export async function* textLines(opened: OpenedFile, fileName: string, maxLineBytes: number,
                                 problems: ProblemSink, opts: TextLineOptions = {}): AsyncGenerator<TextLine> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const lenient = new TextDecoder('utf-8');
  let lastLine = 0;
  const faulty = (l: ByteLine, fault: InputProblem): TextLine | null => {
    if (!opts.keepFaulty) { problems(fault); return null; }
    const text = l.bytes ? lenient.decode(l.bytes) : '';
    return { line: l.line, text, fault, quotes: l.bytes ? countQuotes(l.bytes, 0, l.bytes.length) : l.quotes };
  };
  try {
    for await (const l of byteLines(opened.stream, maxLineBytes, opts.stats)) {
      lastLine = l.line;
      let out: TextLine | null;
      if (l.bytes === null) {
        out = faulty(l, { kind: 'too-long', file: fileName, line: l.line,
          message: `line of ${l.byteLength} bytes exceeds the ${maxLineBytes}-byte limit` });
      } else if (l.bytes.includes(0)) {
        // A stray NUL costs its line; a file that is mostly binary was refused whole by openBytes.
        out = faulty(l, { kind: 'nul-byte', file: fileName, line: l.line, message: 'line holds a NUL byte (binary data)' });
      } else {
        try {
          out = { line: l.line, text: utf8.decode(l.bytes) };
        } catch {
          out = faulty(l, { kind: 'invalid-utf8', file: fileName, line: l.line, message: 'line is not valid UTF-8' });
        }
      }
      if (out) yield out;
    }
  } catch (err) {
    problems({ kind: opened.gzip ? 'gzip' : 'read-error', file: fileName, line: lastLine + 1, message: errorText(err) });
  }
}
