// The update applied layer by layer (EngineOptions.updatePerLayer) computes exactly what the normal step
// computes: a norm pass then an update pass of the same kernels on the same inputs, the layer's AdamW right
// after its backward with the clip scale and skip flag of the whole gradient. So over several steps the
// losses, gradient norms, weights and both AdamW moments are equal bit for bit, untied and tied (the
// embedding's gradient taking the head's chunks first), with clipping active, unfused, recomputing, and a
// step with a non-finite gradient is skipped by both, leaving every weight and moment as it was. The
// gradients table is the plan's: the pieces outside the layers and one layer's scratch. A run resumed from a
// checkpoint's contents (weights, moments, step; gradients are not saved) goes on as the uninterrupted one.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { EngineDevice } from '../../src/engine/device';
import { validateConfig } from '../../src/model/config';
import { validateLora } from '../../src/model/lora';
import { estimateMemory } from '../../src/model/memory';
import { LM_HEAD, paramSpecs } from '../../src/model/params';
import { HARE_OPTIMIZER } from '../../src/engine/optimizer';
import { initParams } from '../../src/model/init';
import { EngineBackend } from '../../src/train/engine-backend';
import { HARE_TRAIN_DEFAULTS } from '../../src/train/config';
import { engineDevice } from './harness';
import { bitDiffs, pairEngine, randomBatch, type PairCase } from './engine-pair';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); });

const base = { normEps: 1e-5, ropeTheta: 10000 };
const untied = validateConfig({ ...base, dim: 32, nLayers: 3, nHeads: 4, nKvHeads: 2, hiddenDim: 72, vocabSize: 50, contextLength: 16 });
const tied = validateConfig({ ...base, dim: 24, nLayers: 2, nHeads: 2, nKvHeads: 1, hiddenDim: 40, vocabSize: 37, contextLength: 16,
  tieWordEmbeddings: true, architecture: 'llama' });
const shape = { batchSize: 2, seqLen: 11, accumSteps: 1 };
const clipped = (gradClip: number) => ({ ...HARE_OPTIMIZER, gradClip });
const CASES: (PairCase & { clipActive?: boolean })[] = [
  { name: 'untied, 3 layers, HARE clipping', config: untied, shape, opts: {} },
  { name: 'tied, split embedding, logits in chunks, clipping active', config: tied, shape, clipActive: true,
    opts: { paramPieceBytes: 1024, logitsChunkRows: 8, optimizer: clipped(0.05) } },
  { name: 'untied, unfused kernels, recomputing, clipping active', config: untied, shape, clipActive: true,
    opts: { fuse: false, recompute: true, optimizer: clipped(0.05) } },
  { name: 'tied, recomputing', config: tied, shape, opts: { recompute: true } },
];

/** Every weight and both moments of both engines, bit for bit; throws naming the first tensor that differs. */
async function expectSameState(a: Engine, b: Engine, when: string): Promise<void> {
  for (const s of a.store.specs) {
    for (const t of ['params', 'exp_avg', 'exp_avg_sq'] as const) {
      const n = bitDiffs(await b.store.read(s.name, t), await a.store.read(s.name, t));
      if (n > 0) throw new Error(`${when}: ${t} of ${s.name} differs in ${n} values`);
    }
  }
}

describe('update per layer', () => {
  for (const c of CASES) {
    it(`${c.name}: losses, norms, weights and moments after 3 steps bit-identical to the normal step`, async () => {
      const plain = await pairEngine(dev, c, {}), layered = await pairEngine(dev, c, { updatePerLayer: true });
      for (let step = 0; step < 3; step++) {
        const micro = [randomBatch(c.config, c.shape, 100 * step)];
        const a = await plain.trainStep(micro, 1e-2), b = await layered.trainStep(micro, 1e-2);
        expect(b.loss).toBe(a.loss);
        expect(b.gradNorm).toBe(a.gradNorm);
        expect(b.skipped).toBe(false);
        expect(a.skipped).toBe(false);
        if (c.clipActive) expect(a.gradNorm).toBeGreaterThan(c.opts.optimizer!.gradClip);
        await expectSameState(plain, layered, `step ${step + 1}`);
        console.log(`${c.name}, step ${step + 1}: loss ${a.loss.toFixed(6)}, norm ${a.gradNorm.toFixed(4)} in both; weights and moments bit-identical`);
      }
      expect(layered.stepCount).toBe(plain.stepCount);
      plain.destroy(); layered.destroy();
    });
  }

  it('skips a step with a non-finite gradient as the normal step does, then trains on identically', async () => {
    const c = CASES[0];
    const plain = await pairEngine(dev, c, {}), layered = await pairEngine(dev, c, { updatePerLayer: true });
    const good = [randomBatch(c.config, c.shape, 1)];
    await plain.trainStep(good, 1e-2);
    await layered.trainStep(good, 1e-2);
    const before = await layered.getParams();
    const moment = await layered.store.read(paramSpecs(c.config)[10].name, 'exp_avg');
    // An infinite lm_head: the logits, the loss and every gradient (the top layer's, updated first, too) are not finite.
    const head = before.get(LM_HEAD)!, poisoned = Float32Array.from(head);
    poisoned.fill(Infinity, 0, c.config.dim);
    for (const e of [plain, layered]) e.store.write(LM_HEAD, poisoned);
    const bad = [randomBatch(c.config, c.shape, 2)];
    const a = await plain.trainStep(bad, 1e-2), b = await layered.trainStep(bad, 1e-2);
    expect(a.skipped).toBe(true);
    expect(b.skipped).toBe(true);
    expect(Number.isFinite(b.gradNorm)).toBe(false);
    expect(layered.stepCount).toBe(1);
    expect(plain.stepCount).toBe(1);
    for (const [name, v] of await layered.getParams()) {
      expect(bitDiffs(v, name === LM_HEAD ? poisoned : before.get(name)!), name).toBe(0);
    }
    expect(bitDiffs(await layered.store.read(paramSpecs(c.config)[10].name, 'exp_avg'), moment)).toBe(0);
    await expectSameState(plain, layered, 'the skipped step');
    for (const e of [plain, layered]) e.store.write(LM_HEAD, head);
    const next = [randomBatch(c.config, c.shape, 3)];
    const a2 = await plain.trainStep(next, 1e-2), b2 = await layered.trainStep(next, 1e-2);
    expect(b2.loss).toBe(a2.loss);
    expect(b2.skipped).toBe(false);
    expect(layered.stepCount).toBe(2);
    await expectSameState(plain, layered, 'the step after the skipped one');
    plain.destroy(); layered.destroy();
  });

  it('allocates the plan: the gradients outside the layers and one layer\'s scratch', async () => {
    for (const c of [CASES[0], CASES[1]]) {
      const plain = await pairEngine(dev, c, {}), layered = await pairEngine(dev, c, { updatePerLayer: true });
      const limits = dev.caps.limits;
      const planPlain = estimateMemory(c.config, c.shape, limits, { recompute: c.opts.recompute });
      const planLayered = estimateMemory(c.config, c.shape, limits, { recompute: c.opts.recompute, updatePerLayer: true });
      expect(planLayered.updatePerLayer).toBe(true);
      expect(layered.store.table('grads').bytes).toBe(planLayered.bytes.gradients);
      expect(plain.store.table('grads').bytes).toBe(planPlain.bytes.gradients);
      const specs = paramSpecs(c.config);
      const layer = specs.filter((s) => s.name.startsWith('model.layers.0.')).reduce((n, s) => n + s.shape.reduce((x, y) => x * y, 1), 0);
      expect(planPlain.bytes.gradients - planLayered.bytes.gradients).toBe((c.config.nLayers - 1) * layer * 4);
      expect(planLayered.bytes.total).toBe(planPlain.bytes.total - (planPlain.bytes.gradients - planLayered.bytes.gradients));
      // Every layer's gradient is the scratch's: layer 1's q_proj and layer 0's share one view.
      const q = (l: number) => layered.store.piecesOf(`model.layers.${l}.self_attn.q_proj.weight`, 'grads').map((p) => p.view);
      expect(q(1)).toEqual(q(0));
      expect(q(1)[0]).toBe(q(0)[0]);
      // The embedding's gradient (whole-backward) has a buffer of its own, apart from the scratch.
      expect(layered.store.piecesOf(specs[0].name, 'grads')[0].view.buffer).not.toBe(q(0)[0].buffer);
      expect(layered.store.layerGradBuffers()).toContain(q(0)[0].buffer);
      expect(layered.describeMemory()).toContain(`gradients`);
      plain.destroy(); layered.destroy();
    }
  });

  it('resumes from a checkpoint\'s weights, moments and step (EngineBackend) exactly as the run goes on uninterrupted', async () => {
    const c = CASES[1];
    const t = { ...HARE_TRAIN_DEFAULTS, batchSize: c.shape.batchSize, seqLen: c.shape.seqLen, accumSteps: 1, gradClip: 0.05 };
    const opts = { updatePerLayer: true, paramPieceBytes: 1024, logitsChunkRows: 8 };
    const whole = await EngineBackend.create(dev, c.config, t, opts);
    await whole.setParams(initParams(c.config, 7));
    for (let step = 0; step < 2; step++) await whole.trainStep([randomBatch(c.config, c.shape, 100 * step)], 1e-2);
    const saved = { params: await whole.getParams(), moments: await whole.getMoments(), step: whole.stepCount };
    const resumed = await EngineBackend.create(dev, c.config, t, opts);
    await resumed.setParams(saved.params);
    await resumed.setMoments(saved.moments);
    resumed.stepCount = saved.step;
    const next = [randomBatch(c.config, c.shape, 200)];
    const a = await whole.trainStep(next, 1e-2), b = await resumed.trainStep(next, 1e-2);
    expect(b.loss).toBe(a.loss);
    expect(b.gradNorm).toBe(a.gradNorm);
    expect(resumed.stepCount).toBe(3);
    await expectSameState(whole.engine, resumed.engine, 'the resumed step');
    whole.destroy(); resumed.destroy();
  });

  it('refuses LoRA and gradient accumulation, saying why', async () => {
    const lora = validateLora({ rank: 2, alpha: 4, targets: ['q_proj'] });
    await expect(Engine.createTrainer(dev, untied, shape, { updatePerLayer: true, lora })).rejects.toThrow(/full training: a LoRA adapter/);
    await expect(Engine.createTrainer(dev, untied, { ...shape, accumSteps: 2 }, { updatePerLayer: true }))
      .rejects.toThrow(/one micro-batch per step \(accumulation 2\)/);
  });
});
