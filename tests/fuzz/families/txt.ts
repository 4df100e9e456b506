// Plain text through readRecords, one document per line or per blank-line block: valid documents around one
// damaged line (bytes, NULs, invalid UTF-8, a line over the limit), sometimes with CR or CRLF line endings.
import type { TextSplit } from '../../../src/data/source';
import type { FuzzFamily } from '../family';
import { anyByteMutation, pick, utf8 } from '../mutate';
import { FAULT_ID, joinBytes, readCase, validText } from './input';

const MAX_RECORD = 4096;

export const txtFamily: FuzzFamily = {
  name: 'txt',
  describe: 'plain text through readRecords (per line and per blank-line block; bad bytes, NUL, long line, CR endings)',
  make(rng) {
    const split: TextSplit = pick(rng, ['line', 'blank-line'] as const);
    const eol = pick(rng, ['\n', '\r\n', '\r']);
    const sep = split === 'line' ? eol : eol + eol; // blank-line: each document its own block
    const before = 1 + rng.nextInt(4);
    const after = 1 + rng.nextInt(4);
    const kind = rng.nextInt(4);
    let bad: Uint8Array;
    let label: string;
    if (kind === 0) {
      const m = anyByteMutation(rng, utf8(validText(FAULT_ID)));
      bad = m.bytes; label = m.label;
    } else if (kind === 1) {
      bad = utf8(`${validText(FAULT_ID)} ${'long '.repeat(MAX_RECORD / 4)}`); label = 'line over the limit';
    } else if (kind === 2) {
      bad = joinBytes([utf8('stray '), new Uint8Array([0]), utf8(' NUL')]); label = 'a NUL in a line';
    } else {
      bad = joinBytes([utf8('bad '), new Uint8Array([pick(rng, [0xff, 0xc3, 0x80, 0xed])]), utf8(' UTF-8')]); label = 'invalid UTF-8';
    }
    // A mutation may add line breaks of its own; the separators keep it away from the valid documents.
    const parts: Uint8Array[] = [];
    for (let k = 0; k < before; k++) parts.push(utf8(validText(k) + sep));
    parts.push(bad, utf8(eol + eol));
    for (let k = 0; k < after; k++) parts.push(utf8(validText(100 + k) + sep));
    return { label: `${split}, ${JSON.stringify(eol)} endings: ${label}`, fileName: `fuzz-input.${split}.txt`,
      bytes: joinBytes(parts), mustKeep: before + after };
  },
  run(input) {
    const split = input.fileName.includes('.blank-line.') ? 'blank-line' : 'line';
    return readCase(input.fileName, input.bytes, { kind: 'text', split }, MAX_RECORD);
  },
};
