#!/usr/bin/env node
// A D3 task set and its held-out benchmark, made from the State of the Union file's own fields (year, name):
// "Who gave the State of the Union address of YEAR?" with the speaker and three distractor names from other
// years. The years are split once (seeded): the training rows (the `mc` layout of `npm run data`: question,
// choices, answer) use one part, the benchmark (the `mc` task of `npm run eval`: context, choices, gold) the
// other, so no benchmark year is in the training rows. Years with two speakers (1953, 1961) are left out: the
// question would have two right answers.
//
//   node scripts/examples/make-sotu-tasks.mjs [--sotu FILE] --out DIR [--test-fraction 0.25] [--seed 1]
//
// writes DIR/sotu-tasks.train.jsonl, DIR/sotu-heldout.mc.jsonl and DIR/sotu-split.json (the years of each).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const QUESTION = (year) => `Who gave the State of the Union address of ${year}?`;
/** The benchmark's context: the question as lm-evaluation-harness tasks put it; each choice continues it. */
export const CONTEXT = (year) => `Question: ${QUESTION(year)}\nAnswer:`;

/** mulberry32: a small seeded generator, so the split and the distractors follow the seed alone. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(list, random) {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Rows of sotu.jsonl ({year, name, ...}) -> the training rows, the benchmark rows and the split. */
export function makeSotuTasks(records, { seed = 1, testFraction = 0.25, choices = 4 } = {}) {
  const speakers = new Map();
  for (const r of records) {
    if (!Number.isInteger(r.year) || typeof r.name !== 'string' || !r.name.trim()) continue;
    if (!speakers.has(r.year)) speakers.set(r.year, new Set());
    speakers.get(r.year).add(r.name.trim());
  }
  const years = [...speakers.keys()].filter((y) => speakers.get(y).size === 1).sort((a, b) => a - b);
  const names = [...new Set(years.map((y) => [...speakers.get(y)][0]))].sort();
  if (names.length < choices) throw new Error(`${names.length} speakers: too few for ${choices} choices`);
  const random = rng(seed);
  const nTest = Math.max(1, Math.round(years.length * testFraction));
  const order = shuffle(years, random);
  const testYears = order.slice(0, nTest).sort((a, b) => a - b);
  const trainYears = order.slice(nTest).sort((a, b) => a - b);
  const item = (year) => {
    const gold = [...speakers.get(year)][0];
    const others = shuffle(names.filter((n) => n !== gold), random).slice(0, choices - 1);
    const list = shuffle([gold, ...others], random);
    return { year, list, gold: list.indexOf(gold) };
  };
  const train = trainYears.map((year) => {
    const { list, gold } = item(year);
    return { year, question: QUESTION(year), choices: list, answer: gold };
  });
  const test = testYears.map((year) => {
    const { list, gold } = item(year);
    return { year, context: CONTEXT(year), choices: list, gold };
  });
  return { train, test, trainYears, testYears, chance: 1 / choices };
}

const jsonl = (rows) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

function main(argv) {
  const arg = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  if (argv.includes('--help') || !arg('out')) {
    console.log('usage: node scripts/examples/make-sotu-tasks.mjs [--sotu FILE] --out DIR [--test-fraction F] [--seed S]');
    process.exit(argv.includes('--help') ? 0 : 1);
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const sotu = arg('sotu', join(root, '..', 'shared', 'data', 'sotu.jsonl'));
  const out = arg('out');
  const records = readFileSync(sotu, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const made = makeSotuTasks(records, { seed: Number(arg('seed', '1')), testFraction: Number(arg('test-fraction', '0.25')) });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'sotu-tasks.train.jsonl'), jsonl(made.train));
  writeFileSync(join(out, 'sotu-heldout.mc.jsonl'), jsonl(made.test));
  writeFileSync(join(out, 'sotu-split.json'), JSON.stringify({ trainYears: made.trainYears, testYears: made.testYears, chance: made.chance }, null, 1) + '\n');
  console.log(`${made.train.length} training rows (D3, mc layout) -> ${join(out, 'sotu-tasks.train.jsonl')}`);
  console.log(`${made.test.length} held-out rows (mc task, chance ${made.chance}) -> ${join(out, 'sotu-heldout.mc.jsonl')}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
