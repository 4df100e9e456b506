// The PEFT adapter folder: the names, shapes and adapter_config.json fields peft expects, a bit-exact round
// trip (tensors and the adapter's AdamW moments), and refusals that name the file and field: another base,
// another r, targets or features Leveret does not run, tensors missing or extra, moments of another step.
// Also LoRA's merge W + s B A against a plain triple loop.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/model/config';
import { initLora, loraSpecs, mergeLora, validateLora } from '../../../src/model/lora';
import { sourcesInMemory } from '../../../src/train/checkpoint/byte-source';
import { ADAPTER_FILES, buildAdapterFiles, parseAdapterConfig, readAdapter } from '../../../src/train/checkpoint/peft-adapter';
import { openSafetensors } from '../../../src/train/checkpoint/safetensors';
import { expAvgName, expAvgSqName } from '../../../src/train/checkpoint/trainer-state';
import { sameBits, TINY, tokenizerJSON, trainerState, values } from './fixtures';

const base = validateConfig(TINY);
const lora = validateLora({ rank: 3, alpha: 6, targets: ['q_proj', 'v_proj', 'down_proj'] });

function adapterTensors(seed: number): Map<string, Float32Array> {
  const t = new Map<string, Float32Array>();
  for (const s of loraSpecs(base, lora)) t.set(s.name, values(s.shape[0] * s.shape[1], seed + t.size));
  return t;
}

async function folder(opts: { training?: boolean; edit?: (c: Record<string, unknown>) => void } = {}) {
  const tensors = adapterTensors(1);
  const moments = new Map<string, Float32Array>();
  for (const [n, v] of tensors) { moments.set(expAvgName(n), v.map((x) => x * 2)); moments.set(expAvgSqName(n), v.map((x) => x * x)); }
  const files = buildAdapterFiles({
    base, lora, baseModel: '/models/base', tensors,
    training: opts.training ? { trainerState: trainerState(base, tokenizerJSON(), 7), moments } : undefined,
  });
  if (opts.edit) {
    const c = JSON.parse(new TextDecoder().decode(files.get(ADAPTER_FILES.config) as Uint8Array));
    opts.edit(c);
    files.set(ADAPTER_FILES.config, new TextEncoder().encode(JSON.stringify(c)));
  }
  return { files: await sourcesInMemory(files), tensors, moments };
}

describe('PEFT adapter folder', () => {
  it('writes PEFT\'s names, shapes and config fields', async () => {
    const { files } = await folder();
    const model = await openSafetensors(files.get(ADAPTER_FILES.model)!, ADAPTER_FILES.model);
    expect(model.tensors.get('base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight')?.shape).toEqual([3, 16]);
    expect(model.tensors.get('base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight')?.shape).toEqual([16, 3]);
    expect(model.tensors.get('base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight')?.shape).toEqual([8, 3]);
    expect(model.tensors.get('base_model.model.model.layers.0.mlp.down_proj.lora_A.weight')?.shape).toEqual([3, 24]);
    expect(model.tensors.size).toBe(2 * 2 * 3);
    expect(model.metadata.format).toBe('pt');
    const c = JSON.parse(new TextDecoder().decode(new Uint8Array(await files.get(ADAPTER_FILES.config)!.read(0, files.get(ADAPTER_FILES.config)!.size))));
    expect(c).toMatchObject({
      peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 3, lora_alpha: 6, target_modules: ['q_proj', 'v_proj', 'down_proj'],
      lora_dropout: 0, bias: 'none', fan_in_fan_out: false, base_model_name_or_path: '/models/base', use_dora: false, use_rslora: false,
    });
    expect(files.has(ADAPTER_FILES.trainerState)).toBe(false);
  });

  it('reads back every tensor and moment bit for bit, with the trainer state', async () => {
    const { files, tensors, moments } = await folder({ training: true });
    const a = await readAdapter(files, base, lora);
    expect(a.lora).toEqual(lora);
    expect(a.baseModel).toBe('/models/base');
    for (const [n, v] of tensors) expect(sameBits(await a.readTensor(n), v)).toBe(true);
    for (const [n, v] of moments) expect(sameBits(await a.training!.readMoment(n), v)).toBe(true);
    expect(a.training!.trainerState.step).toBe(7);
  });

  it('refuses another base model, naming the tensor and both shapes', async () => {
    const { files } = await folder();
    const wider = validateConfig({ ...TINY, dim: 32 });
    await expect(readAdapter(files, wider)).rejects.toThrow(/adapter_model\.safetensors: .*q_proj\.lora_A\.weight has shape \[3, 16\], .* needs \[3, 32\]/);
    const deeper = validateConfig({ ...TINY, nLayers: 3 });
    await expect(readAdapter(files, deeper)).rejects.toThrow(/adapter_model\.safetensors: is missing 6 tensor/);
    const shallower = validateConfig({ ...TINY, nLayers: 1 });
    await expect(readAdapter(files, shallower)).rejects.toThrow(/does not account for/);
  });

  it('refuses an r or targets other than the run asks for, and an r the tensors do not have', async () => {
    const { files } = await folder();
    await expect(readAdapter(files, base, { ...lora, rank: 4 })).rejects.toThrow('adapter_config.json: r: the adapter has 3, this run asks for 4');
    await expect(readAdapter(files, base, { ...lora, targets: ['q_proj', 'v_proj'] })).rejects.toThrow(/adapter_config\.json: target_modules/);
    const lying = await folder({ edit: (c) => { c.r = 4; } });
    await expect(readAdapter(lying.files, base)).rejects.toThrow(/adapter_model\.safetensors: .* has shape \[3, 16\], .* needs \[4, 16\]/);
  });

  it('refuses PEFT features it would run wrongly, naming the field', () => {
    const ok = { peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q_proj'] };
    expect(parseAdapterConfig(ok).lora).toEqual({ rank: 8, alpha: 16, targets: ['q_proj'] });
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...ok, peft_type: 'IA3' }, /peft_type/],
      [{ ...ok, use_dora: true }, /use_dora: must be false/],
      [{ ...ok, use_rslora: true }, /use_rslora/],
      [{ ...ok, fan_in_fan_out: true }, /fan_in_fan_out/],
      [{ ...ok, bias: 'all' }, /bias/],
      [{ ...ok, rank_pattern: { q_proj: 4 } }, /rank_pattern/],
      [{ ...ok, target_modules: 'q_proj|v_proj' }, /target_modules: must be a list/],
      [{ ...ok, target_modules: ['lm_head'] }, /target_modules: lm_head not supported/],
      [{ ...ok, modules_to_save: ['lm_head'] }, /modules_to_save/],
      [{ ...ok, r: 0 }, /r: must be a positive integer/],
    ];
    for (const [json, re] of bad) expect(() => parseAdapterConfig(json)).toThrow(re);
  });

  it('refuses moments from another save and a trainer state of another base', async () => {
    const { files } = await folder({ training: true });
    const other = validateConfig({ ...TINY, ropeTheta: 500000 });
    await expect(readAdapter(files, other)).rejects.toThrow(/trainer_state\.json: modelConfig is not the base model's/);
    const noOptimizer = new Map(files);
    noOptimizer.delete(ADAPTER_FILES.optimizer);
    await expect(readAdapter(noOptimizer, base)).rejects.toThrow('optimizer.safetensors: missing');
  });
});

describe('mergeLora', () => {
  it('is W + (alpha / r) B A', () => {
    const shape = { in: 7, out: 5 }, r = 3, s = 2.5;
    const finite = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 100 + i * 1.7));
    const w = finite(35, 1), a = finite(21, 2), b = finite(15, 3);
    const got = mergeLora(w, a, b, shape, r, s);
    for (let o = 0; o < 5; o++) {
      for (let i = 0; i < 7; i++) {
        let ba = 0;
        for (let k = 0; k < r; k++) ba += b[o * r + k] * a[k * 7 + i];
        expect(got[o * 7 + i]).toBeCloseTo(w[o * 7 + i] + s * ba, 5);
      }
    }
    const zeroB = initLora(base, lora, 1);   // PEFT's init: B = 0, so the merge is the base exactly
    const spec = loraSpecs(base, lora)[0];
    const A = zeroB.get(spec.name)!, B = zeroB.get(loraSpecs(base, lora)[1].name)!;
    const W = finite(16 * 16, 9);
    expect(sameBits(mergeLora(W, A, B, { in: 16, out: 16 }, 3, 2), W)).toBe(true);
  });
});
