// JSONL through the record reader: valid records around one malformed stretch. Every valid line that the
// mutation did not touch must still come out, and every problem must name the file.
import { readRecords } from '../../../src/data/read/records';
import type { InputProblem } from '../../../src/data/read/problems';
import type { FuzzFamily } from '../family';
import { anyByteMutation, deepJson, pick, utf8 } from '../mutate';

const FILE = 'fuzz-input.jsonl';

function memoryFile(name: string, bytes: Uint8Array) {
  return {
    name, size: bytes.length,
    stream: () => new ReadableStream<Uint8Array>({ start(c) { c.enqueue(bytes); c.close(); } }),
  };
}

export const jsonlFamily: FuzzFamily = {
  name: 'jsonl',
  describe: 'JSONL records through readRecords (text field, nesting, bad bytes)',
  make(rng) {
    const before = 1 + rng.nextInt(4);
    const after = 1 + rng.nextInt(4);
    const good = (k: number) => JSON.stringify({ text: `Record number ${k} is a perfectly ordinary line of text.`, id: k });
    const kind = rng.nextInt(3);
    let bad: string | Uint8Array;
    let label: string;
    if (kind === 0) {
      const depth = pick(rng, [100, 5000, 20000]);
      bad = `{"text": "deep", "meta": ${deepJson(depth, pick(rng, ['array', 'object'] as const))}}`;
      label = `side field nested ${depth} deep`;
    } else if (kind === 1) {
      const m = anyByteMutation(rng, utf8(good(99)));
      bad = m.bytes;
      label = `one line mutated: ${m.label}`;
    } else {
      bad = pick(rng, ['{"text": 5}', '[]', 'null', '"text"', '{"text": {"a": 1}}', '{', '\u0000\u0000']);
      label = `one line ${JSON.stringify(bad)}`;
    }
    const lines: Uint8Array[] = [];
    for (let k = 0; k < before; k++) lines.push(utf8(good(k) + '\n'));
    lines.push(typeof bad === 'string' ? utf8(bad + '\n') : bad);
    if (typeof bad !== 'string') lines.push(utf8('\n'));
    for (let k = 0; k < after; k++) lines.push(utf8(good(100 + k) + '\n'));
    const bytes = new Uint8Array(lines.reduce((s, l) => s + l.length, 0));
    let o = 0;
    for (const l of lines) { bytes.set(l, o); o += l.length; }
    return { label, fileName: FILE, bytes, mustKeep: before + after };
  },
  async run(input) {
    const problems: InputProblem[] = [];
    let kept = 0;
    for await (const r of readRecords(memoryFile(input.fileName, input.bytes), { kind: 'jsonl', textField: 'text' },
      { maxRecordBytes: 1 << 20 }, (p) => problems.push(p))) {
      if (typeof r.text === 'string' && r.text.startsWith('Record number')) kept++;
    }
    const violations = problems.filter((p) => p.line === undefined && p.kind !== 'empty-file').map((p) => `${p.kind} without a line: ${p.message}`);
    return { messages: problems.map((p) => `${p.file}: ${p.message}`), kept, violations };
  },
};
