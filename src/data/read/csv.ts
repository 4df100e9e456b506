// CSV (RFC 4180): header row, comma (or tab for .tsv) separated, double-quoted fields that may hold
// delimiters, doubled quotes and newlines. Written here rather than taken from papaparse because it runs on
// our decoded-line stream, which keeps the per-line UTF-8 recovery, the line numbers and the memory bound.
// A record that spans a bad line (invalid UTF-8, a NUL, over the length limit) is dropped whole, but the
// bad line is still parsed (leniently decoded, or its quotes counted when too long to hold) so the quote
// pairing, and with it every later record, stays right.
import type { TextLine } from './lines';
import type { InputProblem, ProblemSink } from './problems';
import { ALL_FIELDS, extractText, type RawRecord } from './record';

export async function* csvRecords(lines: AsyncIterable<TextLine>, file: string, textField: string,
                                  maxRecordBytes: number, problems: ProblemSink,
                                  delimiter = file.toLowerCase().replace(/\.gz$/, '').endsWith('.tsv') ? '\t' : ','):
    AsyncGenerator<RawRecord> {
  let header: string[] | null = null;
  let fields: string[] = [];
  let field = '';
  let quoted = false;  // inside a quoted field, possibly across lines
  let start = 0;       // line where the current record began
  let size = 0;
  let fault: InputProblem | null = null; // why the record being parsed will be dropped
  const reset = () => { fields = []; field = ''; quoted = false; start = 0; size = 0; fault = null; };

  for await (const l of lines) {
    const s = l.text;
    if (start === 0) {
      if (s.trim() === '' && !l.fault) continue;
      start = l.line;
    }
    fault ??= l.fault ?? null;
    if (l.fault && l.text === '') {
      // Too long to hold: only its quotes are known. An odd count flips the quoting, as it would have.
      if ((l.quotes ?? 0) % 2 === 1) quoted = !quoted;
    } else {
      size += s.length + 1;
      if (size > maxRecordBytes && !fault) {
        fault = { kind: 'too-long', file, line: start, message: `record over the ${maxRecordBytes}-byte limit (unterminated quote?)` };
      }
      // Past the limit the fields are not kept, but the line is still parsed to find where the record ends.
      if (fault) { fields = []; field = ''; }
      let i = 0;
      if (quoted) field += '\n';
      while (i <= s.length) {
        if (quoted) {
          const q = s.indexOf('"', i);
          if (q < 0) { field += s.slice(i); i = s.length + 1; break; }
          field += s.slice(i, q);
          if (s[q + 1] === '"') { field += '"'; i = q + 2; } else { quoted = false; i = q + 1; }
          continue;
        }
        if (i < s.length && s[i] === '"' && field === '') { quoted = true; i++; continue; }
        const d = s.indexOf(delimiter, i);
        if (d < 0) {
          field += s.slice(i);
          fields.push(field);
          field = '';
          i = s.length + 1;
        } else {
          field += s.slice(i, d);
          fields.push(field);
          field = '';
          i = d + 1;
        }
      }
      if (fault) { fields = []; field = ''; }
    }
    if (quoted) continue; // the record goes on to the next line
    const row = fields;
    const line = start;
    const bad: InputProblem | null = fault;
    reset();
    if (bad) {
      if (header === null) {
        // Without the header no row can be given its columns.
        problems({ ...bad, line, message: `header row unreadable, file skipped: ${bad.message}` });
        return;
      }
      const lines = l.line > line ? `record of lines ${line}..${l.line}` : `record at line ${line}`;
      problems({ ...bad, line, message: `${lines} dropped: ${bad.line !== line ? `line ${bad.line}: ` : ''}${bad.message}` });
      continue;
    }
    if (header === null) {
      header = row.map((h) => h.trim());
      const wanted = textField === ALL_FIELDS ? [] : textField.split(',').map((f) => f.trim());
      const absent = wanted.filter((f) => !header!.includes(f));
      if (absent.length > 0) {
        problems({ kind: 'missing-field', file, line, message: `no column "${absent.join('", "')}" in the header` });
        return;
      }
      continue;
    }
    if (row.length !== header.length) {
      problems({ kind: 'csv-columns', file, line, message: `${row.length} columns, header has ${header.length}` });
      continue;
    }
    const record: Record<string, unknown> = {};
    for (let c = 0; c < header.length; c++) record[header[c]] = row[c];
    const text = extractText(record, textField);
    if (text === null) {
      problems({ kind: 'missing-field', file, line, message: `no text in "${textField}"` });
      continue;
    }
    yield { file, line, text, fields: record };
  }
  if (quoted) problems({ kind: fault?.kind ?? 'too-long', file, line: start, message: 'file ends inside a quoted field' });
}
