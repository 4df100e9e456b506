// Checkpoints in the page: a run of N steps, exported, imported into a freshly loaded page and trained M more
// steps logs exactly the losses of N + M steps trained straight; and a corrupt or mismatched checkpoint is
// refused with a message that says what is wrong, leaving the current run as it was.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizerJSON } from '../../src/data/tokenizer/load-tokenizer-json';
import { tokenizerFingerprint } from '../../src/data/tokenizer/fingerprint';
import { rezip, unzip } from './checkpoint-zip';
import { mobyJsonl } from './fixtures';
import { artifact, foreignRequests, openPage, openSession, screenshot, type Session } from './harness';
import {
  byTestId, currentStep, downloadFrom, openDataSettings, prepare, removeAllSources, setFields, SMALL_RUN, stepLosses,
  uploadSources, waitForStatus, waitForStep,
} from './page';

const STEPS = 8;
let s: Session;
let straight = new Map<number, number>();
let exported: { name: string; bytes: Buffer; path: string };

beforeAll(async () => {
  s = await openSession();
  await openPage(s);
  await removeAllSources(s.page);
  await uploadSources(s.page, [mobyJsonl()]);
  await setFields(s.page, { ...SMALL_RUN, 'train-steps': STEPS, 'train-evalInterval': 0, 'sample-every': 0, 'autosave-interval': 0 });
  await openDataSettings(s.page);
  await setFields(s.page, { 'val-fraction': 0.2 });
  await prepare(s.page);
});
afterAll(async () => { await s?.close(); });

const json = (b: Uint8Array | undefined): Record<string, unknown> => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

/** Imports a zip through the file input and returns the message the Checkpoints panel shows for it. */
async function importZip(name: string, buffer: Buffer | Uint8Array): Promise<string> {
  const message = byTestId(s.page, 'checkpoint-message');
  await byTestId(s.page, 'import-checkpoint').setInputFiles({ name, mimeType: 'application/zip', buffer: Buffer.from(buffer) });
  await s.page.waitForFunction((n) => {
    const text = document.querySelector('[data-testid="checkpoint-message"]')?.textContent ?? '';
    return text !== '' && !text.startsWith(`Reading ${n}`);
  }, name, { timeout: 120_000 });
  return message.innerText();
}

describe('checkpoints in the page', () => {
  it('trains the reference run straight through', async () => {
    await byTestId(s.page, 'train-button').click();
    await waitForStatus(s.page, new RegExp(`finished all ${STEPS} steps`));
    straight = await stepLosses(s.page);
    expect([...straight.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect([...straight.values()].every(Number.isFinite)).toBe(true);
  });

  it('N steps, export, import in a reloaded page, M more steps: the same losses as N + M straight', async () => {
    const page = s.page;
    await byTestId(page, 'train-button').click();
    await waitForStep(page, 2);
    await byTestId(page, 'pause-button').click();
    await waitForStatus(page, /paused at step/);
    const n = await currentStep(page);
    expect(n).toBeLessThan(STEPS);
    const before = await stepLosses(page);
    for (let k = 1; k <= n; k++) expect(before.get(k), `step ${k} of the second run`).toBe(straight.get(k));
    exported = await downloadFrom(page, 'export-checkpoint');
    expect(exported.name).toBe(`leveret-tiny-step${n}.zip`);

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
    expect(await importZip(exported.name, exported.bytes)).toMatch(new RegExp(`Loaded ${exported.name}: .* at step ${n} of ${STEPS}`));
    expect(await currentStep(page)).toBe(n);
    expect(await byTestId(page, 'train-steps').inputValue()).toBe(String(STEPS));
    await byTestId(page, 'resume-button').click();
    await waitForStatus(page, new RegExp(`finished all ${STEPS} steps`));
    const after = await stepLosses(page);
    expect([...after.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    for (let k = 1; k <= STEPS; k++) expect(after.get(k), `step ${k} after the import`).toBe(straight.get(k));
    await screenshot(page, 'checkpoint-1-resumed');
  });

  it('refuses a corrupt or mismatched checkpoint, saying what is wrong, and keeps the current run', async () => {
    const files = unzip(exported.bytes);
    const config = json(files.get('config.json'));
    const state = json(files.get('trainer_state.json'));
    const tokenizer = json(files.get('tokenizer.json'));
    const model = tokenizer.model as { vocab: Record<string, number> };

    // A safetensors header whose length runs past the end of the file.
    const badHeader = new Uint8Array(files.get('model.safetensors') as Uint8Array);
    new DataView(badHeader.buffer).setBigUint64(0, BigInt(badHeader.length * 2), true);
    // The same weights under a config that claims a wider model (config.json and trainer state agree).
    const wider = { ...config, hidden_size: 128, head_dim: 32 };
    const widerState = { ...state, modelConfig: { ...(state.modelConfig as object), dim: 128 } };
    // Another tokenizer: two ids swapped, consistently recorded in the trainer state, so only the dataset disagrees.
    const otherVocab = { ...model.vocab, a: model.vocab.b, b: model.vocab.a };
    const otherTokenizer = { ...tokenizer, model: { ...model, vocab: otherVocab } };
    const otherState = { ...state, tokenizerFingerprint: tokenizerFingerprint(loadTokenizerJSON(otherTokenizer)) };

    const cases: [string, Uint8Array, RegExp][] = [
      ['not-a-zip.zip', new TextEncoder().encode('this is not a zip archive'), /not-a-zip\.zip: is not a zip archive/],
      ['truncated.zip', exported.bytes.subarray(0, Math.floor(exported.bytes.length / 2)), /truncated\.zip: is not a zip archive/],
      ['bad-header.zip', rezip(files, { 'model.safetensors': badHeader }), /model\.safetensors/],
      ['wrong-shapes.zip', rezip(files, { 'config.json': JSON.stringify(wider), 'trainer_state.json': JSON.stringify(widerState) }),
        /model\.safetensors: model\.embed_tokens\.weight has shape \[512, 64\], the config needs \[512, 128\]/],
      ['edited-tokenizer.zip', rezip(files, { 'tokenizer.json': JSON.stringify(otherTokenizer) }),
        /tokenizer\.json: is not the tokenizer trainer_state\.json was trained with/],
      ['other-tokenizer.zip', rezip(files, { 'tokenizer.json': JSON.stringify(otherTokenizer), 'trainer_state.json': JSON.stringify(otherState) }),
        /tokenizer\.json: this checkpoint was trained with another tokenizer/],
      ['other-dataset.zip', rezip(files, { 'trainer_state.json': JSON.stringify({ ...state, datasetId: 'ds-0000000000000000' }) }),
        /dataset "ds-0000000000000000" is not in this browser's storage/],
    ];
    const seen: string[] = [];
    for (const [name, bytes, expected] of cases) {
      const message = await importZip(name, bytes);
      seen.push(`${name}\n  ${message}`);
      expect(message, name).toMatch(new RegExp(`^Refused ${name.replace('.', '\\.')}: `));
      expect(message, name).toMatch(expected);
      expect(await byTestId(s.page, 'checkpoint-message').getAttribute('role'), name).toBe('alert');
      await byTestId(s.page, 'checkpoint-message').evaluate((el) => { el.textContent = ''; });
    }
    writeFileSync(artifact('checkpoint-refusals.txt'), `${seen.join('\n')}\n`);
    // The run imported before is still there, finished, and can still be exported.
    expect(await currentStep(s.page)).toBe(STEPS);
    expect(await byTestId(s.page, 'export-checkpoint').isEnabled()).toBe(true);
    await importZip('wrong-shapes.zip', cases[3][1]);
    expect(await byTestId(s.page, 'resume-offer').isHidden()).toBe(true);
    await screenshot(s.page, 'checkpoint-2-refused');
  });

  it('asked for nothing outside its own origin', () => {
    expect(foreignRequests(s)).toEqual([]);
  });
});
