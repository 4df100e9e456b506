// Supervised fine-tuning from Node, end to end on SwiftShader: a released-looking Llama folder (sharded BF16,
// byte-level BPE with <|im_start|>/<|im_end|> as added tokens) whose tokenizer_config.json holds a ChatML chat
// template; `npm run data -- --source chats.jsonl:chat:1:sft --tokenizer DIR/tokenizer.json` renders the
// conversations with it (the bad row reported by file and line, masked and learned tokens counted), and
// `npm run train -- --init-from DIR --data OUT` lowers the loss on the learned tokens; `--data chats.jsonl`
// with --init-from prepares them as SFT data on the spot with the folder's template.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as runPrepare } from '../../src/cli/prepare';
import { run as runTrain } from '../../src/cli/train';
import type { DatasetManifest } from '../../src/data/pack/manifest';
import type { PipelineReport } from '../../src/data/report';
import { releasedFolder, writeFixture } from '../unit/checkpoint/hf-folder-fixture';

const CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
let dir: string, model: string, chats: string, out: string;

async function captured(argv: string[], run: (a: string[]) => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const keep = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  const spies = [vi.spyOn(console, 'log').mockImplementation(keep), vi.spyOn(console, 'error').mockImplementation(keep)];
  try { return { code: await run(argv), out: lines.join('\n') }; } finally { for (const s of spies) s.mockRestore(); }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leveret-sft-cli-'));
  model = join(dir, 'SmolLM-tiny-instruct');
  const fixture = releasedFolder();
  fixture.files.set('tokenizer_config.json', new TextEncoder().encode(JSON.stringify({
    bos_token: '<|im_start|>', eos_token: '<|im_end|>', model_max_length: 64, chat_template: CHATML })));
  await writeFixture(model, fixture);
  chats = join(dir, 'chats.jsonl');
  // Short conversations whose answers repeat, so a few steps learn them; line 5 has no assistant text.
  const rows = Array.from({ length: 40 }, (_, i) => JSON.stringify({ messages: [
    { role: 'user', content: `hare ${i}?` }, { role: 'assistant', content: 'the hare ran' }] }));
  rows.splice(4, 0, JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: '  ' }] }));
  writeFileSync(chats, rows.join('\n') + '\n');
  out = join(dir, 'sft-data');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SFT from the command line', () => {
  it('npm run data renders the chats with the folder\'s template and reports the bad row and the token counts', async () => {
    const r = await captured(['--source', `${chats}:chat:1:sft`, '--tokenizer', join(model, 'tokenizer.json'), '--out', out,
      '--seq-len', '63', '--val', '0.05', '--workers', '0'], runPrepare);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/SFT sources \(template: .*tokenizer_config\.json; prose rules off/);
    expect(r.out).toMatch(/chats\.jsonl:5: messages: no assistant turn with text/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as PipelineReport;
    const s = report.sft!.sources[0];
    expect(s).toMatchObject({ rows: 41, examples: 40, skipped: 1, tooLong: 0, duplicates: 0 });
    expect(report.sft!.problems[0]).toMatchObject({ file: 'chats.jsonl', line: 5 });
    const manifest = JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')) as DatasetManifest;
    expect(manifest.segments).toBe(true);
    expect(manifest.packLength).toBe(64);
    expect(s.learnedTokens + s.maskedTokens + s.padTokens).toBe(report.mixture[0].tokens);
    console.log(`sft data: ${s.examples} examples, ${s.learnedTokens} learned, ${s.maskedTokens} masked, ${s.padTokens} padding tokens`);
  }, 600_000);

  it('npm run train --init-from the folder lowers the loss on the learned tokens', async () => {
    const r = await captured(['--init-from', model, '--data', out, '--steps', '16', '--batch', '2', '--seq-len', '63', '--accum', '1',
      '--lr', '3e-3', '--warmup', '0', '--eval-interval', '0', '--swiftshader'], runTrain);
    expect(r.code, r.out).toBe(0);
    const losses = [...r.out.matchAll(/step +\d+ +loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBe(16);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    console.log(`sft train: loss ${losses[0]} -> ${losses[losses.length - 1]}`);
    expect(mean(losses.slice(-4))).toBeLessThan(0.6 * mean(losses.slice(0, 4)));
  }, 600_000);

  it('npm run train --init-from --data chats.jsonl prepares the conversations as SFT data on the spot, with the folder\'s template', async () => {
    const r = await captured(['--init-from', model, '--data', chats, '--steps', '3', '--batch', '2', '--seq-len', '63', '--accum', '1',
      '--warmup', '0', '--eval-interval', '0', '--swiftshader'], runTrain);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/SFT conversations, chat template: .*SmolLM-tiny-instruct[\\/]tokenizer_config\.json/);
    expect(r.out).toMatch(/data: 40 examples of 41 rows \(1 bad, 0 too long, 0 duplicates\); 480 learned and 990 masked tokens/);
    expect(r.out).toMatch(/chats\.jsonl:5: messages: no assistant turn with text/);
    expect([...r.out.matchAll(/step +\d+ +loss (\d+\.\d+)/g)]).toHaveLength(3);
  }, 600_000);

  it('train refuses conversations without the model\'s tokenizer (a BPE trained here), before any work', async () => {
    const r = await captured(['--preset', 'tiny', '--data', chats, '--steps', '1', '--swiftshader'], runTrain);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/conversations \(SFT rows\) need the model's own tokenizer: train with --init-from DIR/);
  }, 600_000);

  it('train refuses a window shorter than the SFT rows before loading anything', async () => {
    const r = await captured(['--init-from', model, '--data', out, '--steps', '1', '--seq-len', '32', '--swiftshader'], runTrain);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/SFT examples packed whole into rows of 64 tokens: pass --seq-len 63/);
  }, 600_000);
});
