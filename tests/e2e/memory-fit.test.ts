// The memory plan in the page: a preset over the CPU-emulated adapter's budget is refused with the options
// that would make it fit, each a button with its planned total; one click applies it and the refusal goes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, openPage, openSession, type Session } from './harness';
import { byTestId, setFields, SMALL_RUN, stepLosses, waitForStatus } from './page';

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
    expect(await fits.allInnerTexts()).toEqual([expect.stringMatching(/^Turn on recomputation: \d\.\d\d GiB$/), expect.stringMatching(/^Use batch \d with accumulation \d: \d\.\d\d GiB$/),
      expect.stringMatching(/^Apply the update layer by layer: \d\.\d\d GiB$/)]);
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

  it('offers the update layer by layer for full training without accumulation, and a run with it has the same losses; f16 activations unticks it and moves the losses by the rounding only', async () => {
    const page = s.page;
    await openPage(s);
    await setFields(page, { ...SMALL_RUN, 'train-steps': 3, 'train-warmupSteps': 1, 'train-evalInterval': 0 });
    const box = byTestId(page, 'memory-updatePerLayer');
    expect(await box.isVisible()).toBe(true);
    await setFields(page, { 'train-accumSteps': 2 });
    await byTestId(page, 'train-accumSteps').dispatchEvent('change');
    await page.waitForFunction(() => (document.querySelector('[data-testid="memory-updatePerLayer"]') as HTMLElement | null)?.offsetParent === null);
    await setFields(page, { 'train-accumSteps': 1 });
    await byTestId(page, 'train-accumSteps').dispatchEvent('change');
    await box.waitFor({ state: 'visible' });
    const trainToEnd = async () => {
      await byTestId(page, 'train-button').click();
      await page.waitForTimeout(300);
      const yes = byTestId(page, 'confirm-yes');
      if (await yes.isVisible().catch(() => false)) await yes.click();
      await waitForStatus(page, /finished all 3 steps/, 600_000);
      return [...(await stepLosses(page))].sort((a, b) => a[0] - b[0]).map(([, loss]) => loss); // by step
    };
    const gradients = async () => {
      const m = /gradients ([\d.]+) (B|KiB|MiB|GiB)/.exec(await byTestId(page, 'memory-estimate').innerText())!;
      return Number(m[1]) * 1024 ** ['B', 'KiB', 'MiB', 'GiB'].indexOf(m[2]);
    };
    const plain = await trainToEnd();
    const before = await gradients();
    await box.check();
    // The plan's gradients shrink to one layer's (and the embedding's) with the box ticked.
    await expect.poll(gradients).toBeLessThan(before);
    const layered = await trainToEnd();
    expect(plain).toHaveLength(3);
    expect(layered).toEqual(plain); // the same bits, so the same printed losses

    // F16 activations exclude the update layer by layer and recomputation: ticking it unticks them.
    await byTestId(page, 'memory-recompute').check();
    await byTestId(page, 'memory-f16Activations').check();
    expect(await box.isChecked()).toBe(false);
    expect(await byTestId(page, 'memory-recompute').isChecked()).toBe(false);
    const halves = await trainToEnd();
    // The forward is the plain one's: the first loss is the same; later ones move by the rounding only.
    expect(halves[0]).toBe(plain[0]);
    halves.forEach((l, i) => expect(Math.abs(l - plain[i]) / plain[i]).toBeLessThan(1e-3));
  });
});
