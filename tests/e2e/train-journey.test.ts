// A person's whole visit, in order, in real Chromium with WebGPU on SwiftShader: the page opens showing the
// adapter and the default corpus; uploaded files (one of them broken) are prepared into a report; the tiny
// model trains about 20 steps with pause, resume and stop while the loss falls and the charts fill; the
// checkpoint downloads as a zip a Hugging Face user could load; a reload offers the autosave and resuming
// continues from its step. Every request stays on the page's origin.
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchmarkJsonl, brokenParquet, mobyJsonl, sotuText } from './fixtures';
import { artifact, foreignRequests, openSession, screenshot, type Session } from './harness';
import { mistralShapes, parseSafetensors, unzip } from './checkpoint-zip';
import {
  byTestId, currentStep, downloadFrom, dropFile, openDataSettings, prepare, removeAllSources, setFields, SMALL_RUN, stepLosses,
  unlabelledControls, uploadSources, waitForStatus, waitForStep,
} from './page';

let s: Session;
beforeAll(async () => { s = await openSession(); });
afterAll(async () => { await s?.close(); });

const STEPS = 26;
let stoppedAt = 0;

describe('the page, from opening to a resumed run', () => {
  it('opens, and Train clicked the moment it is visible prepares the default corpus and starts a real run', async () => {
    const page = s.page;
    await page.goto(`${s.origin}/`);
    // As a person would: click as soon as the button shows. The click waits while Train is off for loading
    // (first-minutes.test.ts checks the reason it shows then); it must start training, not refuse.
    await byTestId(page, 'train-button').waitFor({ state: 'visible' });
    await byTestId(page, 'train-button').click();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
    await expect(byTestId(page, 'adapter-name').getAttribute('data-kind')).resolves.toBe('webgpu');
    expect(await byTestId(page, 'adapter-name').innerText()).toMatch(/swiftshader/i);
    expect(await byTestId(page, 'adapter-features').textContent()).toMatch(/subgroups/); // folded under the adapter's one line
    expect(await byTestId(page, 'adapter-limits').locator('tr[data-limit="maxStorageBufferBindingSize"]').count()).toBe(1);
    expect(await byTestId(page, 'no-webgpu-banner').isHidden()).toBe(true);
    expect(await page.locator('[data-testid="source-row"][data-origin="default"]').count()).toBeGreaterThan(0);
    expect(await byTestId(page, 'preset-select').inputValue()).toBe('tiny');
    expect(await byTestId(page, 'memory-estimate').innerText()).toMatch(/parameters · .* of GPU memory/);
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'journey-1-opened');
    await waitForStep(page, 1);
    expect(await byTestId(page, 'run-message').isHidden()).toBe(true);
    expect(await byTestId(page, 'report-sources').innerText()).toMatch(/moby-dick[\s\S]*state-of-the-union/);
    expect(await byTestId(page, 'run-backend').innerText()).toMatch(/leveret webgpu/);
    expect(await byTestId(page, 'step-counter').innerText()).toMatch(/^step \d+ \/ 200$/);
    await byTestId(page, 'stop-button').click();
    await waitForStatus(page, /stopped at step/);
  });

  it('refuses, before anything starts, a config that is invalid or cannot fit the adapter', async () => {
    const page = s.page;
    // The memory plan, without the time line: a step time measured meanwhile may change that one.
    const plan = async () => (await byTestId(page, 'memory-estimate').innerText()).split('\n').filter((l) => !l.startsWith('Time:')).join('\n');
    const estimate = await plan();
    await setFields(page, { 'model-dim': 128 });
    expect(await plan()).not.toBe(estimate);
    expect(await byTestId(page, 'preset-select').inputValue()).toBe('custom');
    await byTestId(page, 'preset-select').selectOption('tiny');
    expect(await plan()).toBe(estimate);
    await setFields(page, { 'train-seqLen': 4096 });
    expect(await byTestId(page, 'config-refusal').innerText()).toMatch(/sequence length: 4096 is longer than the model's context length 128/);
    expect(await byTestId(page, 'train-button').isDisabled()).toBe(true);
    await setFields(page, { 'train-seqLen': 128, 'train-batchSize': 100_000 });
    expect(await byTestId(page, 'config-refusal').innerText()).toMatch(/does not fit this adapter: activation .* binds at most/);
    expect(await byTestId(page, 'train-button').isDisabled()).toBe(true);
    await setFields(page, { 'train-batchSize': 2 });
    expect(await byTestId(page, 'config-refusal').isHidden()).toBe(true);
    expect(await byTestId(page, 'train-button').isEnabled()).toBe(true);
  });

  it('prepares uploaded files in the worker, naming the bad file while using the others', async () => {
    const page = s.page;
    await removeAllSources(page);
    await uploadSources(page, [mobyJsonl(), sotuText(), brokenParquet()]);
    expect(await byTestId(page, 'source-row').count()).toBe(3);
    await dropFile(page, 'benchmark-files-zone', benchmarkJsonl());
    expect(await byTestId(page, 'benchmark-row').innerText()).toMatch(/bench\.jsonl/);
    await setFields(page, SMALL_RUN);
    await openDataSettings(page);
    await setFields(page, { 'val-fraction': 0.2 });
    await page.locator('summary', { hasText: 'Cleaning rules' }).click();
    await byTestId(page, 'rule-language-enabled').uncheck();
    await prepare(page);
    expect(await byTestId(page, 'report-rules').innerText()).toMatch(/language \(off\)/);
    expect(await byTestId(page, 'report-decontamination').innerText()).toMatch(/1 benchmark samples? from bench\.jsonl; [1-9]\d* training samples? removed/);
    const problems = await byTestId(page, 'report-problems').innerText();
    expect(problems).toMatch(/broken\.parquet/);
    expect(await page.locator('[data-testid="source-row"][data-name="broken"] [data-testid="source-error"]').innerText()).toMatch(/broken\.parquet/);
    expect(await page.locator('[data-testid="source-row"][data-name="moby"] [data-testid="source-error"]').count()).toBe(0);
    const sources = await byTestId(page, 'report-sources').innerText();
    expect(sources).toMatch(/moby/);
    expect(sources).toMatch(/sotu/);
    expect(await byTestId(page, 'mixture-row').count()).toBe(3);
    expect(await byTestId(page, 'prepare-progress').evaluate((p) => (p as HTMLProgressElement).value)).toBe(1);
    const cleaned = await downloadFrom(page, 'export-cleaned');
    const lines = cleaned.bytes.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string });
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.every((l) => typeof l.text === 'string' && l.text.length > 0)).toBe(true);
    const report = JSON.parse((await downloadFrom(page, 'export-report')).bytes.toString('utf8')) as { sources: { name: string; kept: { docs: number } }[] };
    expect(report.sources.find((x) => x.name === 'moby')?.kept.docs).toBeGreaterThan(0);
    expect(report.sources.find((x) => x.name === 'broken')?.kept.docs).toBe(0);
    // A source that read no document fails the preparation (14.3): said in the status, and it is removed here
    // so Train prepares the two good files.
    expect(await byTestId(page, 'prepare-status').innerText()).toMatch(/^Preparation failed: source "broken" gave no documents: broken\.parquet: parquet: /);
    await screenshot(page, 'journey-2-prepared');
    await page.locator('[data-testid="source-row"][data-name="broken"] [data-testid="source-remove"]').click();
  });

  it('trains the tiny preset with pause, resume and stop: the counter advances, the loss falls, the charts fill', async () => {
    const page = s.page;
    await setFields(page, { 'train-steps': STEPS, 'train-evalInterval': 8, 'sample-every': 8, 'autosave-interval': 1 });
    const autosavesBefore = Number(await byTestId(page, 'autosave-status').getAttribute('data-count') ?? 0);
    await byTestId(page, 'train-button').click();
    // The first run stopped early and could continue: Train asks before replacing it.
    expect(await byTestId(page, 'confirm-dialog').innerText()).toMatch(/can continue: press Resume/);
    await byTestId(page, 'confirm-yes').click();
    await waitForStep(page, 3);
    expect(await byTestId(page, 'eta').innerText()).toMatch(/^(\d+s|\d+m \d\ds)$/);
    await byTestId(page, 'pause-button').click();
    await waitForStatus(page, /paused at step/);
    const pausedAt = await currentStep(page);
    await page.waitForTimeout(1500);
    expect(await currentStep(page)).toBe(pausedAt);
    expect(await byTestId(page, 'autosave-status').innerText()).toMatch(new RegExp(`Autosaved step ${pausedAt} of ${STEPS}`));
    await byTestId(page, 'resume-button').click();
    await waitForStep(page, 20);
    await byTestId(page, 'stop-button').click();
    await waitForStatus(page, /stopped at step/);
    stoppedAt = await currentStep(page);
    expect(stoppedAt).toBeGreaterThanOrEqual(20);
    expect(stoppedAt).toBeLessThan(STEPS);
    // On pause, on stop, and at least once more on the one-second interval while running.
    expect(Number(await byTestId(page, 'autosave-status').getAttribute('data-count'))).toBeGreaterThanOrEqual(autosavesBefore + 3);

    const losses = await stepLosses(page);
    expect([...losses.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: stoppedAt }, (_, i) => i + 1));
    const mean = (steps: number[]) => steps.reduce((a, k) => a + (losses.get(k) as number), 0) / steps.length;
    const first = mean([1, 2, 3]), last = mean([stoppedAt - 2, stoppedAt - 1, stoppedAt]);
    expect(first).toBeGreaterThan(5.5); // ln(512) ≈ 6.24 at initialisation
    expect(last).toBeLessThan(first - 0.3);
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-points') !== '0');
    expect(Number(await byTestId(page, 'chart-loss').getAttribute('data-points'))).toBe(stoppedAt);
    expect(Number(await byTestId(page, 'chart-lr').getAttribute('data-points'))).toBe(stoppedAt);
    expect(Number(await byTestId(page, 'chart-loss').getAttribute('data-val-points'))).toBeGreaterThanOrEqual(2);
    expect(await byTestId(page, 'val-loss-value').innerText()).toMatch(/^\d+\.\d{4}$/);
    expect(await byTestId(page, 'tokens-per-second').innerText()).not.toBe('–');
    expect(await byTestId(page, 'lr-value').innerText()).toMatch(/e-/);
    // Automatic samples at steps 8 and 16, then one on demand, greedy.
    expect(await page.locator('[data-testid="sample-item"][data-step="8"]').count()).toBe(1);
    await byTestId(page, 'sample-mode').selectOption('greedy');
    await byTestId(page, 'sample-now').click();
    await page.locator(`[data-testid="sample-item"][data-step="${stoppedAt}"]`).waitFor({ timeout: 120_000 });
    expect((await byTestId(page, 'sample-item').first().innerText()).length).toBeGreaterThan(10);
    await screenshot(page, 'journey-3-trained');
    await page.locator('#run-panel').screenshot({ path: artifact('journey-3-run-panel.png') });
  });

  it('exports a zip holding a Hugging Face folder and the trainer state', async () => {
    const page = s.page;
    const zip = await downloadFrom(page, 'export-checkpoint');
    expect(zip.name).toBe(`leveret-tiny-step${stoppedAt}.zip`);
    const files = unzip(zip.bytes);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'trainer_state.json', 'optimizer.safetensors']) {
      expect(files.has(f), f).toBe(true);
    }
    const config = JSON.parse(new TextDecoder().decode(files.get('config.json'))) as Record<string, unknown>;
    expect(config.architectures).toEqual(['MistralForCausalLM']);
    expect(config.model_type).toBe('mistral');
    expect(config.hidden_size).toBe(64);
    const st = parseSafetensors(files.get('model.safetensors') as Uint8Array);
    expect(st.metadata.format).toBe('pt');
    const want = mistralShapes(config as Record<string, number>);
    expect([...st.tensors.keys()].sort()).toEqual([...want.keys()].sort());
    let bytes = 0;
    for (const [name, t] of st.tensors) {
      expect(t.dtype, name).toBe('F32');
      expect(t.shape, name).toEqual(want.get(name));
      expect(t.offsets[1] - t.offsets[0], name).toBe(t.shape.reduce((a, b) => a * b, 1) * 4);
      bytes += t.offsets[1] - t.offsets[0];
    }
    expect(bytes).toBe(st.dataBytes);
    const tokConfig = JSON.parse(new TextDecoder().decode(files.get('tokenizer_config.json'))) as Record<string, unknown>;
    const hf = new HfTokenizer(JSON.parse(new TextDecoder().decode(files.get('tokenizer.json'))) as object, tokConfig);
    const ids = hf.encode('Call me Ishmael.', { add_special_tokens: false }).ids;
    expect(ids.length).toBeGreaterThan(0);
    expect(Math.max(...ids)).toBeLessThan(config.vocab_size as number);
    expect(hf.decode(ids)).toBe('Call me Ishmael.');
    const state = JSON.parse(new TextDecoder().decode(files.get('trainer_state.json'))) as { step: number; datasetId: string };
    expect(state.step).toBe(stoppedAt);
    expect(await byTestId(page, 'checkpoint-message').innerText()).toMatch(/Exported leveret-tiny-step/);
  });

  it('offers the autosave after a reload, and resuming continues from the saved step', async () => {
    const page = s.page;
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
    const offer = byTestId(page, 'resume-offer');
    await offer.waitFor({ state: 'visible' });
    expect(await offer.innerText()).toMatch(new RegExp(`tiny model, step ${stoppedAt} of ${STEPS}`));
    await screenshot(page, 'journey-4-offer');
    await byTestId(page, 'resume-autosave').click();
    await waitForStep(page, stoppedAt + 1);
    const losses = await stepLosses(page);
    // The history came back with the autosave; the first new step is the one after it.
    expect(losses.has(stoppedAt)).toBe(true);
    expect(Math.min(...[...losses.keys()].filter((k) => k > stoppedAt))).toBe(stoppedAt + 1);
    await waitForStatus(page, new RegExp(`finished all ${STEPS} steps`));
    expect(await currentStep(page)).toBe(STEPS);
    expect(await byTestId(page, 'train-steps').inputValue()).toBe(String(STEPS));
    await screenshot(page, 'journey-5-resumed');
  });

  it('asked for nothing outside its own origin', () => {
    expect(s.requests.length).toBeGreaterThan(5);
    expect(foreignRequests(s)).toEqual([]);
    expect(s.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
