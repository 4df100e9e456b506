// The Export section's other formats after a tiny run in the page: the GGUF download parsed by
// @huggingface/gguf (an independent reader: magic and version, llama keys, tensor names, the f16 type and the
// file's size), and the cluster zip (one .bin/.idx per source, data-path.txt, README.md) with its .idx header
// read from Megatron-LM's layout by hand.
import { gguf } from '@huggingface/gguf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzip } from './checkpoint-zip';
import { mobyJsonl } from './fixtures';
import { openPage, openSession, screenshot, type Session } from './harness';
import { byTestId, downloadFrom, prepare, removeAllSources, setFields, SMALL_RUN, uploadSources, waitForStatus } from './page';

const STEPS = 3;
let s: Session;

beforeAll(async () => {
  s = await openSession();
  await openPage(s);
  await removeAllSources(s.page);
  await uploadSources(s.page, [mobyJsonl()]);
  await setFields(s.page, { ...SMALL_RUN, 'train-steps': STEPS, 'train-warmupSteps': 1, 'train-evalInterval': 0, 'sample-every': 0, 'autosave-interval': 0 });
  await prepare(s.page);
});
afterAll(async () => { await s?.close(); });

describe('GGUF and cluster exports in the page', () => {
  it('says why each export is off before there is a run', async () => {
    await expect.poll(() => byTestId(s.page, 'gguf-blocked-reason').innerText()).toMatch(/Train, or import a checkpoint/);
    expect(await byTestId(s.page, 'export-gguf').isDisabled()).toBe(true);
    expect(await byTestId(s.page, 'export-cluster').isDisabled()).toBe(false); // the data is prepared
  });

  it('downloads an f16 GGUF of the trained run that @huggingface/gguf reads', async () => {
    await byTestId(s.page, 'train-button').click();
    await waitForStatus(s.page, new RegExp(`finished all ${STEPS} steps`));
    await byTestId(s.page, 'gguf-dtype').selectOption('f16');
    const file = await downloadFrom(s.page, 'export-gguf');
    expect(file.name).toBe(`leveret-tiny-step${STEPS}-f16.gguf`);
    expect(file.bytes.readUInt32LE(0)).toBe(0x46554747); // "GGUF"
    expect(file.bytes.readUInt32LE(4)).toBe(3);
    const parsed = await gguf(file.path, { allowLocalFile: true });
    const m = parsed.metadata as Record<string, unknown>;
    expect(m['general.architecture']).toBe('llama');
    expect(m['general.file_type']).toBe(1); // MOSTLY_F16
    expect(typeof m['llama.block_count']).toBe('number');
    expect(Array.isArray(m['tokenizer.ggml.tokens'])).toBe(true);
    const names = parsed.tensorInfos.map((t) => t.name);
    expect(names).toContain('token_embd.weight');
    expect(names).toContain('blk.0.attn_q.weight');
    expect(names).toContain('output_norm.weight');
    // Linear weights in f16 (ggml type 1), norms kept f32 (0).
    expect(parsed.tensorInfos.find((t) => t.name === 'blk.0.attn_q.weight')?.dtype).toBe(1);
    expect(parsed.tensorInfos.find((t) => t.name === 'output_norm.weight')?.dtype).toBe(0);
    await expect.poll(() => byTestId(s.page, 'export-formats-message').innerText()).toMatch(/Exported .*\.gguf .* f16/);
  });

  it('downloads the prepared mixture as Megatron-LM data in a zip', async () => {
    const file = await downloadFrom(s.page, 'export-cluster');
    expect(file.name).toMatch(/-megatron\.zip$/);
    const files = unzip(new Uint8Array(file.bytes));
    const names = [...files.keys()].sort();
    const prefixes = names.filter((n) => n.endsWith('.idx')).map((n) => n.slice(0, -4));
    expect(prefixes.length).toBeGreaterThan(0);
    for (const p of prefixes) expect(names).toContain(`${p}.bin`);
    expect(names).toContain('data-path.txt');
    expect(names).toContain('README.md');
    const dataPath = new TextDecoder().decode(files.get('data-path.txt'));
    for (const p of prefixes) expect(dataPath).toContain(p);

    const idx = files.get(`${prefixes[0]}.idx`)!;
    const v = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
    expect(new TextDecoder().decode(idx.subarray(0, 9))).toBe('MMIDIDX\0\0');
    expect(Number(v.getBigUint64(9, true))).toBe(1); // version
    expect(v.getUint8(17)).toBe(8); // uint16 tokens: a vocabulary under 65500
    const sequences = Number(v.getBigUint64(18, true));
    expect(sequences).toBeGreaterThan(0);
    expect(Number(v.getBigUint64(26, true))).toBe(sequences + 1); // one document per sequence
    // The .bin holds every sequence's tokens, 2 bytes each: the lengths in the index add up to it.
    let tokens = 0;
    for (let i = 0; i < sequences; i++) tokens += v.getInt32(34 + 4 * i, true);
    expect(files.get(`${prefixes[0]}.bin`)!.length).toBe(tokens * 2);
    await expect.poll(() => byTestId(s.page, 'export-formats-message').innerText()).toMatch(/Exported .*-megatron\.zip/);
    await byTestId(s.page, 'export-cluster').scrollIntoViewIfNeeded();
    await screenshot(s.page, 'export-formats-1-done');
  });
});
