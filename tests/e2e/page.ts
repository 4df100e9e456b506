// What the tests do on the page, in the page's own terms: sources, the config fields, Prepare, Train and
// waiting for steps, the step log, downloads.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { artifact } from './harness';

export const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

/** Form controls and buttons with no accessible name (label, aria-label, or a button's text), as HTML snippets. */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.$$eval('input, select, textarea, button', (els) => els.filter((el) => {
    const labels = (el as HTMLInputElement).labels;
    const name = (labels && labels.length ? [...labels].map((l) => l.textContent ?? '').join(' ') : '')
      || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' ? el.textContent : '') || '';
    return name.trim() === '';
  }).map((el) => el.outerHTML.slice(0, 160)));
}

export async function removeAllSources(page: Page): Promise<void> {
  while ((await byTestId(page, 'source-remove').count()) > 0) await byTestId(page, 'source-remove').first().click();
}

/** Drops a file on a drop zone the way a drag from the desktop does: a drop event carrying a DataTransfer. */
export async function dropFile(page: Page, zoneTestId: string, file: { name: string; text: string }): Promise<void> {
  await byTestId(page, zoneTestId).evaluate((zone, f) => {
    const dt = new DataTransfer();
    dt.items.add(new File([f.text], f.name, { type: 'application/octet-stream' }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, file);
}

export async function uploadSources(page: Page, paths: string[]): Promise<void> {
  await byTestId(page, 'source-files-input').setInputFiles(paths);
}

/** Fills config fields by their key (`train-steps`, `model-dim`, ...). */
export async function setFields(page: Page, fields: Record<string, number | string>): Promise<void> {
  for (const [id, value] of Object.entries(fields)) await byTestId(page, id).fill(String(value));
}

/** A run small enough for SwiftShader: the tiny preset at batch 2 × 32 tokens. */
export const SMALL_RUN = {
  'train-batchSize': 2, 'train-seqLen': 32, 'train-accumSteps': 1, 'train-warmupSteps': 3, 'train-lr': 0.003,
  'train-evalBatches': 2,
};

export async function openDataSettings(page: Page): Promise<void> {
  const details = page.locator('details', { has: page.locator('summary', { hasText: 'Tokenizer and validation split' }) });
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
}

export async function prepare(page: Page): Promise<void> {
  await byTestId(page, 'prepare-button').click();
  await byTestId(page, 'report').waitFor({ timeout: 300_000 });
}

export async function currentStep(page: Page): Promise<number> {
  return Number(await byTestId(page, 'step-counter').getAttribute('data-step'));
}

/** Waits until the run has taken `step` steps; a run that fails or stops on its own ends the wait with its message. */
export async function waitForStep(page: Page, step: number, timeout = 300_000): Promise<void> {
  await page.waitForFunction((n) => {
    const status = document.querySelector('[data-testid="run-status"]')?.textContent ?? '';
    return /failed|finished|stopped/.test(status) || Number(document.querySelector('[data-testid="step-counter"]')?.getAttribute('data-step')) >= n;
  }, step, { timeout, polling: 250 });
  const reached = await currentStep(page);
  if (reached < step) throw new Error(`the run ended at step ${reached} before step ${step}: ${await byTestId(page, 'run-status').innerText()} ${await byTestId(page, 'run-message').innerText()}`);
}

/** Waits until the run's status line matches (finished, paused, stopped...). */
export async function waitForStatus(page: Page, pattern: RegExp, timeout = 300_000): Promise<string> {
  await page.waitForFunction(([src, flags]) => new RegExp(src, flags).test(document.querySelector('[data-testid="run-status"]')?.textContent ?? ''),
    [pattern.source, pattern.flags] as const, { timeout, polling: 250 });
  return byTestId(page, 'run-status').innerText();
}

/** Every step's loss as the step log holds it (full precision), by step. */
export async function stepLosses(page: Page): Promise<Map<number, number>> {
  const rows = await page.$$eval('[data-testid="step-log-row"]', (els) => els.map((e) => [Number(e.getAttribute('data-step')), Number(e.getAttribute('data-loss'))] as [number, number]));
  return new Map(rows);
}

/** Clicks a button that downloads, keeps the file under test-results and returns its bytes and name. */
export async function downloadFrom(page: Page, testid: string, timeout = 120_000): Promise<{ name: string; bytes: Buffer; path: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout }), byTestId(page, testid).click()]);
  const path = artifact(dl.suggestedFilename());
  await dl.saveAs(path);
  return { name: dl.suggestedFilename(), bytes: readFileSync(path), path };
}
