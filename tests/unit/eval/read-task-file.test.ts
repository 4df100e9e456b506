// Task files in the datasets' own layouts, JSONL and Parquet: bad rows reported with file and row and
// skipped, the rows around them kept.
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { formatProblem, readTaskFile, type EvalProblem } from '../../../src/eval/read-task-file';
import { taskByName } from '../../../src/eval/task-registry';
import { jsonl, memFile } from '../data/helpers';

async function read(task: string, name: string, content: string | Uint8Array) {
  const problems: EvalProblem[] = [];
  const rows = await readTaskFile(memFile(name, content), taskByName(task)!, (p) => problems.push(p));
  return { rows, problems: problems.map(formatProblem) };
}

describe('readTaskFile', () => {
  it('JSONL: keeps good rows, reports each bad one with file, line and field', async () => {
    const good = { goal: 'Open a jar', sol1: 'Twist the lid', sol2: 'Lick the lid', label: 0 };
    const text = [
      JSON.stringify(good),
      '{"goal": "broken',
      JSON.stringify({ ...good, label: 2 }),
      JSON.stringify({ ...good, sol2: '' }),
      JSON.stringify({ ...good, label: '1' }),
      '',
      JSON.stringify({ label: 1 }),
    ].join('\n');
    const { rows, problems } = await read('piqa', 'data/piqa.jsonl', text);
    expect(rows.map((r) => [r.row, r.doc.gold])).toEqual([[1, 0], [5, 1]]);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^piqa\.jsonl:2: /);
    expect(problems[1]).toBe('piqa.jsonl:3: bad piqa row (goal, sol1, sol2, label): field "label" is 2, outside 0..1');
    expect(problems[2]).toBe('piqa.jsonl:4: bad piqa row (goal, sol1, sol2, label): field "sol2" is empty');
    expect(problems[3]).toBe('piqa.jsonl:7: row has no text fields');
  });

  it('Parquet with nested columns (ARC\'s choices struct), 64-bit integers and several row groups', async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'question', data: ['Which is a metal?', 'Which is a gas?', 'Which is wet?'] },
        { name: 'choices', data: [{ text: ['iron', 'wood'], label: ['A', 'B'] }, { text: ['air', 'rock'], label: ['1', '2'] },
          { text: ['water', 'sand'], label: ['A', 'B'] }] },
        { name: 'answerKey', data: ['A', '1', 'E'] },
      ],
      rowGroupSize: 2,
    });
    const { rows, problems } = await read('arc_easy', 'arc.parquet', new Uint8Array(buffer));
    expect(rows.map((r) => [r.row, r.doc.text, r.doc.gold])).toEqual([
      [1, 'Question: Which is a metal?\nAnswer:', 0], [2, 'Question: Which is a gas?\nAnswer:', 0]]);
    expect(problems).toEqual(['arc.parquet:3: bad arc_easy row (question, choices.text, choices.label, answerKey): answerKey "E" is not one of the labels A, B']);

    const mmlu = parquetWriteBuffer({ columnData: [
      { name: 'question', data: ['2 + 2 ='] }, { name: 'subject', data: ['elementary_mathematics'] },
      { name: 'choices', data: [['3', '4', '5', '6']] }, { name: 'answer', data: [1n], type: 'INT64' },
    ] });
    expect((await read('mmlu', 'mmlu.parquet', new Uint8Array(mmlu))).rows[0].doc.gold).toBe(1);
  });

  it('refuses a format that has no fields, naming the file', async () => {
    const { rows, problems } = await read('mc', 'notes.txt', 'some text');
    expect(rows).toEqual([]);
    expect(problems[0]).toMatch(/^notes\.txt: a mc file must be JSONL/);
  });

  it('reads the other layouts\' bad rows as problems too', async () => {
    const wino = jsonl([{ sentence: 'No blank here.', option1: 'a', option2: 'b', answer: '1' },
      { sentence: 'The _ fell.', option1: 'cup', option2: 'plate', answer: '' }]);
    expect((await read('winogrande', 'w.jsonl', wino)).problems).toEqual([
      'w.jsonl:1: bad winogrande row (sentence, option1, option2, answer): field "sentence" has no "_" blank',
      'w.jsonl:2: bad winogrande row (sentence, option1, option2, answer): field "answer" must be an integer, got ""',
    ]);
    const tq = jsonl([{ question: 'Q?', mc2_targets: { choices: ['a', 'b'], labels: [0, 0] } }]);
    expect((await read('truthfulqa_mc2', 't.jsonl', tq)).problems[0]).toMatch(/t\.jsonl:1: .*no true answer/);
    const hs = jsonl([{ activity_label: 'x', ctx_a: 'a', ctx_b: 'b', endings: 'one', label: '0' }]);
    expect((await read('hellaswag', 'h.jsonl', hs)).problems[0]).toMatch(/h\.jsonl:1: .*"endings" must be a list of strings/);
  });
});
