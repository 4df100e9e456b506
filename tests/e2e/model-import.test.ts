// Starting from a released model, as a new user would: a Llama folder (SmolLM-style: sharded BF16, tied
// embeddings, a byte-level tokenizer.json, a ChatML chat template) picked as a folder; the progress bar and
// the model card; the config following it; two steps of full fine-tuning on the default corpus prepared with
// the model's tokenizer; a chat reply streamed and stopped; and the export read back without the project's
// readers: LlamaForCausalLM, still tied, no lm_head.weight. A folder missing a shard is refused by file first.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, foreignRequests, openPage, openSession, screenshot, type Session } from './harness';
import { byTestId, downloadFrom, dropFile, setFields, SMALL_RUN, unlabelledControls, waitForStatus } from './page';
import { parseSafetensors, unzip } from './checkpoint-zip';
import { releasedFolder } from '../unit/checkpoint/hf-folder-fixture';
import { chatModelFolder } from './fixtures';

let s: Session;
let dir: string;
beforeAll(async () => {
  // A long context, so a reply can run long enough to be stopped by hand; everything else as the fixture.
  dir = await chatModelFolder('released-llama', 1024);
  s = await openSession();
  await openPage(s);
});
afterAll(async () => { await s?.close(); });

describe('starting from a released model in the page', () => {
  it('refuses a dropped folder that lacks a shard, naming the file', async () => {
    const page = s.page;
    const f = releasedFolder();
    const small = ['config.json', 'tokenizer.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors']
      .map((name) => ({ name, bytes: [...f.files.get(name)!] }));
    await byTestId(page, 'model-drop-zone').evaluate((zone, files) => {
      const dt = new DataTransfer();
      for (const file of files) dt.items.add(new File([new Uint8Array(file.bytes)], file.name));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, small);
    await page.waitForFunction(() => /Refused/.test(document.querySelector('[data-testid="model-status"]')?.textContent ?? ''), null, { timeout: 60_000 });
    expect(await byTestId(page, 'model-status').innerText())
      .toMatch(/^Refused model folder: model\.safetensors\.index\.json: names shard\(s\) the folder does not have: model-00002-of-00002\.safetensors$/);
    expect(await byTestId(page, 'model-card').isHidden()).toBe(true);
    expect(await byTestId(page, 'model-dim').isEnabled()).toBe(true); // nothing followed the refused folder
  });

  it('loads a picked folder with a progress bar and shows its card; config and tokenizer follow it', async () => {
    const page = s.page;
    await byTestId(page, 'model-folder-input').setInputFiles(dir);
    await byTestId(page, 'model-card').waitFor({ state: 'visible', timeout: 120_000 });
    const bar = byTestId(page, 'model-progress');
    expect(Number(await bar.getAttribute('value'))).toBe(1);
    expect(await bar.getAttribute('data-tensors')).toBe('20'); // 2 layers × 9, the embedding, the final norm: no head (tied)
    expect(await byTestId(page, 'model-status').innerText()).toBe('Loaded released-llama.');
    const card = await byTestId(page, 'model-card').innerText();
    expect(card).toMatch(/LlamaForCausalLM, tied embeddings/);
    expect(card).toMatch(/2 layers, width 32, 4 heads \(2 key\/value\), MLP 48, context 1024/);
    expect(card).toMatch(/stored as BF16/);
    expect(card).toMatch(/BPE, 267 tokens \(vocabulary 272\)/);
    expect(card).toMatch(/Chat template\s+tokenizer_config\.json/);
    expect(await byTestId(page, 'model-dim').isDisabled()).toBe(true);
    expect(await byTestId(page, 'model-dim').inputValue()).toBe('32');
    expect(await byTestId(page, 'model-locked-note').innerText()).toMatch(/Following released-llama\/config\.json \(LlamaForCausalLM, tied embeddings\)/);
    expect(await byTestId(page, 'tokenizer-kind').inputValue()).toBe('model');
    expect(await byTestId(page, 'tokenizer-kind').isDisabled()).toBe(true);
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'model-import-1-loaded');
  });

  it('chats with the imported weights: the reply streams in and Stop ends it', async () => {
    const page = s.page;
    await setFields(page, { 'chat-temperature': 0, 'chat-max-tokens': 900 });
    await byTestId(page, 'chat-input').fill('Call me Ishmael.');
    await byTestId(page, 'chat-send').click();
    const live = page.locator('[data-testid="chat-turn"][data-live="true"]');
    await page.waitForFunction(() => /assistant · ([3-9]|\d\d+) \/ 900 tokens/.test(
      document.querySelector('[data-testid="chat-turn"][data-live="true"] .chat-meta')?.textContent ?? ''), null, { timeout: 120_000 });
    expect(await byTestId(page, 'chat-send').isDisabled()).toBe(true);
    await byTestId(page, 'chat-stop').click();
    await live.waitFor({ state: 'detached', timeout: 60_000 });
    const reply = page.locator('[data-testid="chat-turn"][data-role="assistant"]').last();
    expect(await reply.locator('.chat-meta').innerText()).toMatch(/^assistant · stopped after \d+ tokens$/);
    expect(await page.locator('[data-testid="chat-turn"][data-role="user"]').first().innerText()).toMatch(/Call me Ishmael\./);
    expect(await byTestId(page, 'chat-send').isEnabled()).toBe(true);
    await page.locator('#chat-panel').screenshot({ path: artifact('model-import-2-chat-stopped.png') });
  });

  it('fine-tunes it two steps on the default corpus tokenized with its tokenizer.json, and exports a tied Llama', async () => {
    const page = s.page;
    await setFields(page, { ...SMALL_RUN, 'train-steps': 2, 'train-warmupSteps': 1, 'train-evalInterval': 0 });
    await byTestId(page, 'train-button').click();
    await waitForStatus(page, /finished all 2 steps/, 600_000);
    expect(await byTestId(page, 'prepare-status').innerText()).toMatch(/Prepared|Using/);
    // The run loaded the weights again from the files (the progress bar ran a second time, to the end).
    expect(Number(await byTestId(page, 'model-progress').getAttribute('value'))).toBe(1);
    await screenshot(page, 'model-import-3-trained');

    const zip = await downloadFrom(page, 'export-checkpoint');
    const files = unzip(new Uint8Array(zip.bytes));
    const config = JSON.parse(new TextDecoder().decode(files.get('config.json')!)) as Record<string, unknown>;
    expect(config.architectures).toEqual(['LlamaForCausalLM']);
    expect(config.model_type).toBe('llama');
    expect(config.tie_word_embeddings).toBe(true);
    expect(config.hidden_size).toBe(32);
    const weightsFile = files.get('model.safetensors')!;
    const header = parseSafetensors(weightsFile);
    const tensors = header.tensors;
    expect(tensors.has('lm_head.weight')).toBe(false);
    const embed = tensors.get('model.embed_tokens.weight')!;
    expect(embed.shape).toEqual([272, 32]);
    // Fine-tuned from the folder's weights, not from a seeded start: two AdamW steps at lr 0.003 move each value
    // by well under 0.01, while a fresh initialisation would differ from the folder's by about 0.09 on average.
    const start = weightsFile.length - header.dataBytes + embed.offsets[0];
    const exported = new Float32Array(weightsFile.slice(start, start + 272 * 32 * 4).buffer);
    const original = releasedFolder({ config: { max_position_embeddings: 1024 } }).weights.get('model.embed_tokens.weight')!;
    const meanDiff = exported.reduce((sum, v, i) => sum + Math.abs(v - original[i]), 0) / exported.length;
    expect(meanDiff).toBeLessThan(0.01);
    expect(JSON.parse(new TextDecoder().decode(files.get('tokenizer.json')!))).toMatchObject({ model: { type: 'BPE' } });
    expect(resolve(zip.path)).toMatch(/\.zip$/);
    expect(foreignRequests(s)).toEqual([]);
  });

  it("renders a dropped SFT file through the imported model's chat template, naming it on the card", async () => {
    const page = s.page;
    const chats = [0, 1, 2].map((i) => JSON.stringify({ messages: [{ role: 'user', content: `Question ${i}?` }, { role: 'assistant', content: `Answer ${i}.` }] })).join('\n');
    await dropFile(page, 'source-files-zone', { name: 'chats.jsonl', text: `${chats}\n` });
    const card = page.locator('[data-testid="source-row"][data-name="chats"]');
    await card.locator('[data-testid="layout-row"]').nth(2).waitFor({ timeout: 60_000 });
    expect(await card.locator('[data-testid="source-layout"]').inputValue()).toBe('sft');
    expect(await card.locator('[data-testid="layout-preview"] .hint').innerText())
      .toBe('The first 3 rows of chats.jsonl, as conversations through the chat template (released-llama/tokenizer_config.json):');
    // The fixture's template writes no BOS (ChatML's default would lead with it): the row is the model's.
    expect((await card.locator('[data-testid="layout-row"]').first().innerText()).trim())
      .toBe('<|im_start|>user\nQuestion 0?<|im_end|>\n<|im_start|>assistant\nAnswer 0.<|im_end|>');
  });
});
