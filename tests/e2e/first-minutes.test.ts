// The page's first minutes, as a person meets them: controls that cannot work yet are off and say why,
// and Train pressed at the first possible moment starts training. The default corpus' index is held back
// by the test, so "still loading" lasts as long as the test needs to look at it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, screenshot, type Session } from './harness';
import { byTestId, waitForStatus, waitForStep } from './page';

let s: Session;
beforeAll(async () => { s = await openSession(); });
afterAll(async () => { await s?.close(); });

describe('the first minutes on the page', () => {
  it('keeps Train, Prepare and Import off with the reason while the corpus loads, and the first click on Train trains', async () => {
    const page = s.page;
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    await page.route('**/corpus/index.json', async (route) => { await held; await route.continue(); });
    await page.goto(`${s.origin}/`);
    await byTestId(page, 'train-button').waitFor({ state: 'visible' });
    expect(await byTestId(page, 'train-button').isDisabled()).toBe(true);
    expect(await byTestId(page, 'train-blocked-reason').innerText()).toMatch(/Wait: .*loading the default corpus/);
    expect(await byTestId(page, 'prepare-button').isDisabled()).toBe(true);
    expect(await byTestId(page, 'prepare-blocked-reason').innerText()).toMatch(/loading the default corpus/);
    expect(await byTestId(page, 'import-checkpoint').isDisabled()).toBe(true);
    expect(await byTestId(page, 'import-blocked-reason').innerText()).toMatch(/loading the default corpus/);
    // The reason is the button's description, so a screen reader says why it is off.
    expect(await byTestId(page, 'train-button').getAttribute('aria-describedby')).toBe('train-blocked-reason');
    await screenshot(page, 'first-minutes-1-loading');

    const click = byTestId(page, 'train-button').click(); // waits for Train to be enabled, as a person's retry would
    await page.waitForTimeout(500);
    release();
    await click;
    expect(await byTestId(page, 'train-blocked-reason').isHidden()).toBe(true);
    expect(await page.locator('[data-testid="source-row"][data-origin="default"]').count()).toBe(2);
    await waitForStep(page, 1);
    expect(await byTestId(page, 'run-message').isHidden()).toBe(true);
    await screenshot(page, 'first-minutes-2-training');
    await byTestId(page, 'stop-button').click();
    await waitForStatus(page, /stopped at step/);
    await page.unroute('**/corpus/index.json');
  });
});
