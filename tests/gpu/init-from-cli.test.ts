// `npm run train -- --init-from DIR` end to end on SwiftShader: a released-looking folder (sharded BF16 tied
// Llama) and a text file prepared on the spot with the folder's tokenizer; the loss falls, and --save writes
// a tied Llama folder with the same tokenizer that opens again as one and resumes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as runEval } from '../../src/cli/eval';
import { run as runTrain } from '../../src/cli/train';
import { openCheckpointDir } from '../../src/train/checkpoint/dir.node';
import { openHFFolder } from '../../src/train/checkpoint/hf-folder';
import { bytesSource } from '../../src/train/checkpoint/byte-source';
import { parseF32Safetensors, plainConfig, plainLogits, plainLosses } from './plain-forward';
import { releasedFolder, writeFixture } from '../unit/checkpoint/hf-folder-fixture';

let dir: string, model: string, text: string;
const fixture = releasedFolder();
const CHAT_TEMPLATE = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}";
const paragraphs = Array.from({ length: 80 }, (_, i) => `The hare ran in and out of the garden ${i} times, and then the hare ran on to the gate.`);

async function captured(argv: string[], run = runTrain): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const keep = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  const spies = [vi.spyOn(console, 'log').mockImplementation(keep), vi.spyOn(console, 'error').mockImplementation(keep)];
  try { return { code: await run(argv), out: lines.join('\n') }; } finally { for (const s of spies) s.mockRestore(); }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leveret-init-cli-'));
  model = join(dir, 'SmolLM-tiny');
  await writeFixture(model, fixture);
  // A chat model's tokenizer_config.json: a full fine-tune must save its template back.
  writeFileSync(join(model, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<|endoftext|>', eos_token: '<|im_end|>', chat_template: CHAT_TEMPLATE }));
  text = join(dir, 'hares.txt');
  writeFileSync(text, paragraphs.join('\n\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run eval on a released folder', () => {
  it('gives the loss a plain-JS forward of the folder\'s weights gives, document by document', async () => {
    const r = await captured(['--checkpoint', model, '--data', text, '--batch', '4', '--swiftshader'], runEval);
    expect(r.code, r.out).toBe(0);
    const got = Number(/loss: (\d+\.\d+)/.exec(r.out)![1]);
    const folder = await openHFFolder(new Map([...fixture.files].map(([n, b]) => [n, bytesSource(b)])), 'fixture');
    const pc = plainConfig(fixture.config);
    let sum = 0, count = 0;
    for (const p of paragraphs) {
      const ids = [folder.bosId, ...folder.tokenizer.encode(p)].slice(0, folder.config.contextLength); // eval truncates to the context
      for (const l of plainLosses(plainLogits(pc, (n) => fixture.weights.get(n)!, ids), ids)) { sum += l; count++; }
    }
    console.log(`eval on the released folder: ${got} (plain JS ${(sum / count).toFixed(6)} over ${count} tokens)`);
    expect(Math.abs(got - sum / count)).toBeLessThan(1e-5);
  }, 600_000);
});

describe('npm run train --init-from', () => {
  it('continues training a released folder and saves the same family, tied', async () => {
    const save = join(dir, 'continued');
    const r = await captured(['--init-from', model, '--data', text, '--steps', '8', '--batch', '2', '--seq-len', '32', '--accum', '1',
      '--lr', '3e-3', '--warmup', '0', '--eval-interval', '0', '--swiftshader', '--save', save]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(new RegExp(`loading ${model}: 100% \\(.* of .*, 20/20 tensors\\)`));
    const losses = [...r.out.matchAll(/step +\d+ +loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
    console.log(`--init-from losses: ${losses.join(' ')}`);
    expect(losses).toHaveLength(8);
    expect(losses[7]).toBeLessThan(losses[0] - 0.1);

    const config = JSON.parse(readFileSync(join(save, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ architectures: ['LlamaForCausalLM'], model_type: 'llama', tie_word_embeddings: true, vocab_size: 272 });
    expect(parseF32Safetensors(readFileSync(join(save, 'model.safetensors'))).has('lm_head.weight')).toBe(false);
    const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
    expect(json(join(save, 'tokenizer.json'))).toEqual(json(join(model, 'tokenizer.json')));
    expect(json(join(save, 'tokenizer_config.json'))).toMatchObject({ chat_template: CHAT_TEMPLATE, eos_token: '<|im_end|>', bos_token: '<|endoftext|>' });
    const opened = await openCheckpointDir(save);
    try {
      const again = await openHFFolder(opened.files, save);
      expect(again.config).toMatchObject({ architecture: 'llama', tieWordEmbeddings: true });
    } finally { await opened.close(); }

    // The saved run resumes as any other: same folder as the model, the checkpoint for weights, moments and step.
    const more = await captured(['--init-from', model, '--resume', save, '--data', text, '--steps', '10', '--batch', '2', '--seq-len', '32',
      '--accum', '1', '--lr', '3e-3', '--warmup', '0', '--eval-interval', '0', '--swiftshader']);
    expect(more.code, more.out).toBe(0);
    expect(more.out).toContain(`resumed ${save} at step 8`);
    expect(more.out).not.toContain('loading ');
    expect([...more.out.matchAll(/step +(\d+) +loss/g)].map((m) => Number(m[1]))).toEqual([9, 10]);
  }, 600_000);
});
