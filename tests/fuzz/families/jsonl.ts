// JSONL through the record reader: valid records around one malformed stretch. Every valid line that the
// mutation did not touch must still come out, and every problem must name the file. One input in three goes
// through the whole pipeline, as a source and as a benchmark file, where serialising cleaned.jsonl and the
// report met the deep records (issue 7, item 4).
import { MemoryStore } from '../../../src/data/store.memory';
import { runPipeline } from '../../../src/data/pipeline';
import type { FuzzFamily, FuzzResult } from '../family';
import { anyByteMutation, deepJson, pick, utf8 } from '../mutate';
import { FAULT_ID, joinBytes, judgeTexts, memoryFile, readCase, replaceBytes, validText } from './input';
import { byteTokenizer, READING_ONLY } from './pipeline-setup';

const FILE = 'fuzz-input.jsonl';
const PIPELINE = '[pipeline] ';

/** The input with other words in every valid record (same lengths, so the fault stays where it was). */
function benchmarkBytes(bytes: Uint8Array): Uint8Array {
  const a = replaceBytes(bytes, utf8('Record number'), utf8('Exam question'));
  return replaceBytes(a, utf8('perfectly ordinary line of text'), utf8('quiz about rivers, moons, birds'));
}

async function throughPipeline(fileName: string, bytes: Uint8Array): Promise<FuzzResult> {
  const store = new MemoryStore();
  const report = await runPipeline({
    sources: [{ name: 'fuzz', category: 'web', weight: 1, files: [memoryFile(fileName, bytes)] }],
    // The same fault in the benchmark file, but other words, so decontamination keeps the valid records.
    benchmarks: [{ files: [memoryFile(fileName, benchmarkBytes(bytes))] }],
    tokenizer: { kind: 'bpe', vocabSize: 259 }, seqLen: 16, rules: READING_ONLY,
  }, { store, resolveTokenizer: async () => byteTokenizer() });
  const written = JSON.parse(await store.readText('report.json')) as typeof report;
  const texts = (await store.readText('cleaned.jsonl')).split('\n').filter(Boolean).map((l) => String(JSON.parse(l).text));
  const { kept, violations } = judgeTexts(texts);
  const listed = written.problems.files.reduce((n, f) => n + f.total, 0);
  const counted = Object.values(written.problems.counts).reduce((n, c) => n + (c ?? 0), 0);
  if (listed !== counted) violations.push(`report counts ${counted} problems but its files ${listed}`);
  return { messages: written.problems.list.map((p) => `${p.file}: ${p.message}`), kept, violations };
}

export const jsonlFamily: FuzzFamily = {
  name: 'jsonl',
  describe: 'JSONL records through readRecords, and one in three through the pipeline (cleaned.jsonl, report, benchmark)',
  make(rng, i) {
    const before = 1 + rng.nextInt(4);
    const after = 1 + rng.nextInt(4);
    const good = (k: number) => JSON.stringify({ text: validText(k), id: k });
    const kind = rng.nextInt(3);
    let bad: string | Uint8Array;
    let label: string;
    if (kind === 0) {
      const depth = pick(rng, [100, 200, 5000, 20000]);
      bad = `{"text": "deep", "meta": ${deepJson(depth, pick(rng, ['array', 'object'] as const))}}`;
      label = `side field nested ${depth} deep`;
    } else if (kind === 1) {
      const m = anyByteMutation(rng, utf8(good(FAULT_ID)));
      bad = m.bytes;
      label = `one line mutated: ${m.label}`;
    } else {
      bad = pick(rng, ['{"text": 5}', '[]', 'null', '"text"', '{"text": {"a": 1}}', '{', '\u0000\u0000', '{"text": "a\u0000b"}']);
      label = `one line ${JSON.stringify(bad)}`;
    }
    const lines: Uint8Array[] = [];
    for (let k = 0; k < before; k++) lines.push(utf8(good(k) + '\n'));
    lines.push(typeof bad === 'string' ? utf8(bad + '\n') : bad);
    if (typeof bad !== 'string') lines.push(utf8('\n'));
    for (let k = 0; k < after; k++) lines.push(utf8(good(100 + k) + '\n'));
    const pipeline = i % 3 === 0;
    return { label: (pipeline ? PIPELINE : '') + label, fileName: FILE, bytes: joinBytes(lines), mustKeep: before + after };
  },
  run(input) {
    if (input.label.startsWith(PIPELINE)) return throughPipeline(input.fileName, input.bytes);
    return readCase(input.fileName, input.bytes, { kind: 'jsonl', textField: 'text' });
  },
};
