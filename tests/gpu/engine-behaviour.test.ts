// How the engine behaves around the maths: no GPU objects created after the first step (updating layer by
// layer too), a non-finite gradient leaves the weights untouched, bad token ids are refused, and a refused
// plan says why.
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineDevice } from '../../src/engine/device';
import { Engine, type Batch } from '../../src/engine/engine';
import { validateConfig } from '../../src/model/config';
import { initParams } from '../../src/model/init';
import { EMBED, LM_HEAD } from '../../src/model/params';
import { engineDevice, randomArray } from './harness';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); });

const config = validateConfig({ normEps: 1e-5, ropeTheta: 10000, dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 64, vocabSize: 40, contextLength: 32 });
const shape = { batchSize: 2, seqLen: 16, accumSteps: 2 };

function batch(seed: number): Batch {
  const n = shape.batchSize * shape.seqLen;
  const r = randomArray(2 * n, seed, 0, 1);
  return {
    inputs: Int32Array.from(r.subarray(0, n), (v) => Math.floor(v * config.vocabSize)),
    targets: Int32Array.from(r.subarray(n), (v) => Math.floor(v * config.vocabSize)),
  };
}

/** The device behind a proxy that counts every device.create* call by name. */
function countingDevice(d: EngineDevice): { dev: EngineDevice; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const device = new Proxy(d.device, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (typeof key === 'string' && key.startsWith('create')) counts.set(key, (counts.get(key) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { dev: { device, caps: d.caps }, counts };
}

describe('engine behaviour', () => {
  it('creates no buffer, pipeline, bind group or shader after the first step', async () => {
    const { dev: counted, counts } = countingDevice(dev);
    const engine = await Engine.createTrainer(counted, config, shape);
    engine.setParams(initParams(config, 3));
    expect(counts.get('createComputePipeline') ?? 0).toBeGreaterThan(5);
    await engine.trainStep([batch(1), batch(2)], 1e-3);
    counts.clear();
    for (let s = 0; s < 3; s++) await engine.trainStep([batch(10 + s), batch(20 + s)], 1e-3);
    // A command encoder per submission is how WebGPU records work; it is the only thing a step creates.
    const created = [...counts].filter(([k]) => k !== 'createCommandEncoder');
    expect(created).toEqual([]);
    expect(counts.get('createCommandEncoder')).toBe(3 * (shape.accumSteps + 1));
    engine.destroy();
  });

  it('updating layer by layer, creates nothing after the first step either: one command encoder per step', async () => {
    const { dev: counted, counts } = countingDevice(dev);
    const one = { ...shape, accumSteps: 1 };
    const engine = await Engine.createTrainer(counted, config, one, { updatePerLayer: true });
    engine.setParams(initParams(config, 3));
    await engine.trainStep([batch(1)], 1e-3);
    counts.clear();
    for (let s = 0; s < 3; s++) await engine.trainStep([batch(10 + s)], 1e-3);
    expect([...counts].filter(([k]) => k !== 'createCommandEncoder')).toEqual([]);
    expect(counts.get('createCommandEncoder')).toBe(3);
    engine.destroy();
  });

  it('leaves the weights at the last good state when the gradient is not finite', async () => {
    const engine = await Engine.createTrainer(dev, config, shape);
    const init = initParams(config, 4);
    engine.setParams(init);
    const good = await engine.trainStep([batch(3), batch(4)], 1e-3);
    expect(good.skipped).toBe(false);
    const before = await engine.getParams();
    const poisoned = new Float32Array(before.get(EMBED)!);
    poisoned.fill(Infinity, 0, config.dim * config.vocabSize);
    engine.store.write(EMBED, poisoned);
    const bad = await engine.trainStep([batch(5), batch(6)], 1e-3);
    expect(bad.skipped).toBe(true);
    expect(Number.isFinite(bad.loss)).toBe(false);
    expect(engine.stepCount).toBe(1);
    const head = await engine.store.read(LM_HEAD);
    expect(Array.from(head)).toEqual(Array.from(before.get(LM_HEAD)!));   // untouched by the skipped update
    engine.destroy();
  });

  it('refuses token ids outside the vocabulary, naming the position', async () => {
    const engine = await Engine.createTrainer(dev, config, shape);
    const b = batch(7);
    b.inputs[5] = config.vocabSize;
    await expect(engine.trainStep([b, batch(8)], 1e-3)).rejects.toThrow(/input token 40 at position 5/);
    engine.destroy();
  });

  it('refuses a plan that cannot fit the adapter, saying what to change', async () => {
    const big = validateConfig({ ...config, dim: 256, nHeads: 4, hiddenDim: 4096, contextLength: 4096 });
    await expect(Engine.createTrainer(dev, big, { batchSize: 4, seqLen: 4096, accumSteps: 1 }, { maxBindingBytes: 64 * 2 ** 20 }))
      .rejects.toThrow(/activation gate\.0 needs 256\.0 MiB .* binds at most 64\.0 MiB: use batch ≤ 1 with gradient accumulation/);
  });
});
