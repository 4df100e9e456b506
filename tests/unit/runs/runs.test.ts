// Run records: a round trip, refusals that name the file and the field, thinning, the recipe taken from a
// real pipeline report, and the comparison table (best per column, the common validation step), in the
// library and through `npm run compare`'s folder reader.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRuns, formatCompareTable } from '../../../src/runs/compare';
import { runFromTrainer } from '../../../src/runs/from-trainer';
import { describeMixture, describeParts, recipeFromReport } from '../../../src/runs/recipe';
import { parseRun, serializeRun, thinCurve, type Curve, type RunRecord } from '../../../src/runs/run-record';
import { readRunDir, recordScores } from '../../../src/runs/run-store.node';
import { serializeTrainerState } from '../../../src/train/checkpoint/trainer-state';
import { TINY, tokenizerJSON, trainerState } from '../checkpoint/fixtures';
import { jsonl, memFile, runInMemory } from '../data/helpers';

const sentence = (k: number) => `This is sentence number ${k} of a document that is long enough to keep, with words that end properly.`;

function run(name: string, val: Curve, scores: RunRecord['scores'] = {}): RunRecord {
  const r = runFromTrainer(trainerState(TINY, tokenizerJSON()), null, { name, now: new Date('2026-12-01T10:00:00Z') });
  return { ...r, curves: { train: [[1, 9], [120, 3]], val }, scores };
}

describe('run records', () => {
  it('round-trips through run.json and keeps identity, name and scores across saves', () => {
    const first = run('a', [[60, 4.5]], { arc_easy: { n: 10, acc: 0.3, acc_stderr: 0.1, shots: 0, step: 120 } });
    const back = parseRun(serializeRun(first));
    expect(back).toEqual(first);
    const next = runFromTrainer({ ...trainerState(TINY, tokenizerJSON(), 240) }, null, { previous: back });
    expect(next.id).toBe(first.id);
    expect(next.name).toBe('a');
    expect(next.scores.arc_easy.acc).toBe(0.3);
    expect(next.step).toBe(240);
    // NaN losses (a diverged step) are stored as null, not dropped.
    const diverged = runFromTrainer({ ...trainerState(TINY, tokenizerJSON()), lossHistory: [{ step: 1, loss: NaN }] }, null);
    expect(parseRun(serializeRun(diverged)).curves.train).toEqual([[1, null]]);
  });

  it('refuses a bad run.json naming the file and the field', () => {
    const good = JSON.parse(serializeRun(run('a', []))) as Record<string, unknown>;
    const bad = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });
    expect(() => parseRun('{', 'runs/a.json')).toThrow(/^runs\/a\.json: \(file\): is not JSON/);
    expect(() => parseRun('{}', 'x.json')).toThrow(/x\.json: format: is not a Leveret run record/);
    expect(() => parseRun(bad({ step: -1 }), 'x.json')).toThrow('x.json: step: must be a non-negative integer');
    expect(() => parseRun(bad({ curves: { train: [[1, 'a']], val: [] } }), 'x.json')).toThrow('x.json: curves.train[0]: must be [step, loss or null]');
    expect(() => parseRun(bad({ scores: { arc: { n: 1, acc: 'high', acc_stderr: 0, shots: 0, step: 1 } } }), 'x.json')).toThrow('x.json: scores.arc.acc: must be a number');
    expect(() => parseRun(bad({ formatVersion: 9 }), 'x.json')).toThrow('x.json: formatVersion: is 9');
  });

  it('thins long curves to the cap, keeping the first and last point', () => {
    const long: Curve = Array.from({ length: 200_000 }, (_, i) => [i + 1, 10 - i / 1e5]);
    const thin = thinCurve(long, 1000);
    expect(thin.length).toBe(1000);
    expect(thin[0]).toEqual([1, 10]);
    expect(thin[999]).toEqual(long[long.length - 1]);
    for (let i = 1; i < thin.length; i++) expect(thin[i][0]).toBeGreaterThan(thin[i - 1][0]);
  });

  it('takes the recipe from a real pipeline report: mixture shares, rules on, removals, decontamination files', async () => {
    const tern = 'The migration of arctic terns spans the oceans from pole to pole, every single year without fail.';
    const docs = Array.from({ length: 30 }, (_, k) => ({ text: `${sentence(k)} ${sentence(k + 1000)}${k === 7 ? ` ${tern}` : ''}` }));
    const dup = [...docs.slice(0, 5), ...Array.from({ length: 10 }, (_, k) => ({ text: `${sentence(k + 500)} ${sentence(k + 2000)}` }))];
    const { report } = await runInMemory({
      sources: [
        { name: 'books', category: 'books', weight: 3, files: [memFile('books.jsonl', jsonl(docs))] },
        { name: 'web', category: 'web', weight: 1, files: [memFile('web.jsonl', jsonl(dup))] },
      ],
      benchmarks: [{ files: [memFile('bench.jsonl', jsonl([{ text: tern }]))] }],
      seqLen: 32, valFraction: 0.1, seed: 3,
    });
    const recipe = recipeFromReport(report);
    expect(recipe.sources.map((s) => [s.name, s.share])).toEqual([['books', 0.75], ['web', 0.25]]);
    expect(describeMixture(recipe)).toBe('books 75% + web 25%');
    expect(describeParts(recipe)).toBe('D1 100%');
    expect(describeParts({ ...recipe, sources: [{ ...recipe.sources[0], part: 'D3' }, recipe.sources[1]] })).toBe('D1 25% + D3 75%');
    expect(recipe.rulesEnabled).toContain('exact-dup');
    expect(recipe.decontaminatedAgainst).toEqual(['bench.jsonl']);
    expect(recipe.removedByRule['exact-dup']).toBe(5);
    expect(recipe.removedByRule.decontam).toBe(1);
    expect(recipe.documentsRead).toBe(45);
    expect(recipe.tokens).toBe(report.totals.tokens);
  });

  it('compares runs: best value per column, the common validation step, scores with their stderr', () => {
    const a = run('clean', [[60, 4.0], [120, 3.5]], { arc_easy: { n: 100, acc: 0.4, acc_stderr: 0.049, acc_norm: 0.42, acc_norm_stderr: 0.05, shots: 0, step: 120 } });
    const b = run('raw', [[60, 4.2]], { arc_easy: { n: 100, acc: 0.35, acc_stderr: 0.048, acc_norm: 0.33, acc_norm_stderr: 0.047, shots: 0, step: 120 } });
    const t = compareRuns([a, b]);
    expect(t.commonValStep).toBe(60);
    const col = (title: string) => t.columns.findIndex((c) => c.title === title);
    expect(t.best[col('val loss @60')]).toBe(0);
    expect(t.best[col('arc_easy')]).toBe(0);
    expect(t.rows[1].cells[col('arc_easy')]).toBe('0.330 ± 0.047 (norm) n=100');
    const text = formatCompareTable(t);
    expect(text).toContain('| clean |');
    expect(text).toContain('**0.420 ± 0.050 (norm) n=100**');
    expect(text.split('\n')).toHaveLength(4);
    expect(t.rows[0].cells[col('parts')]).toBe('?');
  });

  it('reads a saved folder: run.json, or an older trainer_state.json; scores are added in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leveret-run-'));
    writeFileSync(join(dir, 'trainer_state.json'), serializeTrainerState(trainerState(TINY, tokenizerJSON())));
    const r = await readRunDir(dir);
    expect(r.step).toBe(120);
    expect(r.curves.val).toEqual([[60, 4.5]]);
    const scored = await recordScores(dir, { piqa: { n: 4, acc: 0.75, acc_stderr: 0.25, shots: 0, step: 120 } });
    expect((await readRunDir(dir)).scores.piqa.acc).toBe(0.75);
    expect((await readRunDir(dir)).id).toBe(scored.id);
    const empty = mkdtempSync(join(tmpdir(), 'leveret-run-'));
    await expect(readRunDir(empty)).rejects.toThrow(`${empty}: not a run`);
  });
});
