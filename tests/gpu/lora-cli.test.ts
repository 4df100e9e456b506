// LoRA through the commands, on SwiftShader with a released-looking folder (tied BF16 Llama): npm run train
// --init-from BASE --lora writes a PEFT adapter folder, --resume continues it exactly (2 + 2 steps give the
// bits 4 steps give), npm run eval --adapter scores base + adapter, and npm run export --merge writes a plain
// folder whose loss under the independent plain-JS forward (tests/gpu/plain-forward.ts) is eval's.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as runEval } from '../../src/cli/eval';
import { run as runExport } from '../../src/cli/export';
import { run as runTrain } from '../../src/cli/train';
import { openHFFolder } from '../../src/train/checkpoint/hf-folder';
import { bytesSource } from '../../src/train/checkpoint/byte-source';
import { parseF32Safetensors, plainConfig, plainLogits, plainLosses } from './plain-forward';
import { releasedFolder, writeFixture } from '../unit/checkpoint/hf-folder-fixture';

let dir: string, model: string, text: string;
const fixture = releasedFolder();
const paragraphs = Array.from({ length: 24 }, (_, i) => `The hare ran in and out of the garden ${i} times, and then the hare ran on to the gate.`);

async function captured(argv: string[], run = runTrain): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const keep = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  const spies = [vi.spyOn(console, 'log').mockImplementation(keep), vi.spyOn(console, 'error').mockImplementation(keep)];
  try { return { code: await run(argv), out: lines.join('\n') }; } finally { for (const s of spies) s.mockRestore(); }
}

const trainArgs = (steps: number) => ['--init-from', model, '--data', text, '--steps', String(steps), '--batch', '2', '--seq-len', '32',
  '--accum', '1', '--lr', '1e-2', '--warmup', '0', '--min-lr-ratio', '1', '--eval-interval', '0', '--swiftshader', '--lora', '4', '--lora-alpha', '8',
  '--lora-targets', 'q,v,o,down'];
// A Uint8Array copy: a Buffer's slice() is a view of the whole file, which parseF32Safetensors would read past.
const tensorsOf = (path: string) => parseF32Safetensors(new Uint8Array(readFileSync(path)));
const evalLoss = (out: string) => Number(/loss: (\d+\.\d+)/.exec(out)![1]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leveret-lora-cli-'));
  model = join(dir, 'base');
  await writeFixture(model, fixture);
  text = join(dir, 'hares.txt');
  writeFileSync(text, paragraphs.join('\n\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LoRA from the command line', () => {
  it('trains, resumes exactly, evaluates base + adapter, and merges into a plain folder the plain forward agrees with', async () => {
    const four = join(dir, 'four'), two = join(dir, 'two');
    const r = await captured([...trainArgs(4), '--save', four]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/LoRA r 4, alpha 8 on q_proj, v_proj, o_proj, down_proj: 0\.\d+M trained/);
    const losses = [...r.out.matchAll(/step +\d+ +loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
    console.log(`LoRA losses: ${losses.join(' ')}`);
    expect(losses[3]).toBeLessThan(losses[0]);
    expect(readdirSync(four).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'optimizer.safetensors', 'run.json', 'trainer_state.json']);
    const cfg = JSON.parse(readFileSync(join(four, 'adapter_config.json'), 'utf8'));
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['q_proj', 'v_proj', 'o_proj', 'down_proj'], base_model_name_or_path: model });
    const tensors = tensorsOf(join(four, 'adapter_model.safetensors'));
    expect(tensors.get('base_model.model.model.layers.1.mlp.down_proj.lora_A.weight')!.shape).toEqual([4, 48]);
    expect(tensors.get('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight')!.shape).toEqual([32, 4]);

    // 2 steps, then resumed to 4: the same adapter bits as 4 straight (a constant learning rate, so that the
    // schedule of a 2-step run is the 4-step run's first half).
    expect((await captured([...trainArgs(2), '--save', two])).code).toBe(0);
    const more = await captured([...trainArgs(4), '--resume', two, '--save', two]);
    expect(more.code, more.out).toBe(0);
    expect(more.out).toContain(`resumed ${two} at step 2`);
    const resumed = tensorsOf(join(two, 'adapter_model.safetensors'));
    for (const [name, t] of tensors) {
      const bytes = (d: Float32Array) => Buffer.from(d.buffer, d.byteOffset, d.byteLength);
      expect(bytes(resumed.get(name)!.data).equals(bytes(t.data)), name).toBe(true);
    }

    // The trainer state records how the run stored what it computed (the base in f16 by default); a resume
    // that stores it otherwise is not the uninterrupted run to the bit, and says so.
    const state = JSON.parse(readFileSync(join(two, 'trainer_state.json'), 'utf8'));
    expect(state.memory).toEqual({ recompute: false, updatePerLayer: false, f16Activations: false, f16Base: true });
    expect(JSON.parse(readFileSync(join(two, 'run.json'), 'utf8')).training).toMatchObject({ f16Base: true, recompute: false });
    expect(more.out).not.toContain('frozen base');
    const f32 = await captured([...trainArgs(5), '--f32-base', '--resume', two, '--save', join(dir, 'five')]);
    expect(f32.code, f32.out).toBe(0);
    expect(f32.out).toContain(`warning: --resume ${two}: its frozen base was stored as f16 and is now f32`);

    // A mismatched resume is refused before any work, naming the file and field.
    const wrong = await captured([...trainArgs(4).map((a) => (a === 'q,v,o,down' ? 'q,v' : a)), '--resume', two]);
    expect(wrong.code).toBe(2);
    expect(wrong.out).toContain(`--resume ${two}: adapter_config.json: target_modules`);

    const base = await captured(['--checkpoint', model, '--data', text, '--swiftshader'], runEval);
    const adapted = await captured(['--checkpoint', model, '--adapter', four, '--data', text, '--swiftshader'], runEval);
    expect(adapted.code, adapted.out).toBe(0);
    expect(evalLoss(adapted.out)).toBeLessThan(evalLoss(base.out));

    const merged = join(dir, 'merged');
    const ex = await captured(['--checkpoint', model, '--adapter', four, '--merge', merged], runExport);
    expect(ex.code, ex.out).toBe(0);
    const weights = tensorsOf(join(merged, 'model.safetensors'));
    const config = JSON.parse(readFileSync(join(merged, 'config.json'), 'utf8'));
    const folder = await openHFFolder(new Map([...fixture.files].map(([n, b]) => [n, bytesSource(b)])), 'fixture');
    const pc = plainConfig(config);
    let sum = 0, count = 0;
    for (const p of paragraphs) {
      const ids = [folder.bosId, ...folder.tokenizer.encode(p)].slice(0, folder.config.contextLength);
      for (const l of plainLosses(plainLogits(pc, (n) => weights.get(n)!.data, ids), ids)) { sum += l; count++; }
    }
    console.log(`eval base ${evalLoss(base.out)}, base + adapter ${evalLoss(adapted.out)}, merged folder in plain JS ${(sum / count).toFixed(6)}`);
    expect(Math.abs(evalLoss(adapted.out) - sum / count)).toBeLessThan(1e-5);
  }, 900_000);
});
