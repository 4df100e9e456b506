// Rows packed with several examples (Batch.positions): the whole engine must treat each example as if it ran
// alone — RoPE restarting at each example, attention never crossing into another — in the forward (the loss
// at every position) and in the backward (every parameter's gradient).
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Batch } from '../../src/engine/engine';
import type { EngineDevice } from '../../src/engine/device';
import { validateConfig } from '../../src/model/config';
import { initParams } from '../../src/model/init';
import { describeDiff, diff, engineDevice, randomArray } from './harness';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); });

const config = validateConfig({ dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 72, vocabSize: 50, contextLength: 32,
  normEps: 1e-5, ropeTheta: 10000 });
const B = 3, T = 19;
const LENGTHS = [7, 1, 11];   // one example of a single token; 7 + 1 + 11 = T

/** Each example's tokens and targets (targets -1 on its first two positions, like a masked prompt). */
function examples(): { inputs: Int32Array; targets: Int32Array }[] {
  return LENGTHS.map((len, e) => {
    const r = randomArray(2 * len, 50 + e, 0, 1);
    const inputs = Int32Array.from(r.subarray(0, len), (v) => Math.floor(v * config.vocabSize));
    const targets = Int32Array.from(r.subarray(len), (v, i) => (i < 2 ? -1 : Math.floor(v * config.vocabSize)));
    return { inputs, targets };
  });
}

/** Row 0 holds the examples back to back, positions restarting at each; rows 1 and 2 predict nothing. */
function packedBatch(ex: ReturnType<typeof examples>): Batch {
  const inputs = new Int32Array(B * T), targets = new Int32Array(B * T).fill(-1), positions = new Int32Array(B * T);
  for (let i = T; i < B * T; i++) positions[i] = i % T;
  let at = 0;
  for (const e of ex) {
    inputs.set(e.inputs, at); targets.set(e.targets, at);
    for (let p = 0; p < e.inputs.length; p++) positions[at + p] = p;
    at += e.inputs.length;
  }
  return { inputs, targets, positions };
}

/** Example e alone at the start of row e, the rest of the row padding that predicts nothing. */
function aloneBatch(ex: ReturnType<typeof examples>): Batch {
  const inputs = new Int32Array(B * T), targets = new Int32Array(B * T).fill(-1);
  ex.forEach((e, r) => { inputs.set(e.inputs, r * T); targets.set(e.targets, r * T); });
  return { inputs, targets };
}

describe('packed rows', () => {
  it('every example\'s losses and the gradient equal running the examples alone', async () => {
    const engine = await Engine.createTrainer(dev, config, { batchSize: B, seqLen: T, accumSteps: 1 });
    engine.setParams(initParams(config, 3));
    const ex = examples();
    const packed = packedBatch(ex), alone = aloneBatch(ex);

    const lp = await engine.forwardLosses(packed, engine.graph), la = await engine.forwardLosses(alone, engine.graph);
    let at = 0, worst = 0;
    ex.forEach((e, r) => {
      for (let p = 0; p < e.inputs.length; p++) {
        if (e.targets[p] < 0) continue;
        const d = Math.abs(lp[at + p] - la[r * T + p]);
        worst = Math.max(worst, d);
        if (!(d <= 1e-5)) throw new Error(`example ${r}, position ${p}: packed loss ${lp[at + p]}, alone ${la[r * T + p]}`);
      }
      at += e.inputs.length;
    });

    // Same predicted tokens, same N: the mean losses and the gradients agree (lr 0 keeps the weights).
    const sp = await engine.trainStep([packed], 0);
    const gp = new Map<string, Float32Array>();
    for (const s of engine.store.specs) gp.set(s.name, await engine.store.read(s.name, 'grads'));
    const sa = await engine.trainStep([alone], 0);
    expect(Math.abs(sp.loss - sa.loss)).toBeLessThan(1e-5);
    let worstGrad = 0;
    for (const s of engine.store.specs) {
      const d = diff(gp.get(s.name)!, await engine.store.read(s.name, 'grads'));
      worstGrad = Math.max(worstGrad, d.rel);
      if (!(d.rel <= 1e-4)) throw new Error(describeDiff(`gradient of ${s.name}, packed vs alone`, d));
    }
    console.log(`packed rows: worst per-position loss difference ${worst.toExponential(2)}, mean loss ${sp.loss.toFixed(6)} vs ${sa.loss.toFixed(6)}, worst gradient ${worstGrad.toExponential(2)}`);
    engine.destroy();
  });

  it('refuses positions that neither start an example nor continue one', async () => {
    const engine = await Engine.createTrainer(dev, config, { batchSize: B, seqLen: T, accumSteps: 1 });
    const bad = packedBatch(examples());
    const positions = Int32Array.from(bad.positions!);
    positions[3] = 7;
    await expect(engine.forwardLosses({ ...bad, positions }, engine.graph)).rejects.toThrow(/position 7 at token 3/);
    engine.destroy();
  });
});
