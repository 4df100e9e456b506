// Issue 14, the rest of it, as a person meets it: presets described in plain words with the time per step here,
// help on every config field (tooltip and aria-describedby), Measure timing a warm-up into the estimate and a
// run flagged as long measured before Train asks; and one loss chart whose x axis, smoothing, log scale and
// zoom are read from the chart itself (data-* attributes set from the uPlot instance), kept across a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, openSession, screenshot, artifact, type Session } from './harness';
import { byTestId, removeAllSources, setFields, SMALL_RUN, uploadSources, waitForStatus } from './page';
import { sotuText } from './fixtures';
import { MODEL_FIELDS, TRAIN_FIELDS } from '../../src/ui/config-fields';

let s: Session;
beforeAll(async () => { s = await openSession(); await openPage(s); });
afterAll(async () => { await s?.close(); });

const STEPS = 12;
const chartAttr = (name: string) => byTestId(s.page, 'chart-loss').getAttribute(`data-${name}`);
async function setSmoothing(value: number): Promise<void> {
  await byTestId(s.page, 'chart-smoothing').evaluate((el, v) => {
    (el as HTMLInputElement).value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
  await s.page.waitForFunction((v) => document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-smoothing') === String(v), value);
}

describe('presets, help, measured cost and the loss chart', () => {
  it('describes the preset and every field, and Measure puts a warm-up\'s time into the estimate', async () => {
    const page = s.page;
    expect(await byTestId(page, 'preset-description').innerText()).toMatch(
      /^tiny: 0\.16 million parameters, 2 layers of width 64; about (\d+ ms|\d+s) per step here \(typical for a CPU-emulated adapter\)\. Babbles word fragments/);
    // Every config field: a title, and a description the screen reader reaches through aria-describedby.
    const ids = [...MODEL_FIELDS.map((f) => `model-${f.key}`), ...TRAIN_FIELDS.map((f) => `train-${f.key}`)];
    const described = await page.$$eval(ids.map((id) => `[data-testid="${id}"]`).join(', '), (els) => els.map((el) => ({
      id: el.getAttribute('data-testid'),
      title: (el as HTMLInputElement).labels?.[0]?.title ?? '',
      description: (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
    })));
    expect(described.length).toBe(ids.length);
    for (const d of described) {
      expect(d.title.length, d.id ?? '').toBeGreaterThan(30);
      expect(d.description.length, d.id ?? '').toBeGreaterThan(30);
    }
    await byTestId(page, 'train-warmupSteps').focus();
    const help = page.locator('label:has([data-testid="train-warmupSteps"]) [data-testid="field-help"]');
    expect(await help.isVisible()).toBe(true);
    expect(await help.innerText()).toMatch(/^Steps over which the learning rate rises/);
    await screenshot(page, 'charts-cost-1-help-on-focus');

    await removeAllSources(page);
    await uploadSources(page, [sotuText()]);
    await setFields(page, { ...SMALL_RUN, 'train-steps': STEPS, 'train-evalInterval': 4 });
    await byTestId(page, 'measure-button').click();
    await page.waitForFunction(() => /^Measured \d+ ms per step|^Measured \d+s per step/.test(document.querySelector('[data-testid="measure-status"]')?.textContent ?? ''), null, { timeout: 120_000 });
    expect(await byTestId(page, 'time-estimate').innerText()).toMatch(/^Time: about .* per step, .* for 12 steps \(measured on a 2-step warm-up here\)$/);
    expect(await byTestId(page, 'preset-description').innerText()).toMatch(/per step here \(measured on a 2-step warm-up here\)/);
    expect(await byTestId(page, 'step-counter').getAttribute('data-step')).toBe('0'); // nothing was trained
  });

  it('trains a short run and draws it on one chart: axis, smoothing, log scale and zoom', async () => {
    const page = s.page;
    await byTestId(page, 'train-button').click();
    await waitForStatus(page, /finished all 12 steps/);
    await page.waitForFunction((n) => document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-points') === String(n), STEPS);
    expect(Number(await chartAttr('val-points'))).toBeGreaterThanOrEqual(3);
    expect(await chartAttr('x-axis')).toBe('steps');
    expect(await chartAttr('series')).toBe('train loss (raw)|train loss (smoothed 0.60)|validation loss');
    expect([await chartAttr('x-min'), await chartAttr('x-max')]).toEqual(['1', String(STEPS)]);
    expect(await chartAttr('log')).toBe('false');

    await byTestId(page, 'chart-x-axis').selectOption('tokens');
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-x-axis') === 'tokens');
    const perStep = 2 * 32; // SMALL_RUN: batch 2 × 32 tokens
    expect([await chartAttr('x-min'), await chartAttr('x-max')]).toEqual([String(perStep), String(STEPS * perStep)]);
    expect(await byTestId(page, 'chart-lr').getAttribute('data-x-axis')).toBe('tokens');

    await byTestId(page, 'chart-log').check();
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-log') === 'true');
    await setSmoothing(0);
    expect(await chartAttr('series')).toBe('train loss (raw)|train loss|validation loss');
    await setSmoothing(0.9);
    expect(await chartAttr('series')).toBe('train loss (raw)|train loss (smoothed 0.90)|validation loss');
    expect(await byTestId(page, 'chart-zoom-hint').innerText()).toBe('Drag across a chart to zoom, double-click to reset.');

    // Drag across the middle of the plot: the x range narrows; a double click gives it back.
    const over = page.locator('[data-testid="chart-loss"] .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-zoomed') === 'true');
    const [lo, hi] = [Number(await chartAttr('x-min')), Number(await chartAttr('x-max'))];
    expect(lo).toBeGreaterThan(perStep);
    expect(hi).toBeLessThan(STEPS * perStep);
    await byTestId(page, 'chart-loss').screenshot({ path: artifact('charts-cost-2-loss-chart-zoomed.png') });
    await over.dblclick({ position: { x: box.width / 2, y: box.height / 2 } });
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-zoomed') === 'false');
    expect([await chartAttr('x-min'), await chartAttr('x-max')]).toEqual([String(perStep), String(STEPS * perStep)]);
    await screenshot(page, 'charts-cost-3-run-charts');
  });

  it('measures a run flagged as long before asking, and the chart settings survive a reload', async () => {
    const page = s.page;
    // Another batch shape than the one Measure timed: the estimate rests on the run's own steps until Train measures it.
    await setFields(page, { 'train-steps': 500_000, 'train-batchSize': 3 });
    expect(await byTestId(page, 'long-run-warning').isVisible()).toBe(true);
    expect(await byTestId(page, 'time-estimate').innerText()).toMatch(/\(measured on this adapter\)$/);
    await byTestId(page, 'train-button').click();
    await byTestId(page, 'confirm-dialog').waitFor({ timeout: 120_000 });
    // Train timed this shape first: the question quotes the warm-up's time.
    expect(await byTestId(page, 'measure-status').innerText()).toMatch(/^Measured /);
    expect(await byTestId(page, 'time-estimate').innerText()).toMatch(/\(measured on a 2-step warm-up here\)$/);
    expect(await byTestId(page, 'confirm-dialog').innerText()).toMatch(/This run would take about \d+h \d\dm here/);
    await byTestId(page, 'confirm-no').click();
    expect(await byTestId(page, 'run-status').innerText()).toMatch(/finished all 12 steps/); // nothing started

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
    expect(await byTestId(page, 'chart-x-axis').inputValue()).toBe('tokens');
    expect(await byTestId(page, 'chart-log').isChecked()).toBe(true);
    expect(await byTestId(page, 'chart-smoothing').inputValue()).toBe('0.9');
    expect(await byTestId(page, 'chart-smoothing-value').innerText()).toBe('0.90');
  });
});
