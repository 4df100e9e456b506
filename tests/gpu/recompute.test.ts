// Activation recomputation (EngineOptions.recompute) computes exactly what the plain training graph computes:
// the same kernels on the same inputs, so step losses, every gradient and the weights after AdamW are equal
// bit for bit, untied, tied (split embedding, logits in chunks, two micro-batches) and with a LoRA adapter on
// every target (down_proj's u recomputed too). The plan shows the saving: the per-layer activations become
// one shared block, and the backward emits block l's recomputation right before block l's backward.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, type EngineOptions } from '../../src/engine/engine';
import type { EngineDevice } from '../../src/engine/device';
import { estimateMemory } from '../../src/model/memory';
import { engineDevice } from './harness';
import { ACTIVATION_CASES, bitDiffs, pairEngine, randomBatch, type PairCase } from './engine-pair';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); });

const CASES: PairCase[] = [ACTIVATION_CASES.untied, ACTIVATION_CASES.tied, ACTIVATION_CASES.lora];

describe('activation recomputation', () => {
  for (const c of CASES) {
    it(`${c.name}: losses, gradients and weights after 2 AdamW steps bit-identical to the plain graph`, async () => {
      const plain = await pairEngine(dev, c, { recompute: false }), re = await pairEngine(dev, c, { recompute: true });
      const trained = (e: Engine) => e.adapter ?? e.store;
      for (let step = 0; step < 2; step++) {
        const micro = Array.from({ length: c.shape.accumSteps }, (_, i) => randomBatch(c.config, c.shape, 100 * step + i));
        const a = await plain.trainStep(micro, 1e-2), b = await re.trainStep(micro, 1e-2);
        expect(b.loss).toBe(a.loss);
        expect(b.gradNorm).toBe(a.gradNorm);
        for (const s of trained(plain).specs) {
          const n = bitDiffs(await trained(re).read(s.name, 'grads'), await trained(plain).read(s.name, 'grads'));
          if (n > 0) throw new Error(`step ${step + 1}: gradient of ${s.name} differs in ${n} values`);
        }
        console.log(`${c.name}, step ${step + 1}: loss ${a.loss.toFixed(6)} in both, every gradient bit-identical`);
      }
      for (const s of trained(plain).specs) {
        expect(bitDiffs(await trained(re).read(s.name), await trained(plain).read(s.name)), s.name).toBe(0);
      }
      plain.destroy(); re.destroy();
    });
  }

  it('keeps one block beside the block inputs, allocates exactly the plan, and recomputes block l right before its backward', async () => {
    const c = CASES[2], L = c.config.nLayers;
    const plain = await pairEngine(dev, c, { recompute: false }), re = await pairEngine(dev, c, { recompute: true });
    const limits = dev.caps.limits;
    const planPlain = estimateMemory(c.config, c.shape, limits, { lora: c.opts.lora });
    const planRe = estimateMemory(c.config, c.shape, limits, { lora: c.opts.lora, recompute: true });
    expect(re.graph.acts.bytes).toBe(planRe.bytes.activations);
    expect(plain.graph.acts.bytes).toBe(planPlain.bytes.activations);
    const perLayer = planPlain.activationGroups.find((g) => g.name === 'saved per layer')!.bytes;
    const oneBlock = planRe.activationGroups.find((g) => g.name === 'one block, recomputed in the backward')!.bytes;
    expect(oneBlock * L).toBe(perLayer);
    expect(planPlain.bytes.activations - planRe.bytes.activations).toBe(perLayer - oneBlock);
    expect(re.graph.acts.views.has('gate.1')).toBe(false);
    expect(re.graph.acts.views.has('x.1')).toBe(true);
    // The forward is the plain one's kernel for kernel; the top block is not recomputed (its activations are
    // still there), every other one just before its backward starts (its down_proj's input gradient).
    expect(re.graph.forward.map((d) => d.label)).toEqual(plain.graph.forward.map((d) => d.label));
    const labels = re.graph.backward.map((d) => d.label);
    expect(labels.some((l) => l.startsWith(`L${L - 1}.recompute.`))).toBe(false);
    for (let l = 0; l < L - 1; l++) {
      const first = labels.findIndex((x) => x.startsWith(`L${l}.recompute.`));
      const last = labels.findLastIndex((x) => x.startsWith(`L${l}.recompute.`));
      expect(labels[first]).toBe(`L${l}.recompute.attn_norm`);
      expect(labels[last + 1]).toMatch(new RegExp(`^L${l}\\.down_proj\\.dx`));
      expect(labels.slice(0, first).some((x) => x.startsWith(`L${l}.`))).toBe(false);
      expect(labels.slice(0, first).some((x) => x.startsWith(`L${l + 1}.attn_norm.dx`))).toBe(true);
    }
    plain.destroy(); re.destroy();
  });
});
