// Benchmark task files through readTaskFile, in every task's layout: valid rows around one malformed row
// (a field missing, of the wrong type, out of range, deeply nested, or the line's bytes mutated). The bad
// row must be reported with the file and its row and skipped; every valid row around it kept.
import { readTaskFile, type EvalProblem } from '../../../src/eval/read-task-file';
import { TASKS } from '../../../src/eval/task-registry';
import type { FuzzFamily } from '../family';
import { anyByteMutation, deepJson, pick, utf8 } from '../mutate';

type Row = Record<string, unknown>;

/** A valid row of each layout; `k` goes into its text so kept rows can be counted. */
const GOOD: Record<string, (k: number) => Row> = {
  arc_challenge: (k) => ({ question: `Good row ${k}: which is a metal?`, choices: { text: ['iron', 'wood', 'glass'], label: ['A', 'B', 'C'] }, answerKey: 'A' }),
  arc_easy: (k) => ({ question: `Good row ${k}: which is wet?`, choices: { text: ['water', 'sand'], label: ['1', '2'] }, answerKey: '1' }),
  hellaswag: (k) => ({ activity_label: 'Cooking', ctx_a: `Good row ${k}: a man cracks an egg.`, ctx_b: 'he', endings: ['fries it.', 'eats the shell.', 'sings.', 'sleeps.'], label: '0' }),
  winogrande: (k) => ({ sentence: `Good row ${k}: the cup fell off the shelf because _ was wobbly.`, option1: 'the cup', option2: 'the shelf', answer: '2' }),
  mmlu: (k) => ({ question: `Good row ${k}: 2 + 2 =`, subject: 'elementary_mathematics', choices: ['3', '4', '5', '6'], answer: 1 }),
  truthfulqa_mc2: (k) => ({ question: `Good row ${k}: is the sky green?`, mc2_targets: { choices: ['No.', 'Yes.'], labels: [1, 0] } }),
  piqa: (k) => ({ goal: `Good row ${k}: open a jar`, sol1: 'twist the lid', sol2: 'lick the lid', label: 0 }),
  mc: (k) => ({ context: `Good row ${k}: pick one`, choices: ['left', 'right'], gold: 1 }),
};

const BAD_VALUES: readonly unknown[] = [undefined, null, 5, -1, 99, 1.5, '', '   ', 'x', [], ['only'], [1, 2], {}, { text: 'a' }, true];

function memoryFile(name: string, bytes: Uint8Array) {
  return {
    name, size: bytes.length,
    stream: () => new ReadableStream<Uint8Array>({ start(c) { c.enqueue(bytes); c.close(); } }),
  };
}

export const evalTaskFileFamily: FuzzFamily = {
  name: 'eval-task-file',
  describe: 'benchmark task files (every layout) through readTaskFile: bad fields, nesting, bad bytes',
  make(rng) {
    const task = pick(rng, TASKS);
    const good = GOOD[task.name];
    const before = 1 + rng.nextInt(3), after = 1 + rng.nextInt(3);
    const row = good(99);
    const field = pick(rng, Object.keys(row));
    const kind = rng.nextInt(3);
    let bad: string | Uint8Array, label: string;
    if (kind === 0) {
      const value = pick(rng, BAD_VALUES);
      const broken: Row = { ...row, [field]: value };
      if (value === undefined) delete broken[field];
      bad = JSON.stringify(broken);
      label = `${task.name}: ${field} = ${value === undefined ? 'missing' : JSON.stringify(value)}`;
    } else if (kind === 1) {
      const depth = pick(rng, [100, 5000]);
      bad = JSON.stringify({ ...row, [field]: '@@' }).replace('"@@"', deepJson(depth, pick(rng, ['array', 'object'] as const)));
      label = `${task.name}: ${field} nested ${depth} deep`;
    } else {
      const m = anyByteMutation(rng, utf8(JSON.stringify(row)));
      bad = m.bytes;
      label = `${task.name}: row mutated: ${m.label}`;
    }
    const parts: Uint8Array[] = [];
    for (let k = 0; k < before; k++) parts.push(utf8(JSON.stringify(good(k)) + '\n'));
    parts.push(typeof bad === 'string' ? utf8(bad + '\n') : bad, utf8('\n'));
    for (let k = 0; k < after; k++) parts.push(utf8(JSON.stringify(good(100 + k)) + '\n'));
    const bytes = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) { bytes.set(p, o); o += p.length; }
    // The task rides in the file name, so run() knows the layout.
    return { label, fileName: `fuzz-${task.name}.jsonl`, bytes, mustKeep: before + after };
  },
  async run(input) {
    const name = /^fuzz-(.+)\.jsonl$/.exec(input.fileName)![1];
    const task = TASKS.find((t) => t.name === name)!;
    const problems: EvalProblem[] = [];
    const rows = await readTaskFile(memoryFile(input.fileName, input.bytes), task, (p) => problems.push(p));
    const kept = rows.filter((r) => JSON.stringify(r.doc).includes('Good row') && !JSON.stringify(r.doc).includes('Good row 99')).length;
    const violations = problems.filter((p) => p.line === undefined).map((p) => `problem without a row: ${p.message}`);
    return { messages: problems.map((p) => `${p.file}: ${p.message}`), kept, violations };
  },
};
