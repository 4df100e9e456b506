// The whole engine with a LoRA adapter against the reference model with LoRA on tfjs's CPU backend: loss and
// every adapter gradient, three AdamW steps (adapter weights and moments), the base left bit-identical, B
// at zero giving exactly the base model's losses, and training lowering the loss; on q,v (PEFT's default)
// and on every target at an awkward rank.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Batch } from '../../src/engine/engine';
import type { EngineDevice } from '../../src/engine/device';
import { HARE_OPTIMIZER } from '../../src/engine/optimizer';
import { validateConfig, type ModelConfig, type TrainShape } from '../../src/model/config';
import { initParams } from '../../src/model/init';
import { initLora, LORA_TARGETS, loraSpecs, validateLora, type LoraConfig } from '../../src/model/lora';
import { ReferenceTrainer } from '../../src/model/reference';
import { describeDiff, diff, engineDevice, randomArray, useCpuBackend } from './harness';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); await useCpuBackend(); });

const config: ModelConfig = validateConfig({
  dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 72, vocabSize: 50, contextLength: 16, normEps: 1e-5, ropeTheta: 10000,
});
const shape: TrainShape = { batchSize: 2, seqLen: 13, accumSteps: 1 };

const CASES: { name: string; lora: LoraConfig }[] = [
  { name: 'q,v at rank 4', lora: validateLora({ rank: 4, alpha: 8, targets: ['q_proj', 'v_proj'] }) },
  { name: 'every target at rank 3', lora: validateLora({ rank: 3, alpha: 5, targets: [...LORA_TARGETS] }) },
];

function randomBatch(seed: number): Batch {
  const n = shape.batchSize * shape.seqLen;
  const r = randomArray(2 * n, seed, 0, 1);
  return {
    inputs: Int32Array.from(r.subarray(0, n), (v) => Math.floor(v * config.vocabSize)),
    targets: Int32Array.from(r.subarray(n), (v) => Math.floor(v * config.vocabSize)),
  };
}

/** PEFT's initialisation with B made non-zero too, so that every gradient (dA included) is exercised. */
function trainedLookingAdapter(l: LoraConfig, seed: number): Map<string, Float32Array> {
  const out = initLora(config, l, seed);
  for (const s of loraSpecs(config, l)) if (s.part === 'B') out.set(s.name, randomArray(s.shape[0] * s.shape[1], seed + s.layer * 7 + s.name.length, -0.3, 0.3));
  return out;
}

async function loraEngine(l: LoraConfig, base: Map<string, Float32Array>, adapter: Map<string, Float32Array>): Promise<Engine> {
  const engine = await Engine.createTrainer(dev, config, shape, { lora: l });
  engine.setParams(base);
  for (const [name, v] of adapter) engine.adapter!.write(name, v);
  return engine;
}

describe('engine with LoRA vs reference model with LoRA', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      it('loss within 1e-4 and every adapter gradient within 1e-3; no gradients or moments for the base', async () => {
        const base = initParams(config, 1), adapter = trainedLookingAdapter(c.lora, 3);
        const engine = await loraEngine(c.lora, base, adapter);
        expect(() => engine.store.table('grads')).toThrow();
        expect(() => engine.store.table('exp_avg')).toThrow();
        const micro = [randomBatch(10)];
        const ref = new ReferenceTrainer(config, base, HARE_OPTIMIZER, { config: c.lora, init: adapter });
        const { loss: refLoss, grads } = await ref.lossAndGrads(micro, shape.batchSize, shape.seqLen);
        const result = await engine.trainStep(micro, 0);
        expect(Math.abs(result.loss - refLoss) / refLoss).toBeLessThan(1e-4);
        let worst = { name: '', rel: 0 };
        for (const s of engine.adapter!.specs) {
          const d = diff(await engine.adapter!.read(s.name, 'grads'), grads[s.name].dataSync());
          if (d.rel > worst.rel) worst = { name: s.name, rel: d.rel };
          if (!(d.rel <= 1e-3)) throw new Error(describeDiff(`gradient of ${s.name}`, d));
        }
        console.log(`${c.name}: loss ${result.loss.toFixed(6)} (reference ${refLoss.toFixed(6)}), worst adapter gradient ${worst.name} ${worst.rel.toExponential(2)}`);
        for (const g of Object.values(grads)) g.dispose();
        ref.dispose();
        engine.destroy();
      });

      it('three AdamW steps: the reference\'s adapter weights and moments, the base bit-identical, the loss lower', async () => {
        const base = initParams(config, 2), adapter = initLora(config, c.lora, 4);
        const engine = await loraEngine(c.lora, base, adapter);
        const ref = new ReferenceTrainer(config, base, HARE_OPTIMIZER, { config: c.lora, init: adapter });
        const micro = [randomBatch(20)];
        const losses: number[] = [];
        for (let step = 0; step < 3; step++) {
          const got = await engine.trainStep(micro, 1e-2);
          const want = await ref.trainStep(micro, shape.batchSize, shape.seqLen, 1e-2);
          expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(1e-4);
          losses.push(got.loss);
        }
        const refParams = await ref.params(), moments = await ref.moments();
        for (const s of engine.adapter!.specs) {
          const dw = diff(await engine.adapter!.read(s.name), refParams.get(s.name)!);
          if (!(dw.rel <= 1e-4)) throw new Error(describeDiff(`${s.name} after 3 steps`, dw));
          const dm = diff(await engine.adapter!.read(s.name, 'exp_avg'), moments.m.get(s.name)!);
          if (!(dm.rel <= 1e-3)) throw new Error(describeDiff(`exp_avg of ${s.name}`, dm));
        }
        for (const [name, want] of base) {
          const got = await engine.store.read(name);
          const same = got.length === want.length && got.every((v, i) => Object.is(v, want[i]));
          if (!same) throw new Error(`${name}: the frozen base weight changed (${describeDiff(name, diff(got, want))})`);
        }
        expect(losses[2]).toBeLessThan(losses[0]);
        console.log(`${c.name}: losses ${losses.map((l) => l.toFixed(5)).join(', ')}`);
        ref.dispose();
        engine.destroy();
      });
    });
  }

  it('B at zero (PEFT\'s initialisation): the losses are exactly the base model\'s', async () => {
    const l = CASES[1].lora;
    const base = initParams(config, 5);
    const withLora = await Engine.createForward(dev, config, shape, { lora: l });
    withLora.setParams(base);
    for (const [name, v] of initLora(config, l, 6)) withLora.adapter!.write(name, v);
    const plain = await Engine.createForward(dev, config, shape);
    plain.setParams(base);
    const b = randomBatch(30);
    const got = await withLora.forwardLosses(b), want = await plain.forwardLosses(b);
    expect(Array.from(got)).toEqual(Array.from(want));
    withLora.destroy();
    plain.destroy();
  });
});
