// The memory plan in the page: a preset over the CPU-emulated adapter's budget is refused with the options
// that would make it fit, each a button with its planned total; one click applies it and the refusal goes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, openSession, type Session } from './harness';
import { byTestId } from './page';

let s: Session;
/** The Model & training panel alone: the page's full height makes its text unreadable in a whole-page shot. */
const shoot = (name: string) => s.page.locator('#config-panel').screenshot({ path: artifact(`${name}.png`) });
beforeAll(async () => { s = await openSession(); });
afterAll(async () => { await s?.close(); });

describe('memory options in the page', () => {
  it('refuses hare-0.25b on SwiftShader with the fits as buttons, and Turn on recomputation makes it fit', async () => {
    const page = s.page;
    await page.goto(`${s.origin}/`);
    // The budget is known once the worker has described the adapter.
    await page.waitForFunction(() => /CPU-emulated adapter may use/.test(document.querySelector('[data-testid="memory-budget"]')?.textContent ?? ''));
    await byTestId(page, 'preset-select').selectOption('hare-0.25b');
    const refusal = byTestId(page, 'config-refusal');
    await refusal.waitFor({ state: 'visible' });
    expect(await refusal.innerText()).toMatch(/needs 4\.\d\d GiB, more than the \d\.\d\d GiB this CPU-emulated adapter may use; any one of these would make it fit:/);
    const fits = byTestId(page, 'memory-fit');
    expect(await fits.allInnerTexts()).toEqual([expect.stringMatching(/^Turn on recomputation: \d\.\d\d GiB$/), expect.stringMatching(/^Use batch \d with accumulation \d: \d\.\d\d GiB$/)]);
    const planned = (await fits.first().innerText()).replace('Turn on recomputation: ', '');
    expect(await byTestId(page, 'memory-recompute').getAttribute('title')).toBeNull(); // the tooltip is on its label
    expect(await page.locator('label:has([data-testid="memory-recompute"])').getAttribute('title')).toMatch(/recompute|computes the block again/);
    await shoot('memory-fit-1-refused');

    await fits.first().click();
    await refusal.waitFor({ state: 'hidden' });
    expect(await byTestId(page, 'memory-recompute').isChecked()).toBe(true);
    expect(await byTestId(page, 'memory-estimate').innerText()).toContain(`${planned} of GPU memory`);
    expect(await byTestId(page, 'memory-estimate').innerText()).toMatch(/one block, recomputed in the backward/);
    await shoot('memory-fit-2-fits');

    // hare-1.1b does not fit with any option: the refusal says what remains.
    await byTestId(page, 'preset-select').selectOption('hare-1.1b');
    await refusal.waitFor({ state: 'visible' });
    expect(await refusal.innerText()).toMatch(/no memory option brings it within: with recomputation and batch 1 it still needs \d+\.\d\d GiB; choose a smaller preset/);
    expect(await fits.count()).toBe(0);
  });
});
