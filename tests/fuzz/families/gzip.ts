// Gzipped JSONL and text through readRecords: one or two gzip members, then one fault after the data (junk
// appended, a flipped CRC or length byte, a cut trailer) where every record must survive as with `gzip -dc`,
// or inside the second member's data, where the first member's records must survive.
import { gzipSync } from 'node:zlib';
import type { FuzzFamily } from '../family';
import { appendJunk, flipByte, pick, truncate, utf8 } from '../mutate';
import { joinBytes, readCase, validText } from './input';

export const gzipFamily: FuzzFamily = {
  name: 'gzip',
  describe: 'gzip (.jsonl.gz, .txt.gz) through readRecords: junk after the trailer, bad CRC, cut trailer, damaged second member',
  make(rng) {
    const jsonl = rng.nextInt(2) === 0;
    const line = (k: number) => (jsonl ? JSON.stringify({ text: validText(k) }) : validText(k)) + '\n';
    const member = (from: number, n: number) => new Uint8Array(gzipSync(utf8(Array.from({ length: n }, (_, k) => line(from + k)).join(''))));
    const first = 1 + rng.nextInt(30);
    const second = rng.nextInt(2) ? 1 + rng.nextInt(30) : 0;
    const a = member(0, first);
    const b = second ? member(100, second) : new Uint8Array(0);
    const whole = joinBytes([a, b]);
    const kind = rng.nextInt(4);
    let bytes: Uint8Array;
    let label: string;
    let mustKeep = first + second;
    if (kind === 0) {
      const m = appendJunk(rng, whole); bytes = m.bytes; label = m.label;
    } else if (kind === 1) {
      bytes = whole.slice();
      const at = whole.length - 1 - rng.nextInt(8);
      bytes[at] ^= 1 + rng.nextInt(255);
      label = `trailer byte ${at} of ${whole.length} flipped`;
    } else if (kind === 2) {
      const cut = 1 + rng.nextInt(8);
      bytes = whole.slice(0, whole.length - cut); label = `last ${cut} trailer bytes cut`;
    } else {
      // Damage inside the last member's header or data: the members before it are whole.
      const last = second ? b : a;
      const m = pick(rng, [flipByte, truncate])(rng, last.subarray(0, last.length - 8));
      bytes = joinBytes(second ? [a, m.bytes, last.subarray(last.length - 8)] : [m.bytes, last.subarray(last.length - 8)]);
      label = `last member damaged: ${m.label}`;
      mustKeep = second ? first : 0;
    }
    const name = jsonl ? 'fuzz-input.jsonl.gz' : 'fuzz-input.txt.gz';
    return { label: `${second ? 'two members' : 'one member'}, ${label}`, fileName: name, bytes, mustKeep };
  },
  run(input) {
    const format = input.fileName.includes('.jsonl')
      ? { kind: 'jsonl' as const, textField: 'text' } : { kind: 'text' as const, split: 'line' as const };
    return readCase(input.fileName, input.bytes, format, 1 << 20, false);
  },
};
