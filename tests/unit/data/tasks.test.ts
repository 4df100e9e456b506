// D3: task datasets rendered as natural-language samples. Each layout's fields recognised in rows shaped like
// the Hugging Face datasets (ARC, MMLU, PIQA, SQuAD, Winogrande, LAMBADA, CNN/DM, SNLI, AG News), templates
// chosen by the seed (varied, reproducible), rendered samples decontaminated like any other source.
import { describe, expect, it } from 'vitest';
import { TaskRenderer } from '../../../src/data/tasks/renderer';
import { detectFields } from '../../../src/data/tasks/detect';
import { DEFAULT_TEMPLATES } from '../../../src/data/tasks/templates';
import type { TaskLayout, TaskSpec } from '../../../src/data/tasks/layouts';
import { cleanedRows, jsonl, memFile, runInMemory } from './helpers';

const ARC = { id: 'Mercury_7175875', question: 'Which gas do green plants take in from the air to make their food?',
  choices: { text: ['oxygen', 'carbon dioxide', 'nitrogen', 'helium'], label: ['A', 'B', 'C', 'D'] }, answerKey: 'B' };
const ARC_NUMERIC = { id: 'NYSEDREGENTS_2015_4_8', question: 'Which tool is best for measuring the mass of a small rock?',
  choices: { text: ['a ruler', 'a balance', 'a thermometer', 'a graduated cylinder'], label: ['1', '2', '3', '4'] }, answerKey: '2' };
const MMLU = { question: 'What is the capital city of France?', subject: 'high_school_geography', choices: ['Berlin', 'Paris', 'Rome', 'Madrid'], answer: 1 };
const PIQA = { goal: 'How do you loosen a jar lid that is stuck?', sol1: 'Run the lid under hot water for a minute.', sol2: 'Put the jar in the freezer overnight.', label: 0 };
const SQUAD = { id: '56be4db0acb8001400a502ec', title: 'Super_Bowl_50',
  context: 'Super Bowl 50 was an American football game to determine the champion of the National Football League for the 2015 season.',
  question: 'Which season did Super Bowl 50 decide the champion for?', answers: { text: ['2015', 'the 2015 season'], answer_start: [116, 112] } };
const WINOGRANDE = { sentence: 'The trophy does not fit into the brown suitcase because the _ is too large.', option1: 'trophy', option2: 'suitcase', answer: '1' };
const LAMBADA = { text: 'She opened the door slowly, stepped into the cold hallway and reached for the light switch by the door' };
const CNNDM = { id: 'a1', article: 'LONDON (CNN) -- The city council voted on Tuesday to expand the network of bicycle lanes along the river, officials said.',
  highlights: 'Council votes to expand bicycle lanes .\nRiver route to be extended .' };
const SNLI = { premise: 'A man is playing a guitar on a small stage.', hypothesis: 'A person is making music.', label: 0 };
const AGNEWS = { text: 'Stocks rallied on Wall Street on Monday as oil prices fell sharply after the report.', label: 2 };
const AG_LABELS = ['World', 'Sports', 'Business', 'Sci/Tech'];

function render(layout: TaskLayout, row: object, seed = 1, extra: Partial<TaskSpec> = {}) {
  return new TaskRenderer({ layout, ...extra }, 'src', seed).render(row as Record<string, unknown>, 'f.jsonl', 1);
}

/** The text of every template of a layout for one row (the template forced by giving it alone). */
function allForms(layout: TaskLayout, row: object, extra: Partial<TaskSpec> = {}): string[] {
  return DEFAULT_TEMPLATES[layout].map((t) => render(layout, row, 1, { ...extra, templates: [t] }).text);
}

describe('field recognition and rendering per layout', () => {
  it('mc: ARC (choices.text, choices.label, answerKey, numeric labels too), MMLU (answer index, subject), PIQA (sol1/sol2)', () => {
    expect(detectFields({ layout: 'mc' }, ARC)).toEqual({ roles: { question: 'question', choices: 'choices.text', answer: 'answerKey' }, numbered: undefined });
    for (const t of allForms('mc', ARC)) expect(t).toContain('carbon dioxide');
    expect(allForms('mc', ARC)[0]).toBe('Question: Which gas do green plants take in from the air to make their food?\nA. oxygen\nB. carbon dioxide\nC. nitrogen\nD. helium\nAnswer: B. carbon dioxide.');
    // ARC rows with labels 1..4: the answer key is looked up among the row's own labels, shown as letters.
    expect(allForms('mc', ARC_NUMERIC)[0]).toContain('Answer: B. a balance.');
    expect(allForms('mc', MMLU)[2]).toBe('Here is a question about high school geography. What is the capital city of France? Choose one of: (A) Berlin (B) Paris (C) Rome (D) Madrid. The correct choice is (B), "Paris".');
    expect(detectFields({ layout: 'mc' }, PIQA)).toMatchObject({ roles: { question: 'goal', answer: 'label' }, numbered: { fields: ['sol1', 'sol2'] } });
    expect(allForms('mc', PIQA)[3]).toBe('Q: How do you loosen a jar lid that is stuck?\nA: Run the lid under hot water for a minute.');
  });

  it('qa: SQuAD (context, question, answers.text)', () => {
    expect(detectFields({ layout: 'qa' }, SQUAD)).toMatchObject({ roles: { question: 'question', answer: 'answers.text', context: 'context', title: 'title' } });
    expect(allForms('qa', SQUAD)[0]).toBe(`${SQUAD.context}\n\nQuestion: ${SQUAD.question}\nAnswer: 2015.`);
    for (const t of allForms('qa', SQUAD)) expect(t).toMatch(/2015/);
  });

  it('cloze: Winogrande (blank, option1/option2, answer 1-based) and LAMBADA (the last word)', () => {
    expect(allForms('cloze', WINOGRANDE)[1]).toBe('The trophy does not fit into the brown suitcase because the trophy is too large.');
    expect(allForms('cloze', WINOGRANDE)[0]).toBe('Fill in the blank: The trophy does not fit into the brown suitcase because the ___ is too large.\nAnswer: trophy.');
    expect(allForms('cloze', WINOGRANDE)[3]).toContain('Which of trophy or suitcase fits here?');
    expect(allForms('cloze', LAMBADA)[3]).toBe('She opened the door slowly, stepped into the cold hallway and reached for the light switch by the ... what comes next? The next word is "door".');
  });

  it('summary: CNN/DailyMail (article, highlights)', () => {
    expect(detectFields({ layout: 'summary' }, CNNDM)).toMatchObject({ roles: { document: 'article', summary: 'highlights' } });
    expect(allForms('summary', CNNDM)[0]).toBe(`${CNNDM.article}\n\nSummary: ${CNNDM.highlights}`);
  });

  it('nli: SNLI (premise, hypothesis, label 0..2 named entailment/neutral/contradiction); -1 has no gold label', () => {
    expect(allForms('nli', SNLI)[0]).toBe('Premise: A man is playing a guitar on a small stage.\nHypothesis: A person is making music.\nDoes the premise entail the hypothesis? Yes.');
    expect(allForms('nli', { ...SNLI, label: 2 })[2]).toContain('The first sentence contradicts the second.');
    expect(() => render('nli', { ...SNLI, label: -1 })).toThrow(/field "label" is -1: no gold label/);
  });

  it('classification: AG News (text, label) with the label names given; an unnamed number is refused with the fix', () => {
    expect(allForms('classification', AGNEWS, { labels: AG_LABELS })[1]).toBe(`Text: ${AGNEWS.text}\nThe label of this text is "Business".`);
    expect(() => render('classification', AGNEWS)).toThrow(/field "label" is the number 2: name the labels \(labels=NAME\|NAME/);
    expect(render('classification', { text: AGNEWS.text, label_text: 'Business', label: 2 }, 1, { templates: ['{{ label }}: {{ text }}'] }).text).toBe(`Business: ${AGNEWS.text}`);
  });

  it('fields given by the user override detection', () => {
    const row = { stem: 'Pick the mammal among these animals?', opts: ['shark', 'whale'], key: 1 };
    expect(render('mc', row, 1, { fields: { question: 'stem', choices: 'opts', answer: 'key' }, templates: ['{{ question }} {{ answer }}'] }).text)
      .toBe('Pick the mammal among these animals? whale.');
  });
});

describe('template choice', () => {
  const rows = Array.from({ length: 60 }, (_, i) => ({ ...MMLU, question: `Question number ${i} about the capitals of Europe?` }));
  const choices = (seed: number) => {
    const r = new TaskRenderer({ layout: 'mc' }, 'src', seed);
    return rows.map((row, i) => r.render(row, 'f.jsonl', i + 1).template);
  };

  it('varies across rows, is the same for the same seed, and changes with the seed', () => {
    const a = choices(1);
    expect(new Set(a).size).toBe(DEFAULT_TEMPLATES.mc.length);
    expect(choices(1)).toEqual(a);
    expect(choices(2)).not.toEqual(a);
  });
});

describe('task sources in the pipeline', () => {
  it('renders rows into _text, keeps the original fields, records part D3 and the templates in the report', async () => {
    const rows = [ARC, ARC_NUMERIC, { ...ARC, id: 'x3', question: 'Which form of energy does a green plant need to make food from air and water?', answerKey: 'A',
      choices: { text: ['sunlight', 'sound', 'magnetism', 'wind'], label: ['A', 'B', 'C', 'D'] } }];
    const { store, report } = await runInMemory({
      sources: [{ name: 'arc', category: 'qa', weight: 1, files: [memFile('arc-train.jsonl', jsonl(rows))], task: { layout: 'mc' } }],
      valFraction: 0,
    });
    const out = await cleanedRows(store);
    expect(out.map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(out[0]).toMatchObject({ question: ARC.question, answerKey: 'B', choices: ARC.choices, _source: 'arc', _file: 'arc-train.jsonl', _line: 1 });
    expect(String(out[0]._text)).toContain('carbon dioxide');
    const s = report.sources[0];
    expect(s.part).toBe('D3');
    expect(report.mixture[0].part).toBe('D3');
    expect(s.task).toMatchObject({ layout: 'mc', rendered: 3, skipped: 0, templates: DEFAULT_TEMPLATES.mc,
      fields: { 'arc-train.jsonl': { question: 'question', choices: 'choices.text', answer: 'answerKey' } } });
    expect(s.task!.templateCounts.reduce((a, b) => a + b, 0)).toBe(3);
    // cleaned.jsonl names each row's template; the report counts them.
    const counts = DEFAULT_TEMPLATES.mc.map((_, k) => out.filter((r) => r._template === k).length);
    expect(counts).toEqual(s.task!.templateCounts);
  });

  it('a row that does not fit is a problem with its file and line; the others are kept', async () => {
    const { report } = await runInMemory({
      sources: [{ name: 'snli', category: 'nli', weight: 1, files: [memFile('snli.jsonl', jsonl([SNLI, { ...SNLI, label: -1 }, { ...SNLI, premise: 'Two dogs run across a wide green field in the sun.' }]))], task: { layout: 'nli' } }],
      valFraction: 0,
    });
    expect(report.sources[0].keptDocuments).toBe(2);
    expect(report.problems.list).toContainEqual(expect.objectContaining({ kind: 'missing-field', file: 'snli.jsonl', line: 2, message: 'nli row: field "label" is -1: no gold label' }));
    expect(report.sources[0].task!.skipped).toBe(1);
  });

  it("a task's train split sharing items with a benchmark file loses exactly those items, each paired in the report", async () => {
    const q = (i: number, topic: string) => ({ id: `q${i}`, question: `Which of these statements about ${topic} did the class find true during experiment number ${i}?`,
      choices: { text: [`${topic} expands when it is heated`, `${topic} never changes its state`, `${topic} is heavier in the morning`, `${topic} has no mass at all`], label: ['A', 'B', 'C', 'D'] }, answerKey: 'A' });
    const topics = ['water', 'copper wire', 'sea salt', 'olive oil', 'wet sand', 'iron filings', 'warm air', 'river ice', 'clay soil', 'candle wax'];
    const train = topics.map((t, i) => q(i, t));
    const leaked = [2, 5, 7];
    const test = [...leaked.map((i) => train[i]), q(100, 'granite'), q(101, 'glass beads')];
    const { store, report } = await runInMemory({
      sources: [{ name: 'arc', category: 'qa', weight: 1, files: [memFile('arc-train.jsonl', jsonl(train))], task: { layout: 'mc' } }],
      benchmarks: [{ files: [memFile('arc-test.jsonl', jsonl(test))] }],
      valFraction: 0,
    });
    const kept = (await cleanedRows(store)).map((r) => r.id);
    expect(kept).toEqual(train.map((r) => r.id).filter((_, i) => !leaked.includes(i)));
    expect(report.decontamination.removed).toBe(3);
    expect(report.decontamination.pairs.map((p) => [p.source, p.file, p.line, p.benchmark.file, p.benchmark.line]))
      .toEqual(leaked.map((i, k) => ['arc', 'arc-train.jsonl', i + 1, 'arc-test.jsonl', k + 1]));
  });
});
