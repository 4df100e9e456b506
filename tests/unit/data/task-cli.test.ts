// `npm run data` with task sources (FILE:CATEGORY:WEIGHT:LAYOUT), --templates and --clusters: parsing, a
// user template file refused by file, layout and template, and a run whose summary shows parts and clusters.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/prepare';
import { parsePrepareArgs, parseSourceSpec, UsageError } from '../../../src/cli/prepare-args';
import { parseTemplateFile } from '../../../src/data/tasks/user-templates';
import { jsonl } from './helpers';

describe('task source arguments', () => {
  it('reads LAYOUT[,ROLE=FIELD...][,labels=...] where a field would go', () => {
    expect(parseSourceSpec('obqa.jsonl:qa:2:mc')).toEqual({ name: 'obqa', category: 'qa', weight: 2, paths: ['obqa.jsonl'], task: { layout: 'mc' } });
    expect(parseSourceSpec('ag=ag.parquet:news:1:classification,text=description,labels=World|Sports|Business|Sci/Tech').task).toEqual({
      layout: 'classification', fields: { text: 'description' }, labels: ['World', 'Sports', 'Business', 'Sci/Tech'] });
    expect(parseSourceSpec('web.jsonl:web:1:body').format).toEqual({ kind: 'jsonl', textField: 'body' });
    expect(() => parseSourceSpec('x.jsonl:qa:1:mc,stem=q')).toThrow(/layout mc has no role "stem" \(roles: question, choices, answer, subject, fact/);
    expect(() => parseSourceSpec('notes.txt:qa:1:qa')).toThrow(/needs JSONL, CSV or Parquet/);
  });

  it('--clusters, --cluster-cap and --cluster-flatten become diversity options; a cap alone is refused', () => {
    const a = parsePrepareArgs(['--source', 'a.jsonl:web:1', '--out', 'o', '--clusters', '8', '--cluster-cap', '0.3', '--cluster-flatten', '0.5']);
    expect(a.diversity).toEqual({ clusters: 8, cap: 0.3, flatten: 0.5 });
    expect(() => parsePrepareArgs(['--source', 'a.jsonl:web:1', '--out', 'o', '--cluster-cap', '0.3'])).toThrow(UsageError);
  });

  it('a template file with a Jinja error or an unknown variable is refused naming the file, layout and template', () => {
    expect(parseTemplateFile(JSON.stringify({ qa: ['Q: {{ question }} A: {{ answer }}'] }), 't.json')).toEqual({ qa: ['Q: {{ question }} A: {{ answer }}'] });
    expect(() => parseTemplateFile(JSON.stringify({ qa: ['ok {{ question }} {{ answer }}', '{% if context %}{{ context }}'] }), 'mine.json'))
      .toThrow(/^mine.json: template 2 of "qa": Jinja syntax error/);
    expect(() => parseTemplateFile(JSON.stringify({ mc: ['{{ questoin }} {{ answer }}'] }), 'mine.json'))
      .toThrow('mine.json: template 1 of "mc": unknown variable questoin (this layout has question, choices, labels, answer, answer_label, answer_index, subject, fact, and row)');
    expect(() => parseTemplateFile(JSON.stringify({ quiz: ['{{ question }}'] }), 'mine.json')).toThrow(/unknown layout "quiz"/);
    // Loop variables and set targets are the template's own.
    expect(parseTemplateFile(JSON.stringify({ mc: ['{% set q = question %}{% for c in choices %}{{ c | upper }} {{ loop.index }}{% endfor %}{{ q }} {{ row.id }}'] }), 't.json').mc).toHaveLength(1);
  });
});

describe('npm run data with task sources', () => {
  let dir: string;
  const topics = ['copper wire', 'sea salt', 'olive oil', 'wet sand', 'iron filings', 'warm air', 'river ice', 'clay soil', 'candle wax', 'glass beads'];
  const arc = topics.map((t, i) => ({ id: `q${i}`, question: `Which of these statements about ${t} did the class find true in experiment ${i}?`,
    choices: { text: [`${t} expands when heated`, `${t} never changes`, `${t} is heavier at night`, `${t} has no mass`], label: ['A', 'B', 'C', 'D'] }, answerKey: 'A' }));
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'leveret-tasks-'));
    writeFileSync(join(dir, 'arc-train.jsonl'), jsonl(arc));
    writeFileSync(join(dir, 'arc-test.jsonl'), jsonl([arc[4]]));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ mc: ['Question: {{ question }} Answer: {{ answer }}', '{{ question }} {% for c in choices %}{{ c }}'] }));
    writeFileSync(join(dir, 'good.json'), JSON.stringify({ mc: ['Asked "{{ question }}", the class answered: {{ answer }}.'] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = (out: string) => ['--source', `arc=${join(dir, 'arc-train.jsonl')}:qa:1:mc`, '--benchmark', join(dir, 'arc-test.jsonl'),
    '--out', join(dir, out), '--tokenizer', 'bpe:300', '--seq-len', '32', '--val', '0'];

  it('refuses a --templates file with a broken template before reading any data, exit 2', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await run([...base('o1'), '--templates', join(dir, 'bad.json')])).toBe(2);
      expect(err.mock.calls.flat().join('\n')).toMatch(new RegExp(`--templates ${join(dir, 'bad.json')}: template 2 of "mc": Jinja syntax error`));
    } finally {
      err.mockRestore();
    }
  });

  it('renders with the user templates, removes the leaked item, and prints parts, templates and clusters', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const errw = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await run([...base('o2'), '--templates', join(dir, 'good.json'), '--clusters', '2'])).toBe(0);
      const report = JSON.parse(readFileSync(join(dir, 'o2', 'report.json'), 'utf8'));
      expect(report.sources[0].task.templates).toEqual(['Asked "{{ question }}", the class answered: {{ answer }}.']);
      expect(report.mixture[0].part).toBe('D3');
      expect(report.decontamination.pairs).toEqual([expect.objectContaining({ source: 'arc', line: 5, benchmark: expect.objectContaining({ file: 'arc-test.jsonl', line: 1 }) })]);
      const cleaned = readFileSync(join(dir, 'o2', 'cleaned.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(cleaned).toHaveLength(9);
      expect(cleaned[0]._text).toBe(`Asked "${arc[0].question}", the class answered: copper wire expands when heated.`);
      expect(cleaned.every((r) => r._cluster === 0 || r._cluster === 1)).toBe(true);
      const out = log.mock.calls.flat().join('\n');
      expect(out).toMatch(/source\s+part\s+weight/);
      expect(out).toContain("Task source arc (mc): 10 rows rendered, 0 skipped; templates used #1 10.");
      expect(out).toMatch(/Topic clusters \(2 per source; clusters reported only; every record kept\)/);
    } finally {
      log.mockRestore();
      errw.mockRestore();
    }
  });
});
