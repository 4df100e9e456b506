// Issue 8 as a new user meets it, in Chromium with WebGPU on SwiftShader: train the tiny model briefly on the
// default corpus (mixture A) with an ARC-style benchmark scored every few steps, score it on demand and
// download the results JSON; train again with a source removed (mixture B) and score that; the Runs panel
// then lists both with their mixtures and scores, overlays their validation losses and marks the better one;
// a run is renamed, exported, deleted, imported back (a bad file refused by file and field), and after a
// reload every run is still there.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, foreignRequests, openPage, openSession, screenshot, type Session } from './harness';
import { byTestId, downloadFrom, dropFile, setFields, SMALL_RUN, unlabelledControls, waitForStatus } from './page';
import { writeFileSync } from 'node:fs';

let s: Session;
beforeAll(async () => { s = await openSession(); });
afterAll(async () => { await s?.close(); });

const RUN = { ...SMALL_RUN, 'train-steps': 6, 'train-warmupSteps': 1, 'train-evalInterval': 3 };

/** Eight ARC-Challenge rows in the dataset's own fields, and one broken row the page must name. */
function arcFile(): { name: string; text: string } {
  const q = ['What do whales breathe?', 'Where does the sun rise?', 'What is ice made of?', 'Which animal is a mammal?',
    'What makes a ship float?', 'What does a compass point to?', 'What falls in winter?', 'What do plants need to grow?'];
  const rows = q.map((question, i) => JSON.stringify({
    id: `q${i}`, question, answerKey: 'ABCD'[i % 4],
    choices: { text: ['air', 'the east', 'water', 'a whale'], label: ['A', 'B', 'C', 'D'] },
  }));
  rows.push('{"question": "broken", "choices": {"text": ["a"], "label": ["A"]}, "answerKey": "Z"}');
  return { name: 'arc-mini.jsonl', text: rows.join('\n') + '\n' };
}

async function answerQuestionIfAsked(): Promise<void> {
  const yes = byTestId(s.page, 'confirm-yes');
  if (await yes.isVisible().catch(() => false)) await yes.click();
}

async function trainToEnd(): Promise<void> {
  await byTestId(s.page, 'train-button').click();
  await s.page.waitForTimeout(300);
  await answerQuestionIfAsked();
  await waitForStatus(s.page, /finished all 6 steps/, 600_000);
}

async function evaluateNow(): Promise<void> {
  const page = s.page;
  const done = Number(await byTestId(page, 'eval-status').getAttribute('data-done') ?? 0);
  await byTestId(page, 'evaluate-button').click();
  await page.waitForFunction((n) => {
    const status = document.querySelector('[data-testid="eval-status"]');
    return Number(status?.getAttribute('data-done') ?? 0) > n || /Not scored/.test(status?.textContent ?? '');
  }, done, { timeout: 300_000, polling: 250 });
  expect(await byTestId(page, 'eval-message').isHidden()).toBe(true);
}

describe('evaluating runs and comparing them', () => {
  it('scores mixture A during and after training, with a table, bars and the eval JSON', async () => {
    const page = s.page;
    await openPage(s);
    await setFields(page, RUN);
    await dropFile(page, 'eval-files-zone', arcFile());
    const row = byTestId(page, 'eval-task-row');
    await page.waitForFunction(() => /documents/.test(document.querySelector('[data-testid="eval-task-row"]')?.textContent ?? ''));
    expect(await byTestId(page, 'eval-task-select').inputValue()).toBe('arc_challenge');
    expect(await row.innerText()).toMatch(/8 documents, 1 row skipped/);
    expect(await byTestId(page, 'eval-file-problems').innerText()).toMatch(/arc-mini\.jsonl:9: bad arc_challenge row \(question, choices.text, choices.label, answerKey\): field "choices.text" has 1 entries/);
    expect(await byTestId(page, 'evaluate-button').isDisabled()).toBe(true); // no run yet
    expect(await byTestId(page, 'evaluate-blocked-reason').innerText()).toMatch(/Train a run/);
    await byTestId(page, 'eval-during').check();
    await setFields(page, { 'eval-every': 3 });
    await byTestId(page, 'eval-every').dispatchEvent('change');
    await trainToEnd();
    // Scored at steps 3 and 6 by the schedule, charted beside the loss.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="chart-scores"]')?.getAttribute('data-points')) >= 2, undefined, { timeout: 60_000 });
    expect(await byTestId(page, 'eval-decontam-note').innerText()).toMatch(/not used for decontamination of the current run/);
    await evaluateNow();
    expect(await byTestId(page, 'eval-results').locator('tr[data-task="arc_challenge"]').innerText()).toMatch(/arc_challenge\s+8\s+0\.\d{4}/);
    expect(await byTestId(page, 'eval-bars').getAttribute('data-testid')).toBe('eval-bars');
    const json = await downloadFrom(page, 'eval-download');
    const report = JSON.parse(json.bytes.toString('utf8')) as { tasks: Record<string, { n: number; acc: number }>; samples: Record<string, unknown[]> };
    expect(report.tasks.arc_challenge.n).toBe(8);
    expect(report.samples.arc_challenge).toHaveLength(8);
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'evaluate-1-mixture-a-scored');
  });

  it('trains mixture B (a source removed), scores it, and the Runs panel compares both', async () => {
    const page = s.page;
    expect(await byTestId(page, 'source-remove').count()).toBeGreaterThan(1);
    await byTestId(page, 'source-remove').last().click();
    await byTestId(page, 'eval-during').uncheck();
    await trainToEnd();
    await evaluateNow();
    const rows = byTestId(page, 'run-row');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 2
      && [...document.querySelectorAll('[data-testid="run-scores"]')].every((e) => /arc_challenge/.test(e.textContent ?? '')), undefined, { timeout: 30_000 });
    const mixtures = await byTestId(page, 'run-mixture').allInnerTexts();
    expect(mixtures[0]).not.toBe(mixtures[1]);
    expect(mixtures[1]).toMatch(/\+/); // mixture A: both default sources
    expect(mixtures[0]).not.toMatch(/\+/);
    expect(await byTestId(page, 'runs-overlay').getAttribute('data-series')).toBe('2');
    expect(await byTestId(page, 'compare-row').count()).toBe(2);
    const header = await byTestId(page, 'runs-compare').locator('th').allInnerTexts();
    expect(header).toEqual(expect.arrayContaining(['mixture', 'val loss', 'arc_challenge']));
    expect(await byTestId(page, 'compare-best').count()).toBeGreaterThan(0);
    await byTestId(page, 'runs-panel').scrollIntoViewIfNeeded().catch(() => undefined);
    await screenshot(page, 'evaluate-2-runs-compared');
    expect(await rows.count()).toBe(2);
  });

  it('renames, exports, deletes and imports a run, refuses a bad file by name and field, and keeps runs over a reload', async () => {
    const page = s.page;
    const name = byTestId(page, 'run-name').first();
    await name.fill('moby only');
    await name.press('Enter');
    await page.waitForFunction(() => /Renamed to "moby only"/.test(document.querySelector('[data-testid="runs-status"]')?.textContent ?? ''));
    const [dl] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'run-export').first().click()]);
    const exported = { path: artifact(dl.suggestedFilename()), bytes: Buffer.alloc(0) };
    await dl.saveAs(exported.path);
    exported.bytes = readFileSync(exported.path);
    const record = JSON.parse(exported.bytes.toString('utf8')) as { name: string; format: string; scores: Record<string, unknown>; recipe: unknown };
    expect(record).toMatchObject({ format: 'leveret-run', name: 'moby only' });
    expect(Object.keys(record.scores)).toEqual(['arc_challenge']);
    await byTestId(page, 'run-delete').first().click();
    await byTestId(page, 'confirm-yes').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 1);
    await byTestId(page, 'runs-import-input').setInputFiles(exported.path);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 2);
    const bad = artifact('bad-run.json');
    writeFileSync(bad, JSON.stringify({ ...record, format: 'leveret-run', step: -3 }));
    await byTestId(page, 'runs-import-input').setInputFiles(bad);
    await page.waitForFunction(() => /Refused bad-run\.json: step: must be a non-negative integer/.test(document.querySelector('[data-testid="runs-message"]')?.textContent ?? ''));
    expect(await byTestId(page, 'run-row').count()).toBe(2);

    await openPage(s);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 2, undefined, { timeout: 30_000 });
    const names = await byTestId(page, 'run-name').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(names).toContain('moby only');
    expect((await byTestId(page, 'run-scores').allInnerTexts()).every((t) => /arc_challenge 0\.\d{3}/.test(t))).toBe(true);
    expect(await byTestId(page, 'runs-overlay').getAttribute('data-series')).toBe('2');
    expect(readFileSync(exported.path, 'utf8').length).toBeLessThan(64_000); // a small JSON
    await screenshot(page, 'evaluate-3-after-reload');
    expect(foreignRequests(s)).toEqual([]);
  });
});
