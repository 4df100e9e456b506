// Benchmark files through buildBenchmarkIndex, the path decontamination reads them by (every string field
// joined when no fields are named, one sample per line for text): JSONL, CSV and text, valid samples around
// one fault; every valid sample must be indexed and every problem must name the file.
import { buildBenchmarkIndex } from '../../../src/data/benchmarks';
import type { InputProblem } from '../../../src/data/read/problems';
import { resolveRules } from '../../../src/data/rules/defaults';
import type { FuzzFamily } from '../family';
import { anyByteMutation, deepJson, pick, utf8 } from '../mutate';
import { FAULT_ID, joinBytes, memoryFile, validText } from './input';

const EXT = ['jsonl', 'csv', 'txt'] as const;

export const benchmarkFamily: FuzzFamily = {
  name: 'benchmark',
  describe: 'benchmark files (JSONL with every string field, CSV, text per line) through buildBenchmarkIndex',
  make(rng) {
    const ext = pick(rng, EXT);
    const sample = (k: number) => ext === 'jsonl' ? JSON.stringify({ question: validText(k), choices: ['yes', 'no'] })
      : ext === 'csv' ? `${k},"${validText(k)}"` : validText(k);
    const before = 1 + rng.nextInt(4);
    const after = 1 + rng.nextInt(4);
    let bad: Uint8Array;
    let label: string;
    let mustKeep = before + after;
    if (ext === 'jsonl' && rng.nextInt(2) === 0) {
      const depth = pick(rng, [200, 5000, 20000]);
      bad = utf8(`{"question": "deep", "meta": ${deepJson(depth, pick(rng, ['array', 'object'] as const))}}`);
      label = `sample nested ${depth} deep`;
    } else {
      const kind = rng.nextInt(3);
      if (kind === 0) { bad = joinBytes([utf8('x'), new Uint8Array([0]), utf8('y')]); label = 'a NUL'; }
      else if (kind === 1) { bad = joinBytes([utf8('bad '), new Uint8Array([0xff]), utf8(' byte')]); label = 'invalid UTF-8'; }
      else {
        // A line break inside the mutated sample may leave part of it behind: that part is not a sample.
        const m = anyByteMutation(rng, utf8(sample(FAULT_ID).replace(/"/g, ''))); bad = m.bytes; label = m.label;
        // Junk may hold a quote, which in CSV rightly re-pairs every quote after it.
        if (ext === 'csv') mustKeep = before;
      }
    }
    const parts: Uint8Array[] = ext === 'csv' ? [utf8('id,question\n')] : [];
    for (let k = 0; k < before; k++) parts.push(utf8(sample(k) + '\n'));
    parts.push(bad, utf8('\n'));
    for (let k = 0; k < after; k++) parts.push(utf8(sample(100 + k) + '\n'));
    return { label: `${ext}: ${label}`, fileName: `fuzz-bench.${ext}`, bytes: joinBytes(parts), mustKeep };
  },
  async run(input) {
    const problems: InputProblem[] = [];
    const rules = resolveRules();
    const index = await buildBenchmarkIndex([{ files: [memoryFile(input.fileName, input.bytes)] }], rules,
      (p) => problems.push(p), () => {});
    // Only whole samples count: refs keep an excerpt of each indexed sample.
    // CSV samples join the id column before the text, JSONL ones the choices after it.
    const whole = /^(?:\d+\n)?Record number (\d+) is a perfectly ordinary line of text\.(?:\nyes\nno)?$/;
    const kept = index.refs.filter((r) => { const m = whole.exec(r.excerpt); return m !== null && Number(m[1]) < FAULT_ID; }).length;
    return { messages: problems.map((p) => `${p.file}: ${p.message}`), kept };
  },
};
