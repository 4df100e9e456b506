// The page's first minutes, as a person meets them: controls that cannot work yet are off and say why,
// and Train pressed at the first possible moment starts training. The default corpus' index is held back
// by the test, so "still loading" lasts as long as the test needs to look at it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, openSession, screenshot, type Session } from './harness';
import { byTestId, openDataSettings, setFields, waitForStatus, waitForStep } from './page';

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

  it('asks before Train replaces a run that can continue, with Resume as the primary button', async () => {
    const page = s.page;
    const stoppedAt = Number(await byTestId(page, 'step-counter').getAttribute('data-step'));
    expect(await byTestId(page, 'resume-button').getAttribute('class')).toMatch(/primary/);
    expect(await byTestId(page, 'train-button').getAttribute('class')).not.toMatch(/primary/);
    await byTestId(page, 'train-button').click();
    const dialog = byTestId(page, 'confirm-dialog');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.innerText()).toMatch(new RegExp(`at step ${stoppedAt} of 200 and can continue: press Resume`));
    // The safe answer has the focus: Enter keeps the run.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('confirm-no');
    await screenshot(page, 'first-minutes-3-ask-before-replacing');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(await byTestId(page, 'step-counter').getAttribute('data-step')).toBe(String(stoppedAt));
    expect(await byTestId(page, 'run-status').innerText()).toMatch(/stopped at step/);
    expect(await byTestId(page, 'resume-button').isEnabled()).toBe(true);
  });

  it('refuses hare-1.1b on the CPU-emulated adapter before it starts, with the memory, the time and the fix', async () => {
    const page = s.page;
    await byTestId(page, 'preset-select').selectOption('hare-1.1b');
    await byTestId(page, 'train-steps').fill('5');
    const refusal = await byTestId(page, 'config-refusal').innerText();
    expect(refusal).toMatch(/needs \d+\.\d\d GiB, more than the \d+\.\d\d GiB this CPU-emulated adapter may use, and no memory option brings it within: .*choose a smaller preset/);
    expect(await byTestId(page, 'time-estimate').innerText()).toMatch(/^Time: about \d+h \d\dm per step, \d+h \d\dm for 5 steps/);
    expect(await byTestId(page, 'long-run-warning').innerText()).toMatch(/would take about .* here/);
    expect(await byTestId(page, 'train-button').isDisabled()).toBe(true);
    expect(await byTestId(page, 'train-blocked-reason').innerText()).toMatch(/settings are refused/);
    await page.locator('#config-panel').screenshot({ path: artifact('first-minutes-4-hare-refused.png') });
    await byTestId(page, 'preset-select').selectOption('tiny');
    expect(await byTestId(page, 'config-refusal').isHidden()).toBe(true);
    expect(await byTestId(page, 'train-steps').inputValue()).toBe('5'); // the person's settings stay
  });

  it('keeps focus and every keystroke while a source card is edited with the keyboard', async () => {
    const page = s.page;
    const card = byTestId(page, 'source-row').first();
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);
    await card.locator('[data-testid="source-name"]').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('melville');
    await page.keyboard.press('Tab'); // the change is applied here: the list used to redraw and drop focus to <body>
    expect(await focused()).toBe('source-category');
    await page.keyboard.type('novels'); // Tab selected the field's text, so typing replaces it
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('source-weight');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('2.5');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('source-remove');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('source-format');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('source-field');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('body');
    await page.keyboard.press('Tab');
    const row = page.locator('[data-testid="source-row"][data-name="melville"]');
    expect(await row.count()).toBe(1);
    expect(await row.locator('[data-testid="source-category"]').inputValue()).toBe('novels');
    expect(await row.locator('[data-testid="source-weight"]').inputValue()).toBe('2.5');
    expect(await row.locator('[data-testid="source-field"]').inputValue()).toBe('body');
    expect(await row.locator('[data-testid="source-weight"]').getAttribute('aria-label')).toBe('weight of melville');
    // Back to the settings of the prepared dataset: its report returns, and focus stays where the person is.
    await row.locator('[data-testid="source-field"]').fill('text');
    await row.locator('[data-testid="source-weight"]').fill('1');
    await row.locator('[data-testid="source-category"]').fill('books');
    await row.locator('[data-testid="source-name"]').fill('moby-dick');
    await row.locator('[data-testid="source-name"]').press('Tab');
    await byTestId(page, 'report').waitFor();
    expect(await focused()).toBe('source-category');
    await screenshot(page, 'first-minutes-5-source-edited');
  });

  it('samples within the limits it states, streams tokens as they come, can be stopped, and treats temperature 0 as greedy', async () => {
    const page = s.page;
    const problems = byTestId(page, 'sample-problems');
    await byTestId(page, 'sample-max-tokens').fill('5000');
    expect(await problems.innerText()).toMatch(/^Tokens must be a whole number from 1 to 1024: a sample holds the training worker until it ends\.$/);
    expect(await byTestId(page, 'sample-max-tokens').getAttribute('aria-invalid')).toBe('true');
    expect(await byTestId(page, 'sample-now').isDisabled()).toBe(true);
    await page.locator('#run-panel .sample-box').screenshot({ path: artifact('first-minutes-6-sample-limit.png') });

    // Temperature 0 is greedy (it used to become 0.8): the same text as greedy decoding.
    await byTestId(page, 'sample-max-tokens').fill('12');
    await byTestId(page, 'sample-temperature').fill('0');
    expect(await problems.isHidden()).toBe(true);
    await byTestId(page, 'sample-now').click();
    await page.locator('[data-testid="sample-item"][data-tokens]').first().waitFor({ timeout: 120_000 });
    const atZero = await byTestId(page, 'sample-item').first().locator('.sample-text').innerText();
    await byTestId(page, 'sample-mode').selectOption('greedy');
    await byTestId(page, 'sample-now').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="sample-item"][data-tokens]').length >= 2, null, { timeout: 120_000 });
    expect(await byTestId(page, 'sample-item').first().locator('.sample-text').innerText()).toBe(atZero);

    // The longest sample streams: tokens show while it runs, Stop ends it there and keeps what came.
    await byTestId(page, 'sample-max-tokens').fill('1024');
    await byTestId(page, 'sample-now').click();
    const live = page.locator('[data-testid="sample-item"][data-live="true"]');
    await page.waitForFunction(() => /sampling… ([3-9]|\d\d+) \/ 1024 tokens/.test(document.querySelector('[data-testid="sample-item"][data-live="true"] .sample-meta')?.textContent ?? ''), null, { timeout: 120_000 });
    expect(await byTestId(page, 'sample-now').isDisabled()).toBe(true);
    await live.locator('[data-testid="sample-cancel"]').click();
    await live.waitFor({ state: 'detached', timeout: 60_000 });
    const stopped = byTestId(page, 'sample-item').first();
    expect(await stopped.locator('.sample-meta').innerText()).toMatch(/^step \d+ · stopped after \d+ of 1024 tokens$/);
    expect(await byTestId(page, 'sample-now').isEnabled()).toBe(true);
    // Whatever the model wrote stays inside its card and is shown without raw U+FFFD.
    const box = await stopped.locator('.sample-text').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, text: el.textContent ?? '' }));
    expect(box.scroll).toBeLessThanOrEqual(box.client);
    expect(box.text).not.toContain('\uFFFD');
    await page.locator('#run-panel .sample-box').screenshot({ path: artifact('first-minutes-7-sample-stopped.png') });
  });

  it('checks the settings in the form, in the form\'s words, with the fix', async () => {
    const page = s.page;
    const refusal = byTestId(page, 'config-refusal');
    // The warmup follows the run's length until it is set: a tenth, not the default 20 of a 30-step run.
    await byTestId(page, 'train-steps').fill('30');
    expect(await byTestId(page, 'train-warmupSteps').inputValue()).toBe('3');
    await setFields(page, { 'train-steps': 200, 'train-warmupSteps': 500 });
    expect(await refusal.innerText()).toMatch(/warmup steps: 500 is not fewer than the 200 steps of the run, .*use about 20/);
    expect(await byTestId(page, 'train-warmupSteps').getAttribute('aria-invalid')).toBe('true');
    await setFields(page, { 'train-warmupSteps': 20, 'model-vocabSize': 100, 'model-nHeads': 3 });
    const text = await refusal.innerText();
    expect(text).toMatch(/vocabulary: 100 is below 259, .*use 259 or more/);
    expect(text).toMatch(/heads: must divide width \(dim\) \(64 is not a multiple of 3\)/);
    expect(text).not.toMatch(/nHeads|vocabSize|\blr\b/);
    expect(await byTestId(page, 'train-button').isDisabled()).toBe(true);
    await page.locator('#config-panel').screenshot({ path: artifact('first-minutes-8-form-refusal.png') });
    await setFields(page, { 'model-vocabSize': 512, 'model-nHeads': 4 });
    expect(await refusal.isHidden()).toBe(true);

    // A BPE size the trainer would refuse is refused beside its field, and both Prepare and Train say why.
    await openDataSettings(page);
    await byTestId(page, 'tokenizer-kind').selectOption('bpe');
    await byTestId(page, 'bpe-vocab').fill('100');
    expect(await byTestId(page, 'tokenizer-note').innerText()).toMatch(/^BPE vocabulary size must be a whole number from 259 .* to 65536\.$/);
    expect(await byTestId(page, 'prepare-button').isDisabled()).toBe(true);
    expect(await byTestId(page, 'prepare-blocked-reason').innerText()).toMatch(/BPE vocabulary size/);
    expect(await byTestId(page, 'train-button').isDisabled()).toBe(true);
    expect(await byTestId(page, 'train-blocked-reason').innerText()).toMatch(/BPE vocabulary size .*Data panel/);
    await byTestId(page, 'bpe-vocab').fill('512');
    expect(await byTestId(page, 'prepare-button').isEnabled()).toBe(true);
    expect(await byTestId(page, 'train-button').isEnabled()).toBe(true);
  });

  it('a start that fails in the worker returns the page to idle with a plain message and the settings kept', async () => {
    const page = s.page;
    // Break the prepared dataset under the page's feet: its tokenizer.json no longer parses, so the training
    // worker's start fails after the page has handed it over (as a device failing while the model builds does).
    // The dataset's id is in the prepare status once the saved report has been shown (a loaded machine is slow).
    await page.waitForFunction(() => /ds-[0-9a-f]{16}/.test(document.querySelector('[data-testid="prepare-status"]')?.textContent ?? ''), null, { timeout: 60_000 });
    const dataset = (await byTestId(page, 'prepare-status').innerText()).match(/ds-[0-9a-f]{16}/)?.[0];
    expect(dataset).toBeDefined();
    await page.evaluate(async (name) => {
      const root = await navigator.storage.getDirectory();
      const folder = await (await root.getDirectoryHandle('datasets')).getDirectoryHandle(name as string);
      const w = await (await folder.getFileHandle('tokenizer.json')).createWritable();
      await w.write('{ this is not json');
      await w.close();
    }, dataset);
    await setFields(page, { 'train-steps': 40 });
    await byTestId(page, 'train-button').click();
    await byTestId(page, 'confirm-yes').click(); // the stopped run from before could continue
    await page.waitForFunction(() => /Training did not start/.test(document.querySelector('[data-testid="run-message"]')?.textContent ?? ''), null, { timeout: 120_000 });
    expect(await byTestId(page, 'run-status').innerText()).toBe('Training failed to start (the reason is below).');
    expect(await byTestId(page, 'run-message').innerText()).toMatch(/^Training did not start: .*JSON.*\. Your settings are kept\.$/);
    expect(await byTestId(page, 'tokens-per-second').innerText()).toBe('–'); // nothing left from the run before
    for (const b of ['pause-button', 'resume-button', 'stop-button']) expect(await byTestId(page, b).isDisabled(), b).toBe(true);
    expect(await byTestId(page, 'train-button').isEnabled()).toBe(true);
    expect(await byTestId(page, 'train-steps').inputValue()).toBe('40');
    expect(await byTestId(page, 'train-warmupSteps').inputValue()).toBe('20');
    await page.locator('#run-panel').screenshot({ path: artifact('first-minutes-9-start-failed.png') });
  });
});
