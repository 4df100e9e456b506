// Without WebGPU the page says so in a banner and trains anyway, on the tfjs reference model (WebGL or CPU),
// in the same worker and with the same controls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobyJsonl } from './fixtures';
import { foreignRequests, openPage, openSession, screenshot, type Session } from './harness';
import { byTestId, currentStep, openDataSettings, prepare, removeAllSources, setFields, SMALL_RUN, stepLosses, uploadSources, waitForStatus } from './page';

let s: Session;
beforeAll(async () => { s = await openSession({ webgpu: false }); });
afterAll(async () => { await s?.close(); });

describe('a browser without WebGPU', () => {
  it('shows a banner and the tfjs fallback instead of an adapter', async () => {
    await openPage(s);
    const banner = byTestId(s.page, 'no-webgpu-banner');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.innerText()).toMatch(/No WebGPU here\. .*falls back to the tfjs reference model/);
    expect(await byTestId(s.page, 'adapter-name').getAttribute('data-kind')).toBe('tfjs');
    expect(await byTestId(s.page, 'memory-estimate').innerText()).toMatch(/parameters/);
  });

  it('trains a few steps on tfjs', async () => {
    const page = s.page;
    await removeAllSources(page);
    await uploadSources(page, [mobyJsonl()]);
    // A warmup of 1 in a 3-step run: the form refuses one as long as the run (the learning rate would never peak).
    await setFields(page, { ...SMALL_RUN, 'train-warmupSteps': 1, 'train-steps': 3, 'train-evalInterval': 3, 'sample-every': 0, 'autosave-interval': 0 });
    await openDataSettings(page);
    await setFields(page, { 'val-fraction': 0.2 });
    await prepare(page);
    await byTestId(page, 'train-button').click();
    await waitForStatus(page, /finished all 3 steps/);
    expect(await currentStep(page)).toBe(3);
    expect(await byTestId(page, 'run-backend').innerText()).toMatch(/tfjs reference model \((webgl|cpu) backend\)/);
    const losses = await stepLosses(page);
    expect(losses.size).toBe(3);
    expect(losses.get(1)).toBeGreaterThan(5.5); // about ln(512) at initialisation
    expect(await byTestId(page, 'val-loss-value').innerText()).toMatch(/^\d+\.\d{4}$/);
    await screenshot(page, 'no-webgpu-trained');
  });

  it('asked for nothing outside its own origin', () => {
    expect(foreignRequests(s)).toEqual([]);
  });
});
