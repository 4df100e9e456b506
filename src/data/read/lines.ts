// Splits a byte stream into lines without ever holding more than one line (up to a bound) in memory.
// A line longer than the bound is skipped as it streams past (its bytes are dropped, only counted), so a
// 200 MB single-line file costs one chunk of memory, not 200 MB. Each line is decoded on its own with a
// fatal UTF-8 decoder, so one bad byte costs one line, not the file.
import { concat, errorText, type OpenedFile } from './bytes';
import type { ProblemSink } from './problems';

export interface ByteLine {
  /** 1-based line number. */
  line: number;
  /** The line without its terminator, or null when it was longer than the bound and dropped. */
  bytes: Uint8Array | null;
  byteLength: number;
}

/** Observed memory use of the splitter, for the memory-bound test and the report. */
export interface LineStats {
  /** The most bytes of one line held at once. */
  peakLineBytes: number;
}

export async function* byteLines(stream: ReadableStream<Uint8Array>, maxLineBytes: number,
                                 stats?: LineStats): AsyncGenerator<ByteLine> {
  const reader = stream.getReader();
  let parts: Uint8Array[] = [];
  let held = 0;        // bytes in `parts`
  let length = 0;      // bytes of the current line seen so far (held or dropped)
  let dropping = false;
  let line = 1;
  let finished = false;
  const take = (): ByteLine => {
    let bytes: Uint8Array | null = null;
    if (!dropping) {
      bytes = concat(parts, held);
      if (bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1); // CRLF
    }
    const out = { line, bytes, byteLength: length };
    parts = []; held = 0; length = 0; dropping = false; line++;
    return out;
  };
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      const chunk = r.value;
      let start = 0;
      while (start <= chunk.length) {
        const nl = chunk.indexOf(10, start);
        const end = nl < 0 ? chunk.length : nl;
        if (end > start) {
          length += end - start;
          if (!dropping && length > maxLineBytes) { dropping = true; parts = []; held = 0; }
          if (!dropping) {
            // Copy only the tail of a chunk that stays pending, so a short remainder never pins a whole chunk.
            parts.push(nl < 0 ? chunk.slice(start, end) : chunk.subarray(start, end));
            held += end - start;
            if (stats && held > stats.peakLineBytes) stats.peakLineBytes = held;
          }
        }
        if (nl < 0) break;
        yield take();
        start = nl + 1;
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
}

/**
 * Decoded lines of an opened file. Invalid UTF-8 and over-long lines are reported and skipped; a stream
 * error (corrupt gzip, failed read) is reported and ends the file.
 */
export async function* textLines(opened: OpenedFile, fileName: string, maxLineBytes: number,
                                 problems: ProblemSink, stats?: LineStats): AsyncGenerator<TextLine> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let lastLine = 0;
  try {
    for await (const l of byteLines(opened.stream, maxLineBytes, stats)) {
      lastLine = l.line;
      if (l.bytes === null) {
        problems({ kind: 'too-long', file: fileName, line: l.line,
          message: `line of ${l.byteLength} bytes exceeds the ${maxLineBytes}-byte limit` });
        continue;
      }
      let text: string;
      try {
        text = utf8.decode(l.bytes);
      } catch {
        problems({ kind: 'invalid-utf8', file: fileName, line: l.line, message: 'line is not valid UTF-8' });
        continue;
      }
      yield { line: l.line, text };
    }
  } catch (err) {
    problems({ kind: opened.gzip ? 'gzip' : 'read-error', file: fileName, line: lastLine + 1, message: errorText(err) });
  }
}
