// The page's memory plan and its refusal: the groups against the budget, and the options from fitOptions that
// would make a refused config fit, each with its planned total (the same plan the engine allocates).
import { describe, expect, it } from 'vitest';
import { estimateMemory, formatBytes } from '../../../src/model/memory';
import { PRESETS } from '../../../src/model/presets';
import { HARE_TRAIN_DEFAULTS, type TrainConfig } from '../../../src/train/config';
import { budgetLine, budgetRefusal, NO_MEMORY_OPTIONS, planFor, planLines } from '../../../src/ui/memory-fit';

const GiB = 2 ** 30;
const limits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 }; // SwiftShader's
const train = (over: Partial<TrainConfig> = {}): TrainConfig => ({ ...HARE_TRAIN_DEFAULTS, ...over });
const lora = { rank: 16, alpha: 32, targets: ['q_proj', 'v_proj'] as const };

describe('memory fit in the page', () => {
  it('offers recomputation, a smaller micro-batch and the update layer by layer for hare-0.25b over 4 GiB, each with the total it plans', () => {
    const c = PRESETS['hare-0.25b'], t = train();
    const r = budgetRefusal(c, t, limits, NO_MEMORY_OPTIONS, null, 4 * GiB)!;
    const plain = estimateMemory(c, t, limits).bytes.total;
    expect(r.message).toBe(`needs ${formatBytes(plain)}, more than the 4.00 GiB this CPU-emulated adapter may use; any one of these would make it fit:`);
    const re = estimateMemory(c, t, limits, { recompute: true }).bytes.total;
    const small = estimateMemory(c, { ...t, batchSize: 2, accumSteps: 4 }, limits).bytes.total;
    // Without act saved (the fused SwiGLU), the update layer by layer fits too; it comes last, costing a second backward.
    const layered = estimateMemory(c, t, limits, { updatePerLayer: true }).bytes.total;
    expect(r.offers.map((o) => o.label)).toEqual([`Turn on recomputation: ${formatBytes(re)}`, `Use batch 2 with accumulation 4: ${formatBytes(small)}`,
      `Apply the update layer by layer: ${formatBytes(layered)}`]);
    expect(r.offers.map((o) => o.change)).toEqual([{ kind: 'memory', option: 'recompute' }, { kind: 'batch', batchSize: 2, accumSteps: 4 },
      { kind: 'memory', option: 'updatePerLayer' }]);
    for (const o of r.offers) expect(o.bytes).toBeLessThanOrEqual(4 * GiB);
    // Applied, the option makes the refusal go away.
    expect(budgetRefusal(c, t, limits, { ...NO_MEMORY_OPTIONS, recompute: true }, null, 4 * GiB)).toBeNull();
    expect(budgetRefusal(c, { ...t, batchSize: 2, accumSteps: 4 }, limits, NO_MEMORY_OPTIONS, null, 4 * GiB)).toBeNull();
  });

  it('says what remains when no option fits: the least with every option at batch 1, and the way out', () => {
    const c = PRESETS['hare-1.1b'];
    const r = budgetRefusal(c, train(), limits, NO_MEMORY_OPTIONS, null, 4 * GiB)!;
    expect(r.offers).toEqual([]);
    const least = estimateMemory(c, train({ batchSize: 1, accumSteps: 8 }), limits, { recompute: true }).bytes.total;
    expect(least).toBeGreaterThan(4 * GiB);
    expect(r.message).toMatch(/and no memory option brings it within: with recomputation and batch 1 it still needs /);
    expect(r.message).toContain(`${formatBytes(least)}; choose a smaller preset`);
  });

  it('offers the f16 base for a LoRA run and never offers LoRA itself (the page trains it on an imported model only)', () => {
    const c = PRESETS['hare-1.1b'], t = train({ batchSize: 1, seqLen: 512 });
    const re = { ...NO_MEMORY_OPTIONS, recompute: true };
    const full = planFor(c, t, limits, re, lora).bytes.total;
    const half = planFor(c, t, limits, { ...re, f16Base: true }, lora).bytes.total;
    const budget = (full + half) / 2;
    const r = budgetRefusal(c, t, limits, re, lora, budget)!;
    expect(r.offers.map((o) => o.label)).toEqual([`Store the frozen base as f16: ${formatBytes(half)}`]);
    expect(r.offers[0].change).toEqual({ kind: 'memory', option: 'f16Base' });
    // Full training of a preset at the same budget would fit only as an adapter: no button for that.
    expect(budgetRefusal(c, t, limits, re, null, budget)!.offers).toEqual([]);
  });

  it('offers the update layer by layer for full training without accumulation, with recomputation when it needs both', () => {
    const c = PRESETS['hare-1.1b'], t = train({ batchSize: 1, seqLen: 2048, accumSteps: 1 });
    const plan = (o: Partial<typeof NO_MEMORY_OPTIONS>) => planFor(c, t, limits, { ...NO_MEMORY_OPTIONS, ...o }, null).bytes.total;
    const re = plan({ recompute: true }), layered = plan({ updatePerLayer: true }), both = plan({ recompute: true, updatePerLayer: true });
    expect(both).toBeLessThan(re);
    expect(re).toBeLessThan(layered);
    // Between recomputation alone and the update layer by layer alone: both buttons, recomputation first.
    const roomy = budgetRefusal(c, t, limits, NO_MEMORY_OPTIONS, null, layered + 1)!;
    expect(roomy.offers.map((o) => o.label)).toEqual([`Turn on recomputation: ${formatBytes(re)}`, `Apply the update layer by layer: ${formatBytes(layered)}`]);
    expect(roomy.offers[1].change).toEqual({ kind: 'memory', option: 'updatePerLayer' });
    // Below recomputation alone: the two together, one button that turns on both.
    const tight = budgetRefusal(c, t, limits, NO_MEMORY_OPTIONS, null, (both + re) / 2)!;
    expect(tight.offers.map((o) => o.label)).toEqual([`Apply the update layer by layer, with recomputation: ${formatBytes(both)}`]);
    expect(tight.offers[0].change).toEqual({ kind: 'memory', option: 'updatePerLayer', alsoRecompute: true });
    expect(budgetRefusal(c, t, limits, { ...NO_MEMORY_OPTIONS, recompute: true, updatePerLayer: true }, null, (both + re) / 2)).toBeNull();
    expect(planLines(planFor(c, t, limits, { ...NO_MEMORY_OPTIONS, updatePerLayer: true }, null))[0]).toMatch(/gradients one layer at a time/);
    // Not with accumulation, and a LoRA run's plan leaves it out.
    const accum = budgetRefusal(c, { ...t, accumSteps: 2 }, limits, NO_MEMORY_OPTIONS, null, (both + re) / 2);
    expect(accum!.offers.some((o) => o.change.kind === 'memory' && o.change.option === 'updatePerLayer')).toBe(false);
    expect(planFor(c, t, limits, { ...NO_MEMORY_OPTIONS, updatePerLayer: true }, lora).updatePerLayer).toBe(false);
  });

  it('offers f16 activations where they fit, and recomputation in their place once they are on', () => {
    const c = PRESETS['hare-0.25b'], t = train({ batchSize: 1, accumSteps: 8 });
    const half = { ...NO_MEMORY_OPTIONS, f16Activations: true };
    const plain = planFor(c, t, limits, NO_MEMORY_OPTIONS, null).bytes.total, f16 = planFor(c, t, limits, half, null).bytes.total;
    const re = planFor(c, t, limits, { ...NO_MEMORY_OPTIONS, recompute: true }, null).bytes.total;
    expect(re).toBeLessThan(f16);
    const r = budgetRefusal(c, t, limits, NO_MEMORY_OPTIONS, null, (plain + f16) / 2)!;
    expect(r.offers.map((o) => o.label)).toEqual([`Turn on recomputation: ${formatBytes(re)}`, `Store saved activations as f16: ${formatBytes(f16)}`]);
    expect(r.offers[1].change).toEqual({ kind: 'memory', option: 'f16Activations' });
    expect(budgetRefusal(c, t, limits, half, null, (plain + f16) / 2)).toBeNull();
    const on = budgetRefusal(c, t, limits, half, null, (f16 + re) / 2)!;
    expect(on.offers.map((o) => o.change)).toEqual([{ kind: 'memory', option: 'recompute' }]);
    const [totals, groups] = planLines(planFor(c, t, limits, half, null));
    expect(totals).toMatch(/activations [\d.]+ [KMG]iB \(saved as f16\)$/);
    expect(groups).toContain('saved per layer as f16');
  });

  it('lists the plan by group, and the total against the budget or, on a GPU, the binding limit', () => {
    const est = planFor(PRESETS.tiny, train(), limits, { ...NO_MEMORY_OPTIONS, recompute: true }, null);
    const [totals, groups] = planLines(est);
    expect(totals).toMatch(/^weights [\d.]+ [KMG]iB, gradients [\d.]+ [KMG]iB, AdamW moments [\d.]+ [KMG]iB, activations [\d.]+ [KMG]iB \(recomputed in the backward\)$/);
    expect(groups).toContain('block inputs (residual stream x.l)');
    expect(groups).toContain('one block, recomputed in the backward');
    expect(budgetLine(GiB, 4 * GiB, null)).toBe('1.00 GiB of the 4.00 GiB this CPU-emulated adapter may use (25%)');
    expect(budgetLine(GiB, null, 2 ** 31)).toBe('1.00 GiB in all; this GPU reports no memory size, so only its binding limit is checked (2.00 GiB per binding)');
    expect(budgetRefusal(PRESETS.tiny, train(), limits, NO_MEMORY_OPTIONS, null, null)).toBeNull();
  });
});
