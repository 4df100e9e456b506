// Issue 14.3, 14.4 and 14.8 as a person meets them: a CSV whose text is in "speech" is caught when it is
// added and the offered column picked; a source too small to train on is left out of the mixture with the
// reason; 25 rows missing their field are one grouped line; Train is reached in a few Tab presses; at 390 px
// nothing scrolls sideways; a reload says that added files must be added again; and axe-core finds no
// serious or critical accessibility violation, in light and dark mode.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, openSession, screenshot, type Session } from './harness';
import { byTestId, dropFile, removeAllSources } from './page';

let s: Session;
beforeAll(async () => { s = await openSession(); await openPage(s); });
afterAll(async () => { await s?.close(); });

const sentence = (k: number) => `Fellow citizens, address number ${k} speaks of the harvest, the rivers and the roads we built together in year ${1900 + k}.`;
const speechesCsv = 'year,speech,title\n' + Array.from({ length: 40 }, (_, k) => `${1900 + k},"${sentence(k)} ${sentence(k + 100)}",Address ${k}`).join('\n') + '\n';
// Half the rows keep their text in "body": 25 missing-field problems, shown as one line.
const notesJsonl = Array.from({ length: 50 }, (_, k) => JSON.stringify(k % 2 ? { body: sentence(k + 200) } : { text: `${sentence(k + 300)} ${sentence(k + 400)}` })).join('\n') + '\n';

describe('data checks, keyboard, width and accessibility', () => {
  it('offers the CSV\'s text columns, fails a source of 0 documents naming them, and prepares once the column is picked', async () => {
    const page = s.page;
    await removeAllSources(page);
    await dropFile(page, 'source-files-zone', { name: 'speeches.csv', text: speechesCsv });
    await dropFile(page, 'source-files-zone', { name: 'notes.jsonl', text: notesJsonl });
    await dropFile(page, 'source-files-zone', { name: 'tiny.txt', text: 'Too short to train on.' });
    const card = page.locator('[data-testid="source-row"][data-name="speeches"]');
    await card.locator('[data-testid="source-column"]').first().waitFor();
    expect(await card.locator('[data-testid="source-columns-note"]').innerText()).toBe('⚠ speeches.csv has no text column "text". Pick the column that holds the text:');
    expect(await card.locator('[data-testid="source-column"][data-column="speech"]').textContent()).toMatch(/^speech “Fellow citizens, address number 0/);
    await screenshot(page, 'data-checks-1-columns-offered');

    // Prepared as it is, the source fails with the columns that exist, and Train would refuse it too.
    await byTestId(page, 'prepare-button').click();
    await page.waitForFunction(() => /Preparation failed/.test(document.querySelector('[data-testid="prepare-status"]')?.textContent ?? ''), null, { timeout: 300_000 });
    expect(await byTestId(page, 'prepare-status').innerText()).toMatch(
      /^Preparation failed: source "speeches" gave no documents: speeches\.csv has no text field "text": its text columns are "year", "speech", "title"\./);
    expect(await card.locator('[data-testid="source-failed"]').innerText()).toMatch(/speeches\.csv has no text field "text"/);
    const grouped = page.locator('[data-testid="report-problem"][data-file="notes.jsonl"]');
    expect(await grouped.count()).toBe(1);
    expect(await grouped.innerText()).toMatch(/^notes\.jsonl missing-field ×25: no string field "text" \(lines 2, 4, 6, 8, 10, …\)$/);
    await screenshot(page, 'data-checks-2-source-failed');

    await card.locator('[data-testid="source-column"][data-column="speech"]').click();
    expect(await card.locator('[data-testid="source-field"]').inputValue()).toBe('speech');
    expect(await card.locator('[data-testid="source-columns-note"]').innerText()).toBe('Text columns in speeches.csv:');
    await byTestId(page, 'prepare-button').click();
    await page.waitForFunction(() => /^Prepared speeches \+ notes \+ tiny \(ds-/.test(document.querySelector('[data-testid="prepare-status"]')?.textContent ?? ''), null, { timeout: 300_000 });
    expect(await byTestId(page, 'prepare-status').innerText()).toMatch(/1 source left out of the mixture/);
    // The tiny source has no training sequence: share 0, said on its row, the others renormalised.
    const tiny = page.locator('[data-testid="mixture-row"][data-source="tiny"]');
    expect(await tiny.locator('[data-testid="mixture-dropped"]').innerText()).toMatch(/^⚠ tiny: .*dropped from the mixture; the other shares are renormalised\.$/);
    expect(await tiny.locator('.bar-value').innerText()).toMatch(/^0\.0% /);
    const shares = await page.$$eval('[data-testid="mixture-row"] .bar-value', (els) => els.map((e) => parseFloat(e.textContent ?? '')));
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    // 200 steps of 8 × 129 tokens read these small sources many times over: the choice is offered and shown.
    const warning = page.locator('[data-testid="repeat-warning"][data-source="speeches"]');
    expect(await warning.innerText()).toMatch(/speeches would be read about \d+\.\d times in the .* tokens this run plans/);
    await warning.locator('[data-testid="repeat-keep"]').click();
    expect(await page.locator('[data-testid="repeat-kept"][data-source="speeches"]').innerText()).toMatch(/You chose to keep its weight\.$/);
    await screenshot(page, 'data-checks-3-prepared');
  });

  it('has no serious or critical axe-core violation, in light and in dark mode, on the prepared page with its warnings', async () => {
    const page = s.page;
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await page.addScriptTag({ content: axe });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await page.evaluate(async () => {
        const result = await (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } })
          .axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
      });
      await screenshot(page, `data-checks-4-${scheme}`);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), scheme).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('reaches Train within three Tab presses', async () => {
    const page = s.page;
    // A fresh page, as a keyboard user arrives: Tab from the top.
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
    let presses = 0;
    for (; presses < 10; presses++) {
      if (await page.evaluate(() => document.activeElement?.getAttribute('data-testid')) === 'train-button') break;
      await page.keyboard.press('Tab');
    }
    expect(presses).toBeLessThanOrEqual(3);
    // The bar stays in view while the page scrolls.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const top = await byTestId(page, 'train-button').evaluate((b) => b.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(80);
  });

  it('does not scroll sideways at 390 px, and after a reload says added files must be added again', async () => {
    const page = s.page;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
    const wide = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
      culprits: [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 5).map((e) => `${e.tagName}.${e.className}#${e.id} in ${e.closest('section')?.id} "${(e.textContent ?? '').slice(0, 40)}"`),
    }));
    expect(wide.scroll, wide.culprits.join(', ')).toBeLessThanOrEqual(wide.client);
    expect(await page.locator('[data-testid="source-row"][data-origin="upload"]').count()).toBe(0);
    expect(await byTestId(page, 'uploads-note').innerText()).toMatch(/^Added files stay in this tab only: after a reload, add them again/);
    await screenshot(page, 'data-checks-5-390px');
  });
});
