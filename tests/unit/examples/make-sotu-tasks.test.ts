// The worked example's D3 task maker (scripts/examples/make-sotu-tasks.mjs): rows in the layouts that
// `npm run data` (mc: question, choices, answer) and `npm run eval --task mc=` (context, choices, gold) read,
// and the benchmark's years never among the training rows' years.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSotuTasks as make, type SotuTasks as Made } from '../../../scripts/examples/make-sotu-tasks.mjs';

const sotuPath = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'sotu.jsonl');
const planted = [
  ...Array.from({ length: 40 }, (_, i) => ({ year: 1900 + i, name: `Speaker ${Math.floor(i / 4)}`, text: 'x' })),
  { year: 1920, name: 'Someone Else', text: 'a second address in 1920' },
];

function check(records: unknown[], made: Made, byYear: Map<number, Set<string>>) {
  const train = new Set(made.trainYears);
  expect(made.testYears.filter((y) => train.has(y))).toEqual([]);
  expect(made.train.map((r) => r.year)).toEqual(made.trainYears);
  expect(made.test.map((r) => r.year)).toEqual(made.testYears);
  for (const r of made.train) {
    expect(r.question).toBe(`Who gave the State of the Union address of ${r.year}?`);
    expect(r.choices).toHaveLength(4);
    expect(new Set(r.choices).size).toBe(4);
    expect(Number.isInteger(r.answer) && r.answer >= 0 && r.answer < 4).toBe(true);
    expect([...byYear.get(r.year)!]).toEqual([r.choices[r.answer]]);
  }
  for (const r of made.test) {
    expect(r.context).toBe(`Question: Who gave the State of the Union address of ${r.year}?\nAnswer:`);
    expect(r.choices).toHaveLength(4);
    expect(new Set(r.choices).size).toBe(4);
    expect([...byYear.get(r.year)!]).toEqual([r.choices[r.gold]]);
  }
  expect(made.chance).toBe(0.25);
  expect(records.length).toBeGreaterThan(0);
}

const years = (records: { year: number; name: string }[]) => {
  const m = new Map<number, Set<string>>();
  for (const r of records) { if (!m.has(r.year)) m.set(r.year, new Set()); m.get(r.year)!.add(r.name); }
  return m;
};

describe('make-sotu-tasks', () => {
  it('planted records: well-formed rows, disjoint years, a year of two speakers left out, seeded', () => {
    const made = make(planted, { seed: 3, testFraction: 0.25 });
    check(planted, made, years(planted));
    expect([...made.trainYears, ...made.testYears]).not.toContain(1920);
    expect(made.trainYears.length + made.testYears.length).toBe(39);
    expect(made.testYears).toHaveLength(10);
    expect(make(planted, { seed: 3, testFraction: 0.25 })).toEqual(made);
    expect(make(planted, { seed: 4, testFraction: 0.25 }).testYears).not.toEqual(made.testYears);
  });

  it('the real sotu.jsonl: 229 single-speaker years split 172 / 57', () => {
    const records = readFileSync(sotuPath, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { year: number; name: string });
    const made = make(records, { seed: 1 });
    check(records, made, years(records));
    expect(made.train).toHaveLength(172);
    expect(made.test).toHaveLength(57);
    expect([...made.trainYears, ...made.testYears]).not.toContain(1953);
    expect([...made.trainYears, ...made.testYears]).not.toContain(1961);
  });
});
