// memory.ts's table for f16 saved activations: which tensors become halves (every block's large ones but the
// top block's), which stay f32 (x.l, rstd, lse, LoRA u, one shared block set), what they cost (f16 entries in
// whole words), the refusal beside recomputation, and the fit suggestions that gain or lose the option.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/model/config';
import {
  activationTable, entryBytes, estimateMemory, F16_RECOMPUTE, F16_SAVED, fitOptions, packedActivation, chooseRecompute,
} from '../../src/model/memory';
import { PRESETS } from '../../src/model/presets';

const c = validateConfig({ dim: 32, nLayers: 3, nHeads: 4, nKvHeads: 2, hiddenDim: 72, vocabSize: 50, contextLength: 16, normEps: 1e-5, ropeTheta: 1e4 });
const s = { batchSize: 2, seqLen: 13, accumSteps: 1 }, N = 26;
const limits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };
const lora = { rank: 3, alpha: 6, targets: ['q_proj', 'down_proj'] as const };
const GiB = 2 ** 30;

describe('f16 saved activations in the memory table', () => {
  const half = activationTable(c, s, 'train', N, lora, { f16Activations: true });   // the plan's chunk: all 26 rows
  const byName = new Map(half.map((e) => [e.name, e]));

  it('keeps each large saved tensor of layers 0..L-2 as halves, the top block in the shared f32 set only', () => {
    const row = { xn1: 32, q: 32, k: 16, v: 16, att: 32, xmid: 32, xn2: 32, gate: 72, up: 72, act: 72 };
    for (const name of F16_SAVED) {
      for (const l of [0, 1]) expect(byName.get(packedActivation(name, l)), `${name}.${l}`).toEqual({ name: `${name}.${l}.f16`, numel: N * row[name], f16: true });
      expect(byName.has(packedActivation(name, 2))).toBe(false);
      expect(byName.has(`${name}.0`)).toBe(false);
      expect(byName.get(`${name}.f32`)).toEqual({ name: `${name}.f32`, numel: N * row[name] });
    }
  });

  it('keeps x.l, the per-row statistics and LoRA\'s u in f32, per layer', () => {
    for (let l = 0; l <= 3; l++) expect(byName.get(`x.${l}`)?.f16).toBeUndefined();
    for (let l = 0; l < 3; l++) {
      expect(byName.get(`rstd1.${l}`)).toEqual({ name: `rstd1.${l}`, numel: N });
      expect(byName.get(`rstd2.${l}`)).toEqual({ name: `rstd2.${l}`, numel: N });
      expect(byName.get(`lse.${l}`)).toEqual({ name: `lse.${l}`, numel: 2 * 4 * 13 });
      for (const t of lora.targets) expect(byName.get(`lora.u.${t}.${l}`)).toEqual({ name: `lora.u.${t}.${l}`, numel: N * 3 });
    }
    expect(half.filter((e) => e.f16).length).toBe(2 * F16_SAVED.length);
  });

  it('an f16 entry takes whole words, and the plan saves (L - 1) half-copies of a block against L f32 ones', () => {
    expect(entryBytes({ name: 'odd', numel: 7, f16: true })).toBe(16);
    expect(entryBytes({ name: 'even', numel: 8, f16: true })).toBe(16);
    const plain = estimateMemory(c, s, limits, { lora }), f16 = estimateMemory(c, s, limits, { lora, f16Activations: true });
    expect(f16.f16Activations).toBe(true);
    expect(plain.f16Activations).toBe(false);
    expect(f16.bytes.activations).toBe(half.reduce((a, e) => a + entryBytes(e), 0));
    const block = N * (32 * 5 + 16 * 2 + 72 * 3);   // one block's large saved tensors, elements
    expect(plain.bytes.activations - f16.bytes.activations).toBe(3 * block * 4 - (2 * block * 2 + block * 4));
    const groups = new Map(f16.activationGroups.map((g) => [g.name, g.bytes]));
    expect(groups.get('saved per layer as f16')).toBe(2 * block * 2);
    expect(groups.get('one block in f32, packed and unpacked')).toBe(block * 4);
    expect(groups.get('saved per layer')).toBe(3 * (2 * N + 2 * 4 * 13 + 2 * N * 3) * 4);
  });

  it('means nothing to a forward-only plan, and is refused beside recomputation', () => {
    expect(activationTable(c, s, 'forward', 8, lora, { f16Activations: true })).toEqual(activationTable(c, s, 'forward', 8, lora));
    expect(estimateMemory(c, s, limits, { mode: 'forward', f16Activations: true }).f16Activations).toBe(false);
    expect(() => activationTable(c, s, 'train', 8, undefined, { recompute: true, f16Activations: true })).toThrow(F16_RECOMPUTE);
    const both = estimateMemory(c, s, limits, { recompute: true, f16Activations: true });
    expect(both.problems).toEqual([F16_RECOMPUTE]);
    expect(both.bytes.total).toBe(estimateMemory(c, s, limits, { recompute: true }).bytes.total);
    expect(F16_RECOMPUTE).toMatch(/exclude each other.*choose one/);
  });
});

describe('fit suggestions with f16 activations', () => {
  const hare = PRESETS['hare-1.1b'], one = { batchSize: 1, seqLen: 2048, accumSteps: 1 };
  const total = (o: object) => estimateMemory(hare, one, { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 31 }, o).bytes.total;
  const L2 = { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 31 };

  it('offers f16 activations where they make a refused run fit, after recomputation', () => {
    const budget = (total({}) + total({ f16Activations: true })) / 2;
    const fits = fitOptions(hare, one, L2, {}, budget);
    expect(fits.map((f) => f.option)).toEqual(['recompute', 'f16Activations', 'updatePerLayer']);
    expect(fits[1].bytes).toBe(total({ f16Activations: true }));
    expect(fits[1].text).toMatch(/^saved activations stored as f16 \(--f16-activations; results change slightly\): 19\.55 GiB$/);
    expect(estimateMemory(hare, one, L2, { budgetBytes: budget }).problems[0]).toMatch(/or saved activations stored as f16 \(--f16-activations/);
    // Not where it would not fit, and never beside recomputation.
    expect(fitOptions(hare, one, L2, {}, total({ f16Activations: true }) - 1).map((f) => f.option)).toEqual(['recompute', 'updatePerLayer']);
    expect(fitOptions(hare, { ...one, batchSize: 2, accumSteps: 1 }, L2, { recompute: true }, 1).some((f) => f.option === 'f16Activations')).toBe(false);
  });

  it('with f16 activations on, offers recomputation in their place, and --memory-budget never turns it on beside them', () => {
    const budget = (total({ f16Activations: true }) + total({ recompute: true })) / 2;
    const fits = fitOptions(hare, one, L2, { f16Activations: true }, budget);
    expect(fits.map((f) => f.option)).toEqual(['recompute']);
    expect(fits[0].text).toMatch(/^activation recomputation in place of f16 activations \(--recompute without --f16-activations\): /);
    expect(fits[0].bytes).toBe(total({ recompute: true }));
    expect(chooseRecompute(hare, one, L2, { f16Activations: true }, budget)).toBe(false);
    expect(chooseRecompute(hare, one, L2, {}, budget)).toBe(true);
    expect(total({ f16Activations: true })).toBeLessThan(total({}) - 1.5 * GiB);
  });
});
