// CSV through readRecords: a header, valid rows (some with quoted multi-line fields) around one fault. A fault
// confined to one record (bad UTF-8, a NUL or an over-long line inside its quoted field; CR or CRLF endings)
// must cost that record only. A byte mutation may add or remove a quote, which rightly re-pairs every quote
// after it, so there only the rows before the fault must survive; no record may come out altered.
import type { FuzzFamily } from '../family';
import { anyByteMutation, pick, utf8 } from '../mutate';
import { FAULT_ID, joinBytes, readCase, validText } from './input';

const MAX_RECORD = 4096;

export const csvFamily: FuzzFamily = {
  name: 'csv',
  describe: 'CSV through readRecords (quoted multi-line fields; bad line inside a quote, long line, CR endings, bad bytes)',
  make(rng) {
    const eol = pick(rng, ['\n', '\r\n', '\r']);
    const before = 1 + rng.nextInt(4);
    const after = 1 + rng.nextInt(4);
    // Quoted text, sometimes spread over lines, with a doubled quote in the note column.
    const row = (k: number) => `${k},"${validText(k)}","note ""${k}""${rng.nextInt(2) ? `${eol}second line` : ''}"${eol}`;
    const kind = rng.nextInt(4);
    let bad: Uint8Array;
    let label: string;
    let confined = true;
    const inQuote = (inner: Uint8Array) => joinBytes([utf8(`${FAULT_ID},"${validText(FAULT_ID)}${eol}`), inner, utf8(`${eol}end of field"",""",x${eol}`)]);
    if (kind === 0) {
      bad = inQuote(joinBytes([utf8('bad '), new Uint8Array([0xff, 0xfe]), utf8(' "" quoted')])); label = 'invalid UTF-8 inside a quoted field';
    } else if (kind === 1) {
      bad = inQuote(utf8(`"" ${'long '.repeat(MAX_RECORD / 4)}`)); label = 'line over the limit inside a quoted field';
    } else if (kind === 2) {
      bad = inQuote(joinBytes([utf8('a '), new Uint8Array([0]), utf8(' NUL')])); label = 'NUL inside a quoted field';
    } else {
      const m = anyByteMutation(rng, utf8(row(FAULT_ID)));
      bad = m.bytes; label = `row mutated: ${m.label}`; confined = false;
    }
    const parts: Uint8Array[] = [utf8(`id,text,note${eol}`)];
    for (let k = 0; k < before; k++) parts.push(utf8(row(k)));
    parts.push(bad);
    for (let k = 0; k < after; k++) parts.push(utf8(row(100 + k)));
    // A mutated row may merge with its neighbour (a cut line break, a new quote): only there is that legitimate.
    return { label: `${JSON.stringify(eol)} endings: ${label}`, fileName: confined ? 'fuzz-input.csv' : 'fuzz-mutated.csv', bytes: joinBytes(parts),
      mustKeep: confined ? before + after : before };
  },
  run(input) {
    return readCase(input.fileName, input.bytes, { kind: 'csv', textField: 'text' }, MAX_RECORD, input.fileName === 'fuzz-input.csv');
  },
};
