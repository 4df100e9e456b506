// A LoRA run's frozen base stored as f16 (EngineOptions.f16Base): the linear layers' weights packed two per
// word, unpacked by the matmul (B operand, forward and input-gradient orientations) with unpack2x16float and
// multiplied in f32. Against the f32 base: bit-identical when the weights are already f16 values (so the
// kernels read exactly the values they should, in the lanes, scalar, direct and tiled matmuls), and within the stated
// tolerances for arbitrary f32 weights (loss 1e-3 relative, adapter gradients 1e-2 relative); the store takes
// the planned bytes, and recomputation on top still gives the same bits.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Batch, type EngineOptions } from '../../src/engine/engine';
import type { EngineDevice } from '../../src/engine/device';
import { float32ToFloat16Bits } from '../../src/export/float-encode';
import { validateConfig, type ModelConfig, type TrainShape } from '../../src/model/config';
import { initParams } from '../../src/model/init';
import { initLora, LORA_TARGETS, loraSpecs, validateLora, type LoraConfig } from '../../src/model/lora';
import { estimateMemory } from '../../src/model/memory';
import { paramSpecs } from '../../src/model/params';
import { float16ToFloat32 } from '../../src/train/checkpoint/float-formats';
import { describeDiff, diff, engineDevice, randomArray } from './harness';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); });

// hiddenDim 42: gate/up/down are not vec4-aligned, so they take the scalar matmul; q/k/v/o the vec4 one.
const config: ModelConfig = validateConfig({
  dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 42, vocabSize: 50, contextLength: 16, normEps: 1e-5, ropeTheta: 10000,
});
const shape: TrainShape = { batchSize: 2, seqLen: 13, accumSteps: 1 };
const lora: LoraConfig = validateLora({ rank: 3, alpha: 6, targets: [...LORA_TARGETS] });

function randomBatch(seed: number): Batch {
  const n = shape.batchSize * shape.seqLen;
  const r = randomArray(2 * n, seed, 0, 1);
  return {
    inputs: Int32Array.from(r.subarray(0, n), (v) => Math.floor(v * config.vocabSize)),
    targets: Int32Array.from(r.subarray(n), (v) => Math.floor(v * config.vocabSize)),
  };
}

const toF16 = (v: Float32Array) => float16ToFloat32(Uint16Array.from(v, (x) => float32ToFloat16Bits(x)));

/** The base with its linear layers rounded to f16 values (what an F16 or BF16 release holds). */
function roundedBase(base: Map<string, Float32Array>): Map<string, Float32Array> {
  const out = new Map(base);
  for (const s of paramSpecs(config)) if (s.kind === 'linear') out.set(s.name, toF16(base.get(s.name)!));
  return out;
}

async function engineFor(base: Map<string, Float32Array>, opts: EngineOptions): Promise<Engine> {
  const engine = await Engine.createTrainer(dev, config, shape, { lora, ...opts });
  engine.setParams(base);
  const adapter = initLora(config, lora, 5);
  for (const s of loraSpecs(config, lora)) if (s.part === 'B') adapter.set(s.name, randomArray(s.shape[0] * s.shape[1], 9 + s.layer, -0.3, 0.3));
  for (const [name, v] of adapter) engine.adapter!.write(name, v);
  return engine;
}

async function stepAndGrads(e: Engine, seed: number) {
  const r = await e.trainStep([randomBatch(seed)], 0);
  const grads = new Map<string, Float32Array>();
  for (const s of e.adapter!.specs) grads.set(s.name, await e.adapter!.read(s.name, 'grads'));
  return { loss: r.loss, grads };
}

describe('f16 frozen base', () => {
  for (const [name, opts] of [
    ['lanes matmuls (this adapter\'s layout)', {}],
    ['scalar + vec4 direct matmuls', { kernels: { matmul: 'direct' as const } }],
    ['scalar + tiled matmuls (a GPU\'s layout)', { kernels: { matmul: 'tiled' as const } }],
    ['with recomputation', { recompute: true }],
  ] as const) {
    it(`${name}: weights already f16 give the f32 base's loss and adapter gradients bit for bit`, async () => {
      const base = roundedBase(initParams(config, 3));
      const f32 = await engineFor(base, opts), f16 = await engineFor(base, { ...opts, f16Base: true });
      const a = await stepAndGrads(f32, 1), b = await stepAndGrads(f16, 1);
      expect(b.loss).toBe(a.loss);
      for (const [n, g] of a.grads) expect(Array.from(b.grads.get(n)!), n).toEqual(Array.from(g));
      f32.destroy(); f16.destroy();
    });
  }

  it('arbitrary f32 weights: loss within 1e-3 and adapter gradients within 1e-2 (relative) of the f32 base', async () => {
    const base = initParams(config, 4);
    const f32 = await engineFor(base, {}), f16 = await engineFor(base, { f16Base: true });
    const a = await stepAndGrads(f32, 2), b = await stepAndGrads(f16, 2);
    const lossRel = Math.abs(b.loss - a.loss) / a.loss;
    expect(lossRel).toBeLessThan(1e-3);
    let worst = { name: '', rel: 0 };
    for (const [n, g] of a.grads) {
      const d = diff(b.grads.get(n)!, g);
      if (d.rel > worst.rel) worst = { name: n, rel: d.rel };
      if (!(d.rel <= 1e-2)) throw new Error(describeDiff(`gradient of ${n}`, d));
    }
    console.log(`f16 base: loss ${b.loss.toFixed(6)} vs ${a.loss.toFixed(6)} (rel ${lossRel.toExponential(2)}), worst adapter gradient ${worst.name} ${worst.rel.toExponential(2)}`);
    f32.destroy(); f16.destroy();
  });

  it('stores the planned bytes (linear layers at 2 bytes, norms and embedding at 4) and reads back the f16 values', async () => {
    const base = initParams(config, 6);
    const e = await engineFor(base, { f16Base: true });
    const plan = estimateMemory(config, shape, dev.caps.limits, { lora, f16Base: true });
    expect(e.store.table('params').bytes + e.adapter!.table('params').bytes).toBe(plan.bytes.parameters);
    const full = estimateMemory(config, shape, dev.caps.limits, { lora });
    expect(plan.bytes.parameters).toBeLessThan(full.bytes.parameters);
    const q = 'model.layers.1.self_attn.q_proj.weight', norm = 'model.layers.1.input_layernorm.weight';
    expect(Array.from(await e.store.read(q))).toEqual(Array.from(toF16(base.get(q)!)));
    expect(Array.from(await e.store.read(norm))).toEqual(Array.from(base.get(norm)!));
    expect(estimateMemory(config, shape, dev.caps.limits, { f16Base: true }).problems[0]).toMatch(/frozen LoRA base/);
    e.destroy();
  });

  it('refuses a weight beyond f16\'s range, naming the tensor and the place, rather than storing infinity', async () => {
    const base = initParams(config, 8);
    const e = await engineFor(base, { f16Base: true });
    const up = 'model.layers.0.mlp.up_proj.weight';
    const edge = base.get(up)!.slice();
    edge[5] = 65519;   // rounds to 65504, f16's largest: still the model it was given, to f16's precision
    e.store.write(up, edge);
    expect((await e.store.read(up))[5]).toBe(65504);
    const over = edge.slice();
    over[7] = -7e4;
    expect(() => e.store.write(up, over)).toThrow(/model\.layers\.0\.mlp\.up_proj\.weight: value -70000 at index 7 is beyond f16's range.*--f32-base/);
    e.destroy();
  });
});
