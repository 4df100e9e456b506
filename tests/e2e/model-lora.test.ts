// A LoRA adapter on a released model, from the page: the released-looking Llama folder (sharded BF16, tied,
// ChatML template) picked as a folder, a bad rank refused naming the field, rank 4 alpha 8 on q,v trained two
// steps with the base frozen, the card saying the chat copy was freed, one chat reply through base + adapter,
// and both downloads read back without the project's readers: the PEFT adapter (adapter_config.json, PEFT's
// tensor names and shapes) and the merged plain folder (LlamaForCausalLM, tied, the chat template kept).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, foreignRequests, openPage, openSession, screenshot, type Session } from './harness';
import { byTestId, downloadFrom, setFields, SMALL_RUN, stepLosses, unlabelledControls, waitForStatus } from './page';
import { parseSafetensors, unzip } from './checkpoint-zip';
import { CHATML, chatModelFolder } from './fixtures';

let s: Session;
let dir: string;
/** The adapter zip as downloaded, imported again at the end. */
let adapterZip = '';
beforeAll(async () => {
  dir = await chatModelFolder('released-llama-lora');
  s = await openSession();
  await openPage(s);
});
afterAll(async () => { await s?.close(); });

const json = (b: Uint8Array | undefined): Record<string, unknown> => JSON.parse(new TextDecoder().decode(b!)) as Record<string, unknown>;

describe('a LoRA adapter on an imported model, in the page', () => {
  it('offers LoRA fields with the model, refusing a bad rank by name', async () => {
    const page = s.page;
    expect(await byTestId(page, 'lora-fields').isHidden()).toBe(true); // nothing to adapt before an import
    await byTestId(page, 'model-folder-input').setInputFiles(dir);
    await byTestId(page, 'model-card').waitFor({ state: 'visible', timeout: 120_000 });
    await byTestId(page, 'lora-on').check();
    await setFields(page, { 'lora-rank': 0 });
    expect(await byTestId(page, 'lora-error').innerText()).toBe('LoRA rank must be a whole number from 1 to 32.');
    expect(await byTestId(page, 'train-button').isDisabled()).toBe(true);
    await setFields(page, { 'lora-rank': 4, 'lora-alpha': 8 });
    expect(await byTestId(page, 'lora-error').isHidden()).toBe(true);
    expect(await byTestId(page, 'lora-target-q').isChecked()).toBe(true);
    expect(await byTestId(page, 'lora-target-v').isChecked()).toBe(true);
    expect(await byTestId(page, 'lora-target-k').isChecked()).toBe(false);
    expect(await unlabelledControls(page)).toEqual([]);
    await page.locator('#model-import-panel').screenshot({ path: artifact('model-lora-1-fields.png') });
  });

  it('trains rank 4 on q,v two steps, frees the chat copy, and chats through base + adapter', async () => {
    const page = s.page;
    await setFields(page, { ...SMALL_RUN, 'train-steps': 2, 'train-warmupSteps': 1, 'train-evalInterval': 0 });
    await byTestId(page, 'train-button').click();
    await waitForStatus(page, /finished all 2 steps/, 600_000);
    const losses = await stepLosses(page);
    expect(Number.isFinite(losses.get(2))).toBe(true);
    expect(await byTestId(page, 'model-card').innerText()).toMatch(/On the GPU\s+no longer: freed for the run/);
    expect(await byTestId(page, 'export-checkpoint').innerText()).toBe('Download adapter (.zip)');

    await setFields(page, { 'chat-temperature': 0, 'chat-max-tokens': 4 });
    await byTestId(page, 'chat-input').fill('Hi');
    await byTestId(page, 'chat-send').click();
    const reply = page.locator('[data-testid="chat-turn"][data-role="assistant"]').last();
    await page.locator('[data-testid="chat-turn"][data-live="true"]').waitFor({ state: 'detached', timeout: 120_000 });
    expect(await reply.locator('.chat-meta').innerText()).toBe('assistant');
    await screenshot(page, 'model-lora-2-trained-chat');
  });

  it('downloads the PEFT adapter: LORA, r 4, alpha 8 on q_proj,v_proj, PEFT names and shapes', async () => {
    const zip = await downloadFrom(s.page, 'export-checkpoint');
    adapterZip = zip.path;
    expect(zip.name).toBe('released-llama-lora-lora-r4-step2.zip'); // named after the base, not a preset
    const files = unzip(new Uint8Array(zip.bytes));
    expect([...files.keys()].sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'optimizer.safetensors', 'trainer_state.json']);
    const config = json(files.get('adapter_config.json'));
    expect(config).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['q_proj', 'v_proj'], base_model_name_or_path: 'released-llama-lora' });
    const tensors = parseSafetensors(files.get('adapter_model.safetensors')!).tensors;
    // 2 layers x 2 targets x (A, B); q: 32 -> 4 heads x 8, v: 32 -> 2 key/value heads x 8.
    expect(tensors.size).toBe(8);
    const m = 'base_model.model.model.layers.0.self_attn';
    expect(tensors.get(`${m}.q_proj.lora_A.weight`)!.shape).toEqual([4, 32]);
    expect(tensors.get(`${m}.q_proj.lora_B.weight`)!.shape).toEqual([32, 4]);
    expect(tensors.get(`${m}.v_proj.lora_A.weight`)!.shape).toEqual([4, 32]);
    expect(tensors.get(`${m}.v_proj.lora_B.weight`)!.shape).toEqual([16, 4]);
    expect(json(files.get('trainer_state.json'))).toMatchObject({ step: 2 });
  });

  it('downloads the merged model: a plain tied Llama folder keeping the chat template', async () => {
    const zip = await downloadFrom(s.page, 'export-merged');
    expect(zip.name).toBe('released-llama-lora-lora-merged-step2.zip');
    const files = unzip(new Uint8Array(zip.bytes));
    expect([...files.keys()].sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const config = json(files.get('config.json'));
    expect(config).toMatchObject({ architectures: ['LlamaForCausalLM'], model_type: 'llama', tie_word_embeddings: true, hidden_size: 32 });
    const tensors = parseSafetensors(files.get('model.safetensors')!).tensors;
    expect(tensors.has('lm_head.weight')).toBe(false);
    expect([...tensors.keys()].some((n) => n.includes('lora'))).toBe(false);
    expect(json(files.get('tokenizer_config.json'))).toMatchObject({ chat_template: CHATML, bos_token: '<|endoftext|>', eos_token: '<|im_end|>' });
    await screenshot(s.page, 'model-lora-3-downloads');
    expect(foreignRequests(s)).toEqual([]);
  });

  it('imports the adapter zip again: it resumes on the held base at its step', async () => {
    const page = s.page;
    await byTestId(page, 'import-checkpoint').setInputFiles(adapterZip);
    await page.waitForFunction(() => /^Loaded /.test(document.querySelector('[data-testid="checkpoint-message"]')?.textContent ?? ''), null, { timeout: 120_000 });
    expect(await byTestId(page, 'checkpoint-message').innerText()).toMatch(/at step 2 of 2\./);
    expect(await byTestId(page, 'export-checkpoint').innerText()).toBe('Download adapter (.zip)');
    expect(await byTestId(page, 'export-merged').isVisible()).toBe(true);
  });
});
