// Issue 13 in the page: an ARC-style JSONL dropped as a source is recognised as mc, its fields shown and its
// first rows rendered through the mc templates on the card; prepared with a benchmark holding one of its items,
// it is D3 in the mixture and the overlapping item is removed and named in the decontamination pairs.
// Topic clusters: the default corpus prepared with K = 3 shows each source's clusters and what the cap did.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, openPage, openSession, screenshot, type Session } from './harness';
import { byTestId, dropFile, prepare, removeAllSources, unlabelledControls } from './page';

let s: Session;
beforeAll(async () => { s = await openSession(); await openPage(s); });
afterAll(async () => { await s?.close(); });

const TOOLS = ['thermometer', 'balance scale', 'stopwatch', 'ruler', 'microscope', 'compass', 'magnifying lens', 'rain gauge'];
const WORDS = ('river stone maple copper harbor lantern meadow glacier falcon orchard canyon pebble thunder ember willow marble ' +
  'prairie beacon tulip granite comet velvet basalt heron cedar lagoon quartz saddle nectar tundra walnut coral ' +
  'blossom anvil cobalt dune fern hazel iris juniper kelp lichen mango nutmeg opal pine reef sage timber umber violet').split(' ');

/** ARC's layout: question, choices {text, label}, answerKey. Each question draws its own words, so no two rows share
 *  many n-grams and only the benchmark's own item overlaps it. */
function arcRow(k: number): Record<string, unknown> {
  const w = (i: number) => WORDS[(k * 7 + i * 13 + k * i) % WORDS.length];
  const tool = TOOLS[k % TOOLS.length];
  return {
    id: `Mercury_${1000 + k}`,
    question: `Student ${k} asks: when the ${w(1)} ${w(2)} meets a ${w(3)} near the ${w(4)}, which ${w(5)} explains why the ${w(6)} ${w(7)} glows before the ${w(8)}?`,
    choices: { text: [tool, TOOLS[(k + 3) % TOOLS.length], TOOLS[(k + 5) % TOOLS.length], TOOLS[(k + 6) % TOOLS.length]], label: ['A', 'B', 'C', 'D'] },
    answerKey: 'A',
  };
}
const ROWS = Array.from({ length: 40 }, (_, k) => arcRow(k));
const arcJsonl = ROWS.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('task sources in the page', () => {
  it('prepares the default corpus with 3 topic clusters per source, capped, and shows them in the report', async () => {
    const page = s.page;
    const sources = await page.$$eval('[data-testid="source-row"]', (els) => els.map((e) => (e as HTMLElement).dataset.name ?? ''));
    expect(sources.length).toBeGreaterThan(0);
    await page.locator('details summary', { hasText: 'Topic clusters' }).click();
    expect(await byTestId(page, 'cluster-balance').isDisabled()).toBe(true);
    await byTestId(page, 'cluster-k').fill('3');
    await byTestId(page, 'cluster-balance').selectOption('cap');
    await byTestId(page, 'cluster-amount').fill('0.5');
    expect(await byTestId(page, 'cluster-note').innerText()).toBe("3 topic clusters per source, shown in the report; none above 0.5 of its source's tokens.");
    await prepare(page);
    const section = byTestId(page, 'report-clusters');
    expect(await section.locator('[data-testid="cluster-method"]').innerText()).toMatch(/^no cluster above 50\.0% of its source's tokens: within each source, records down-sampled/);
    for (const name of sources) {
      const source = section.locator(`[data-testid="cluster-source"][data-source="${name}"]`);
      expect(await source.locator('h4').innerText()).toMatch(new RegExp(`^${name}: 3 clusters of [\\d.k]+ records`));
      const rows = source.locator('[data-testid="cluster-row"]');
      expect(await rows.count()).toBe(3);
      for (let c = 0; c < 3; c++) {
        expect((await rows.nth(c).locator('[data-testid="cluster-terms"]').innerText()).split(', ').length).toBeGreaterThan(1);
        const examples = await rows.nth(c).locator('[data-testid="cluster-example"]').count();
        expect(examples).toBeGreaterThan(0);
        expect(examples).toBeLessThanOrEqual(3);
      }
    }
    await screenshot(page, 'task-sources-0-clusters');
    await section.screenshot({ path: artifact('task-sources-0-clusters-section.png') });
    // Off again for the next test: K = 0 sends no clusters.
    await byTestId(page, 'cluster-k').fill('0');
  });

  it('recognises an ARC file as mc, renders its rows, prepares it as D3 and removes the benchmark item', async () => {
    const page = s.page;
    await removeAllSources(page);
    await dropFile(page, 'source-files-zone', { name: 'arc.jsonl', text: arcJsonl });
    const card = page.locator('[data-testid="source-row"][data-name="arc"]');
    await card.locator('[data-testid="layout-row"]').nth(2).waitFor();
    expect(await card.locator('[data-testid="source-layout"]').inputValue()).toBe('mc');
    expect(await card.locator('[data-testid="layout-note"]').innerText()).toBe('Recognised as mc from its first row.');
    expect(await card.locator('[data-testid="source-part"]').innerText()).toBe('Part D3: task data rendered through templates');
    expect(await card.locator('[data-testid="layout-field"][data-role="question"]').getAttribute('placeholder')).toBe('question');
    expect(await card.locator('[data-testid="layout-field"][data-role="choices"]').getAttribute('placeholder')).toBe('choices.text');
    expect(await card.locator('[data-testid="layout-field"][data-role="answer"]').getAttribute('placeholder')).toBe('answerKey');
    // Neither the text-field box nor the "no text column" warning: the layout reads every field.
    expect(await card.locator('[data-testid="source-field"]').count()).toBe(0);
    expect(await card.locator('[data-testid="source-columns"]').isHidden()).toBe(true);
    const rendered = await card.locator('[data-testid="layout-row"]').allInnerTexts();
    expect(rendered).toHaveLength(3);
    rendered.forEach((text, k) => expect(text).toContain(`Student ${k} asks: when the`));
    // Every template names the right choice (choices[0], "A"): the rows went through the mc templates, not as JSON.
    rendered.forEach((text, k) => expect(text).toContain(TOOLS[k % TOOLS.length]));
    expect(rendered.join('\n')).not.toContain('answerKey');
    await screenshot(page, 'task-sources-1-card');

    // Overriding a role's field re-renders: a field the rows lack makes every row say so.
    const answer = card.locator('[data-testid="layout-field"][data-role="answer"]');
    await answer.fill('gold');
    await answer.press('Tab');
    await page.waitForFunction(() => /field "gold" names none|"gold"/.test(document.querySelector('[data-testid="layout-row"]')?.textContent ?? ''));
    await answer.fill('');
    await answer.press('Tab');
    await page.waitForFunction(() => /Student 0 asks/.test(document.querySelector('[data-testid="layout-row"]')?.textContent ?? ''));

    const item = ROWS[7];
    await dropFile(page, 'benchmark-files-zone', { name: 'arc-test.jsonl', text: `${JSON.stringify(item)}\n` });
    await prepare(page);
    const row = page.locator('[data-testid="mixture-row"][data-source="arc"]');
    expect(await row.getAttribute('data-part')).toBe('D3');
    expect(await row.locator('[data-testid="mixture-part"]').innerText()).toBe('D3');
    const decontam = await byTestId(page, 'report-decontamination').innerText();
    expect(decontam).toMatch(/1 benchmark samples? from arc-test\.jsonl; 1 training samples? removed/);
    expect(decontam).toMatch(/arc · arc\.jsonl:8 \(\d+% of \d+-grams\) matches arc-test\.jsonl:1/);
    expect(decontam).toContain('Student 7 asks: when the');
    await screenshot(page, 'task-sources-2-prepared');
  });

  it('names every control on the task card and the cluster options, and axe-core finds no serious violation', async () => {
    const page = s.page;
    expect(await unlabelledControls(page)).toEqual([]);
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await page.addScriptTag({ content: axe });
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: { run(ctx: Element, o: object): Promise<{ violations: { id: string; impact: string }[] }> } })
        .axe.run(document.querySelector('[data-testid="source-list"]')!.closest('section') ?? document.body, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact }));
    });
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  });
});
