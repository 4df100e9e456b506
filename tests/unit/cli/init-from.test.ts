// `npm run train -- --init-from DIR` refuses, before any work, what cannot start from the folder: every
// refusal names the option, the folder and the file. (The GPU run itself: tests/gpu/init-from-cli.test.ts.)
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as runData } from '../../../src/cli/prepare';
import { validateTrainRun } from '../../../src/cli/train';
import { releasedConfig, releasedFolder, writeFixture } from '../checkpoint/hf-folder-fixture';

let dir: string, model: string, text: string, ours: string, other: string;

async function quiet<T>(f: () => Promise<T>): Promise<T> {
  const spies = [vi.spyOn(console, 'log').mockImplementation(() => {}), vi.spyOn(console, 'error').mockImplementation(() => {}),
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
  try { return await f(); } finally { for (const s of spies) s.mockRestore(); }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leveret-init-from-'));
  model = join(dir, 'SmolLM-tiny');
  await writeFixture(model, releasedFolder());
  text = join(dir, 'notes.txt');
  writeFileSync(text, Array.from({ length: 40 }, (_, i) => `Note ${i}: the hare ran past the ${i} turnips and then the gate.`).join('\n\n'));
  ours = join(dir, 'prepared-ours');
  other = join(dir, 'prepared-other');
  const prep = (out: string, tokenizer: string) =>
    quiet(() => runData(['--source', `${text}:notes:1`, '--out', out, '--tokenizer', tokenizer, '--seq-len', '32', '--val', '0.1']));
  expect(await prep(ours, join(model, 'tokenizer.json'))).toBe(0);
  expect(await prep(other, 'bpe:300')).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const args = (from: string, extra: string[] = []) => ['--init-from', from, '--data', ours, '--steps', '2', '--seq-len', '32', ...extra];

describe('--init-from', () => {
  it('takes the model, context and tokenizer from the folder', async () => {
    const { args: a, inputs } = await validateTrainRun(args(model));
    expect(a.base).toMatchObject({ architecture: 'llama', tieWordEmbeddings: true, vocabSize: 272, contextLength: 64 });
    expect(inputs.tokenizer.kind).toBe('json');
    expect(inputs.dataset?.tokenizer.vocabSize).toBe(267);
    await a.initFrom?.close();
  });

  it('refuses --preset alongside it, and a sequence longer than the folder\'s context', async () => {
    await expect(validateTrainRun(args(model, ['--preset', 'tiny']))).rejects.toThrow('--preset and --init-from exclude each other');
    await expect(validateTrainRun(args(model, ['--seq-len', '128']))).rejects.toThrow(`--seq-len 128: longer than ${model}'s context of 64 tokens`);
  });

  it('refuses data prepared with another tokenizer, saying what differs', async () => {
    const refused = validateTrainRun(['--init-from', model, '--data', other, '--seq-len', '32']);
    await expect(refused).rejects.toThrow(`--data ${other}: prepared with another tokenizer than --init-from ${model}/tokenizer.json (data vs model: vocabulary of `);
    await expect(refused).rejects.toThrow(/ vs 267 tokens; BOS id 1 vs 0; EOS id 2 vs 0; token 0 is "<unk>" vs "<\|endoftext\|>"/);
  });

  it.each([
    ['a feature the engine lacks', (d: string) => writeFileSync(join(d, 'config.json'), JSON.stringify(releasedConfig({ config: { rope_scaling: { rope_type: 'llama3', factor: 8 } } }))),
      'config.json: rope_scaling: is set'],
    ['a missing shard', (d: string) => unlinkSync(join(d, 'model-00002-of-00002.safetensors')),
      'model.safetensors.index.json: names shard(s) the folder does not have: model-00002-of-00002.safetensors'],
    ['a folder with no weights', (d: string) => unlinkSync(join(d, 'model.safetensors.index.json')), 'model.safetensors: is missing from'],
  ])('refuses %s, naming the folder and the file', async (name, breakIt, message) => {
    const d = join(dir, name.replace(/ /g, '-'));
    await writeFixture(d, releasedFolder());
    breakIt(d);
    await expect(validateTrainRun(args(d))).rejects.toThrow(`--init-from ${d}: `);
    await expect(validateTrainRun(args(d))).rejects.toThrow(message);
  });

  it('refuses a folder that does not exist', async () => {
    await expect(validateTrainRun(args(join(dir, 'nowhere')))).rejects.toThrow(`--init-from ${join(dir, 'nowhere')}: `);
  });
});
