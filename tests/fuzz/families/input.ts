// What the reader families share: in-memory files, records that are valid and recognisable, and one way of
// reading a file through readRecords that counts the valid records kept and collects every problem.
import { readRecords } from '../../../src/data/read/records';
import type { InputProblem } from '../../../src/data/read/problems';
import type { SourceFormat } from '../../../src/data/source';
import type { FuzzResult } from '../family';

/** A valid record's text: a full sentence the readers must hand on unchanged. */
export const validText = (k: number): string => `Record number ${k} is a perfectly ordinary line of text.`;
const VALID = /^Record number (\d+) is a perfectly ordinary line of text\.$/;

/** Ids from 900 up are the records a mutation may have touched: never counted, never checked. */
export const FAULT_ID = 900;

export function memoryFile(name: string, bytes: Uint8Array, chunk = 1 << 16) {
  return {
    name, size: bytes.length,
    stream: () => {
      let at = 0;
      return new ReadableStream<Uint8Array>({
        pull(c) {
          if (at >= bytes.length) { c.close(); return; }
          c.enqueue(bytes.slice(at, at + chunk));
          at += chunk;
        },
      });
    },
    slice: (start: number, end: number) => ({ arrayBuffer: async () => bytes.slice(start, end).buffer as ArrayBuffer }),
  };
}

export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/**
 * Counts the valid records among `texts`; a text that looks valid but is not exactly a valid record (a
 * record that swallowed its neighbour, a field cut short) is a violation.
 */
export function judgeTexts(texts: readonly string[], checkAltered = true): { kept: number; violations: string[] } {
  let kept = 0;
  const violations: string[] = [];
  const seen = new Set<number>();
  for (const t of texts) {
    const m = VALID.exec(t);
    if (m) {
      const id = Number(m[1]);
      if (id >= FAULT_ID) continue;
      if (seen.has(id)) violations.push(`record ${id} came out twice`);
      seen.add(id);
      kept++;
    } else if (checkAltered) {
      // A valid record's start with something else after it: it swallowed a neighbour or lost its end. The
      // families' valid ids are under 9 or 100..199; a mutated fault record (900) can only read as 9, 90 or 900.
      const start = /^Record number (\d+) /.exec(t);
      const id = start ? Number(start[1]) : -1;
      if (id >= 0 && (id < 9 || (id >= 100 && id < 200))) violations.push(`record text altered: ${JSON.stringify(t.slice(0, 120))}`);
    }
  }
  return { kept, violations };
}

/** Problems of a line-based format must say where: only whole-file problems may lack a line. */
const WHOLE_FILE: ReadonlySet<string> = new Set(['empty-file', 'binary-file', 'gzip', 'parquet', 'read-error', 'stuck']);

export async function readCase(fileName: string, bytes: Uint8Array, format: SourceFormat,
                               maxRecordBytes = 1 << 20, checkAltered = true): Promise<FuzzResult> {
  const problems: InputProblem[] = [];
  const texts: string[] = [];
  for await (const r of readRecords(memoryFile(fileName, bytes), format, { maxRecordBytes }, (p) => problems.push(p))) texts.push(r.text);
  const { kept, violations } = judgeTexts(texts, checkAltered);
  for (const p of problems) if (p.line === undefined && !WHOLE_FILE.has(p.kind)) violations.push(`${p.kind} without a line: ${p.message}`);
  return { messages: problems.map((p) => `${p.file}: ${p.message}`), kept, violations };
}

/** `bytes` with every `from` replaced by `to` (same length), on bytes, so invalid UTF-8 stays as it was. */
export function replaceBytes(bytes: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const out = bytes.slice();
  for (let i = out.indexOf(from[0]); i >= 0 && i + from.length <= out.length; i = out.indexOf(from[0], i + 1)) {
    let k = 0;
    while (k < from.length && out[i + k] === from[k]) k++;
    if (k === from.length) out.set(to, i);
  }
  return out;
}
