// Synthetic text (D2) in the page: the released-looking Llama folder (ChatML template) imported, the default
// corpus prepared with its tokenizer.json, then 6 samples of 8 tokens generated from seeds of that dataset on
// the imported weights' KV cache; the progress reaches 6/6 with tokens/s, and the output is a source card of
// category "synthetic", part D2, which the next Prepare reads like any other file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, openPage, openSession, screenshot, type Session } from './harness';
import { byTestId, prepare, setFields, unlabelledControls } from './page';
import { chatModelFolder } from './fixtures';

let s: Session;
let dir: string;
beforeAll(async () => {
  // A context long enough for a prompt of the tiny byte-level tokenizer (about a token a byte) and 8 new tokens.
  dir = await chatModelFolder('released-llama-synth', 1024);
  s = await openSession();
  await openPage(s);
});
afterAll(async () => { await s?.close(); });

describe('synthetic text from an imported model, in the page', () => {
  it('generates 6 samples from the prepared corpus and adds them as a synthetic D2 source', async () => {
    const page = s.page;
    expect(await byTestId(page, 'synth-panel').isHidden()).toBe(true); // no model, no dataset yet
    await byTestId(page, 'model-folder-input').setInputFiles(dir);
    await byTestId(page, 'model-card').waitFor({ state: 'visible', timeout: 120_000 });
    await prepare(page);
    await byTestId(page, 'synth-panel').waitFor({ state: 'visible', timeout: 30_000 });
    await setFields(page, { 'synth-n': 6, 'synth-max-tokens': 8 });
    expect(await unlabelledControls(page)).toEqual([]);
    await byTestId(page, 'synth-generate').click();
    await page.waitForFunction(() => /Added as the source|failed/.test(document.querySelector('[data-testid="synth-status"]')?.textContent ?? ''),
      null, { timeout: 300_000 });
    const status = await byTestId(page, 'synth-status').innerText();
    expect(status).toMatch(/^6 \/ 6 samples · \d+ tokens · \d+\.\d tokens\/s\. Added as the source synthetic-mixed \(synthetic, D2\)/);
    expect(await byTestId(page, 'synth-progress').getAttribute('data-done')).toBe('6');
    const card = page.locator('[data-testid="source-list"] li', { hasText: 'synthetic-mixed' });
    await card.waitFor({ timeout: 10_000 });
    expect(await card.getByLabel('category of synthetic-mixed').inputValue()).toBe('synthetic');
    expect(await card.innerText()).toMatch(/D2/);
    // The new source unprepares the data: Generate waits for the next Prepare, saying so.
    expect(await byTestId(page, 'synth-generate').isDisabled()).toBe(true);
    expect(await byTestId(page, 'synth-blocked-reason').innerText()).toMatch(/Prepare the data/);
    await screenshot(page, 'synth-page-1-generated');
    // The next Prepare reads it like any other source, and Generate is back.
    await prepare(page);
    expect(await byTestId(page, 'report').innerText()).toMatch(/synthetic-mixed/);
    await byTestId(page, 'synth-generate').waitFor({ state: 'visible' });
    expect(await byTestId(page, 'synth-generate').isEnabled()).toBe(true);
    await page.locator('[data-testid="synth-panel"]').screenshot({ path: artifact('synth-page-2-panel.png') });
  });
});
