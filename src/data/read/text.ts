// Plain text: one document per file, per blank-line block, or per line.
import type { TextSplit } from '../source';
import type { TextLine } from './lines';
import type { ProblemSink } from './problems';
import type { RawRecord } from './record';

export async function* textRecords(lines: AsyncIterable<TextLine>, file: string, split: TextSplit,
                                   maxRecordBytes: number, problems: ProblemSink): AsyncGenerator<RawRecord> {
  if (split === 'line') {
    for await (const l of lines) if (l.text.trim() !== '') yield { file, line: l.line, text: l.text, fields: null };
    return;
  }
  // 'file' and 'blank-line' gather lines; the size is checked as they come so a huge document is dropped
  // (and reported) instead of held.
  let parts: string[] = [];
  let size = 0;
  let start = 0;
  let tooBig = false;
  const flush = function* (): Generator<RawRecord> {
    if (tooBig) {
      problems({ kind: 'too-long', file, line: start, message: `document over the ${maxRecordBytes}-byte limit` });
    } else if (parts.length > 0) {
      const text = parts.join('\n');
      if (text.trim() !== '') yield { file, line: start, text, fields: null };
    }
    parts = []; size = 0; start = 0; tooBig = false;
  };
  for await (const l of lines) {
    if (split === 'blank-line' && l.text.trim() === '') { yield* flush(); continue; }
    if (start === 0) start = l.line;
    if (tooBig) continue;
    size += l.text.length + 1; // UTF-16 units: a cheap upper-bound proxy for bytes held
    if (size > maxRecordBytes) { tooBig = true; parts = []; continue; }
    parts.push(l.text);
  }
  yield* flush();
}
