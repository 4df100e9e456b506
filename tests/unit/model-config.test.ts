// Model config validation, presets, parameter naming and the memory estimate.
import { describe, expect, it } from 'vitest';
import { ConfigError, validateConfig, validateShape } from '../../src/model/config';
import { activationTable, estimateMemory, gradientEntries, paramPieces } from '../../src/model/memory';
import { countParams, paramSpecs } from '../../src/model/params';
import { PRESETS, preset } from '../../src/model/presets';

const tiny = PRESETS.tiny;

describe('config validation', () => {
  const bad: [string, object, RegExp][] = [
    ['heads that do not divide the width', { dim: 64, nHeads: 3 }, /^nHeads: must divide dim \(64 is not a multiple of 3\)/],
    ['kv heads that do not divide the heads', { nHeads: 4, nKvHeads: 3 }, /^nKvHeads: must divide nHeads/],
    ['a zero layer count', { nLayers: 0 }, /^nLayers: must be a positive integer, got 0/],
    ['a fractional width', { dim: 64.5 }, /^dim: must be a positive integer/],
    ['a head dim not a multiple of 4', { dim: 24, nHeads: 4, nKvHeads: 2 }, /^nHeads: head dim dim\/nHeads = 6 must be a multiple of 4/],
    ['a bad epsilon', { normEps: 0 }, /^normEps/],
    ['a RoPE base of 1', { ropeTheta: 1 }, /^ropeTheta/],
  ];
  for (const [what, change, message] of bad) {
    it(`refuses ${what}, naming the field`, () => {
      const attempt = () => validateConfig({ ...tiny, ...change });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(message);
    });
  }
  it('refuses a sequence longer than the context', () => {
    expect(() => validateShape({ batchSize: 1, seqLen: 256, accumSteps: 1 }, tiny)).toThrow(/^seqLen: 256 is longer than the model's contextLength 128/);
  });
  it('accepts every preset and names unknown ones', () => {
    for (const name of Object.keys(PRESETS)) expect(preset(name).dim).toBeGreaterThan(0);
    expect(() => preset('gpt-5')).toThrow(/unknown preset "gpt-5"; choose one of hare-1.1b/);
  });
});

describe('HARE-1.1B', () => {
  it('has the released shape and about 1.1B parameters, with Hugging Face names', () => {
    const c = preset('hare-1.1b');
    expect(c).toMatchObject({ dim: 2048, nLayers: 22, nHeads: 32, nKvHeads: 8, hiddenDim: 5632, vocabSize: 32000, contextLength: 2048 });
    expect(countParams(c)).toBe(1_123_117_056); // "~1.12B" (../shared/HARE.md)
    const specs = paramSpecs(c);
    expect(specs[0]).toMatchObject({ name: 'model.embed_tokens.weight', shape: [32000, 2048] });
    expect(specs.find((s) => s.name === 'model.layers.3.self_attn.k_proj.weight')?.shape).toEqual([512, 2048]);
    expect(specs.find((s) => s.name === 'model.layers.21.mlp.down_proj.weight')?.shape).toEqual([2048, 5632]);
    expect(specs[specs.length - 1]).toMatchObject({ name: 'lm_head.weight', shape: [32000, 2048], decay: true });
    expect(specs.filter((s) => !s.decay).every((s) => s.name.endsWith('norm.weight'))).toBe(true);
    expect(specs.length).toBe(1 + 22 * 9 + 2);
  });
});

describe('memory estimate', () => {
  const limits = { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 31 };
  it('adds up weights, gradients, two AdamW moments and the planned activations', () => {
    const c = preset('tiny');
    const s = { batchSize: 8, seqLen: 128, accumSteps: 1 };
    const e = estimateMemory(c, s, limits);
    const p = countParams(c) * 4;
    expect(e.bytes.parameters).toBe(p);
    expect(e.bytes.gradients).toBe(p);
    expect(e.bytes.adamMoments).toBe(2 * p);
    const acts = activationTable(c, s, 'train', 8 * 128).reduce((a, t) => a + t.numel * 4, 0);
    expect(e.bytes.activations).toBe(acts);
    expect(e.bytes.total).toBe(4 * p + acts);
    expect(e.problems).toEqual([]);
  });
  it('estimates HARE-1.1B at batch 1 x 2048 near 24 GiB, with the embedding as the largest binding', () => {
    const e = estimateMemory(preset('hare-1.1b'), { batchSize: 1, seqLen: 2048, accumSteps: 1 }, limits);
    expect(e.bytes.total / 2 ** 30).toBeGreaterThan(20);
    expect(e.bytes.total / 2 ** 30).toBeLessThan(26);
    expect(e.largestBinding.bytes).toBe(32000 * 2048 * 4);
  });
  it('plans no SwiGLU act when fused: N x F floats less per layer (unless a LoRA adapter on down_proj reads it)', () => {
    const c = preset('hare-1.1b'), s = { batchSize: 1, seqLen: 2048, accumSteps: 1 };
    const perLayer = 2048 * c.hiddenDim * 4;
    const fused = estimateMemory(c, s, limits), unfused = estimateMemory(c, s, limits, { fuse: false });
    expect(unfused.bytes.total - fused.bytes.total).toBe(c.nLayers * perLayer);
    const saved = (t: ReturnType<typeof activationTable>) => t.filter((e) => /^act\.\d+$/.test(e.name)).length;
    expect(saved(activationTable(c, s, 'train', 1))).toBe(0);
    expect(saved(activationTable(c, s, 'train', 1, undefined, { fuse: false }))).toBe(c.nLayers);
    expect(saved(activationTable(c, s, 'forward', 1))).toBe(0);
    // Recomputing, the one shared block set loses its act too.
    const re = (o: { fuse?: boolean }) => estimateMemory(c, s, limits, { recompute: true, ...o }).bytes.total;
    expect(re({ fuse: false }) - re({})).toBe(perLayer);
    // A LoRA adapter on down_proj reads act: kept; on q and v alone it is not.
    const lora = (targets: ('q_proj' | 'v_proj' | 'down_proj')[]) =>
      activationTable(c, s, 'train', 1, { rank: 8, alpha: 16, targets }).some((e) => e.name === 'act.0');
    expect(lora(['q_proj', 'v_proj'])).toBe(false);
    expect(lora(['q_proj', 'down_proj'])).toBe(true);
  });
  it('splits a table larger than one binding into row pieces', () => {
    const pieces = paramPieces(preset('hare-1.1b'), 128 * 2 ** 20).filter((p) => p.param === 'model.embed_tokens.weight');
    expect(pieces.length).toBe(2);
    expect(pieces[0]).toMatchObject({ rowBegin: 0, rowEnd: 16384 });
    expect(pieces[1]).toMatchObject({ rowBegin: 16384, rowEnd: 32000 });
  });
  it('refuses an activation larger than one binding and says what batch fits', () => {
    const e = estimateMemory(preset('hare-1.1b'), { batchSize: 8, seqLen: 2048, accumSteps: 1 }, { ...limits, maxStorageBufferBindingSize: 128 * 2 ** 20 });
    expect(e.problems[0]).toMatch(/activation gate\.0 needs 352\.0 MiB but this adapter binds at most 128\.0 MiB: use batch ≤ 2 with gradient accumulation/);
  });
  it('refuses a total over the given budget', () => {
    const e = estimateMemory(preset('hare-1.1b'), { batchSize: 1, seqLen: 2048, accumSteps: 1 }, limits, { budgetBytes: 8 * 2 ** 30 });
    expect(e.problems.join(' ')).toMatch(/more than the 8\.00 GiB available/);
  });
  it('updating layer by layer, plans the gradients outside the layers and one layer\'s scratch, nothing else changed', () => {
    const elems = (ss: readonly { shape: readonly number[] }[]) => ss.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
    for (const c of [preset('hare-1.1b'), { ...tiny, tieWordEmbeddings: true }]) {
      const s = { batchSize: 1, seqLen: 256, accumSteps: 1 };
      const plain = estimateMemory(c, s, limits), layered = estimateMemory(c, s, limits, { updatePerLayer: true });
      const specs = paramSpecs(c);
      const outside = elems(specs.filter((p) => !p.name.startsWith('model.layers.')));
      const layer = elems(specs.filter((p) => p.name.startsWith('model.layers.0.')));
      expect(layered.updatePerLayer).toBe(true);
      expect(layered.bytes.gradients).toBe((outside + layer) * 4);
      expect(layered.bytes.gradients).toBe(plain.bytes.gradients - (c.nLayers - 1) * layer * 4);
      expect(layered.bytes.total).toBe(plain.bytes.total - (plain.bytes.gradients - layered.bytes.gradients));
      expect({ ...layered.bytes, gradients: 0, total: 0 }).toEqual({ ...plain.bytes, gradients: 0, total: 0 });
      // The table the engine allocates: the same bytes, the layers' pieces under one scratch name.
      const entries = gradientEntries(paramPieces(c, 128 * 2 ** 20), true);
      expect(entries.reduce((a, e) => a + e.numel * 4, 0)).toBe(layered.bytes.gradients);
      expect(entries.filter((e) => e.name.startsWith('model.layers.')).every((e) => e.name.startsWith('model.layers.*.'))).toBe(true);
    }
    // hare-1.1b: 4.18 GiB of gradients become the embedding's, lm_head's and one layer's.
    const h = estimateMemory(preset('hare-1.1b'), { batchSize: 1, seqLen: 2048, accumSteps: 1 }, limits, { updatePerLayer: true });
    expect(h.bytes.gradients / 2 ** 20).toBeCloseTo(672, 0);
  });
  it('refuses updating layer by layer with LoRA or accumulation, saying why', () => {
    const s = { batchSize: 1, seqLen: 64, accumSteps: 1 };
    const lora = estimateMemory(tiny, s, limits, { updatePerLayer: true, lora: { rank: 4, alpha: 8, targets: ['q_proj'] } });
    expect(lora.problems).toContain('updating layer by layer is for full training: a LoRA adapter\'s gradients are a few MiB, there is nothing to save');
    expect(lora.updatePerLayer).toBe(false);
    const accum = estimateMemory(tiny, { ...s, accumSteps: 4 }, limits, { updatePerLayer: true });
    expect(accum.problems.join(' ')).toMatch(/one micro-batch per step \(accumulation 4\)/);
    expect(accum.bytes.gradients).toBe(countParams(tiny) * 4);
    expect(estimateMemory(tiny, s, limits, { updatePerLayer: true, mode: 'forward' }).bytes.gradients).toBe(0);
  });
});
