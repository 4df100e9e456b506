// The training step's gradient is the gradient of the loss it reports: the mean over learned targets (not -1)
// across all accumulated micro-batches, whatever share of each is masked (fine-tuning prompts). Checked against
// the reference model on tfjs's CPU backend with micro-batches masked very unevenly, and, for pretraining
// (every target learned), that the scale the step writes gives the same gradients to the bit after a masked step.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, lossScale, type Batch } from '../../src/engine/engine';
import type { EngineDevice } from '../../src/engine/device';
import { HARE_OPTIMIZER } from '../../src/engine/optimizer';
import { validateConfig } from '../../src/model/config';
import { initParams } from '../../src/model/init';
import { ReferenceTrainer } from '../../src/model/reference';
import { describeDiff, diff, engineDevice, randomArray, useCpuBackend } from './harness';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); await useCpuBackend(); });

const config = validateConfig({ dim: 24, nLayers: 1, nHeads: 2, nKvHeads: 1, hiddenDim: 40, vocabSize: 37, contextLength: 16,
  normEps: 1e-5, ropeTheta: 10000 });
const shape = { batchSize: 2, seqLen: 13, accumSteps: 2 };
const N = shape.batchSize * shape.seqLen;

/** Random tokens; targets kept where a second random number is below `learned` (the rest -1). */
function batch(seed: number, learned: number): Batch {
  const r = randomArray(3 * N, seed, 0, 1);
  return {
    inputs: Int32Array.from(r.subarray(0, N), (v) => Math.floor(v * config.vocabSize)),
    targets: Int32Array.from(r.subarray(N, 2 * N), (v, i) => (r[2 * N + i] < learned ? Math.floor(v * config.vocabSize) : -1)),
  };
}

async function grads(engine: Engine): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const s of engine.store.specs) out.set(s.name, await engine.store.read(s.name, 'grads'));
  return out;
}

describe('loss gradient scale', () => {
  it('masked targets: loss and every gradient match the reference\'s mean over learned tokens', async () => {
    const init = initParams(config, 4);
    const engine = await Engine.createTrainer(dev, config, shape);
    engine.setParams(init);
    const micro = [batch(21, 0.15), batch(22, 0.9)];   // a mostly masked micro-batch and a mostly learned one
    const learned = micro.map((b) => b.targets.filter((t) => t >= 0).length);
    expect(learned[0]).toBeGreaterThan(0);
    expect(learned[1]).toBeGreaterThan(3 * learned[0]);
    const ref = new ReferenceTrainer(config, init, HARE_OPTIMIZER);
    const { loss: refLoss, grads: refGrads } = await ref.lossAndGrads(micro, shape.batchSize, shape.seqLen);
    const r = await engine.trainStep(micro, 0);
    expect(Math.abs(r.loss - refLoss) / refLoss).toBeLessThan(1e-4);
    let worst = 0;
    const got = await grads(engine);
    for (const [name, g] of got) {
      const d = diff(g, refGrads[name].dataSync());
      worst = Math.max(worst, d.rel);
      if (!(d.rel <= 1e-3)) throw new Error(describeDiff(`gradient of ${name}`, d));
    }
    console.log(`masked (${learned.join(' + ')} of ${2 * N} learned): loss ${r.loss.toFixed(6)} (reference ${refLoss.toFixed(6)}), worst gradient ${worst.toExponential(2)}`);
    for (const g of Object.values(refGrads)) g.dispose();
    ref.dispose();
    engine.destroy();
  });

  it('every target learned: the scale is 1 / (N × accumSteps) and the gradients are the same to the bit after a masked step', async () => {
    const engine = await Engine.createTrainer(dev, config, shape);
    engine.setParams(initParams(config, 5));
    const full = [batch(31, 2), batch(32, 2)];
    expect(Math.fround(lossScale(full))).toBe(Math.fround(1 / (N * shape.accumSteps)));
    await engine.trainStep(full, 0);
    const first = await grads(engine);
    await engine.trainStep([batch(33, 0.3), batch(34, 0.3)], 0);
    await engine.trainStep(full, 0);
    for (const [name, g] of await grads(engine)) {
      const want = first.get(name)!;
      const at = g.findIndex((x, i) => x !== want[i]);
      if (at >= 0) throw new Error(`gradient of ${name} differs at ${at}: ${g[at]} vs ${want[at]}`);
    }
    engine.destroy();
  });
});
