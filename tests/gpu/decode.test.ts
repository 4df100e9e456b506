// Generation with a KV cache (src/engine/generator.ts) against the full forward per token on the same
// weights, and against the tfjs reference model: the same greedy tokens, each step's logits within 1e-4 of
// the full forward's last position, at prompt lengths 1, across prefill chunks and up to the max length
// exactly, grouped-query and not, tied and untied heads; seeded sampling equal to the full-forward path's;
// nothing created per token; lengths past the plan refused.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineDevice } from '../../src/engine/device';
import { Engine } from '../../src/engine/engine';
import type { Generator } from '../../src/engine/generator';
import { validateConfig, type ModelConfig } from '../../src/model/config';
import { initParams } from '../../src/model/init';
import { paramSpecs } from '../../src/model/params';
import { referenceLogits } from '../../src/model/reference';
import { ForwardGenerator } from '../../src/train/sampling';
import { diff, describeDiff, engineDevice, useCpuBackend } from './harness';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); await useCpuBackend(); });

const base = { normEps: 1e-5, ropeTheta: 10000, nLayers: 2, contextLength: 24 };
const CONFIGS: { name: string; config: ModelConfig }[] = [
  { name: 'grouped-query, untied', config: validateConfig({ ...base, dim: 32, nHeads: 4, nKvHeads: 2, hiddenDim: 48, vocabSize: 50 }) },
  { name: 'multi-head, tied', config: validateConfig({ ...base, dim: 24, nHeads: 2, nKvHeads: 2, hiddenDim: 40, vocabSize: 37, tieWordEmbeddings: true }) },
];
const MAX_LEN = 19;        // not a multiple of the prefill chunk
const PREFILL_ROWS = 4;

/** Logits (V) after `ids` from the full forward over a (1, maxLen) window, as the old sampling path ran it. */
async function fullForward(engine: Engine, ids: readonly number[]): Promise<Float32Array> {
  const T = engine.shape.seqLen, inputs = new Int32Array(T);
  inputs.set(ids);
  return engine.logitsAt({ inputs, targets: new Int32Array(T).fill(-1) }, ids.length - 1);
}

function referenceLast(config: ModelConfig, params: Record<string, tf.Tensor>, ids: readonly number[]): Float32Array {
  return tf.tidy(() => referenceLogits(config, params, tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32'))
    .slice([ids.length - 1, 0], [1, -1]).dataSync() as Float32Array);
}

const argmax = (z: Float32Array): number => z.reduce((b, v, i) => (v > z[b] ? i : b), 0);

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

describe.each(CONFIGS)('KV-cache generation, $name', ({ config }) => {
  let engine: Engine;
  let gen: Generator;
  let ref: Record<string, tf.Tensor>;
  beforeAll(async () => {
    const params = initParams(config, 7);
    engine = await Engine.createForward(dev, config, { batchSize: 1, seqLen: MAX_LEN });
    engine.setParams(params);
    gen = await engine.createGenerator({ maxLen: MAX_LEN, prefillRows: PREFILL_ROWS });
    ref = Object.fromEntries(paramSpecs(config).map((p) => [p.name, tf.tensor(params.get(p.name)!, [...p.shape])]));
    return () => { gen.destroy(); engine.destroy(); tf.dispose(Object.values(ref)); };
  });

  const prompts: [string, number, number][] = [
    ['prompt of 1', 1, 6],
    ['prompt across prefill chunks', 7, 5],
    ['prompt + new tokens = max length', 6, MAX_LEN - 6],
  ];
  for (const [name, P, N] of prompts) {
    it(`${name}: greedy tokens and every step's logits equal the full forward's and the reference's`, async () => {
      const seq = Array.from({ length: P }, (_, i) => (i * 13 + 5) % config.vocabSize);
      let logits = await gen.prefill(seq);
      let worst = { rel: 0, maxAbs: 0, at: -1, got: 0, want: 0 };
      for (let i = 0; i < N; i++) {
        const want = await fullForward(engine, seq);
        const d = diff(logits, want);
        if (!(d.maxAbs <= 1e-4)) throw new Error(`${describeDiff(`logits after ${seq.length} tokens`, d)} exceeds 1e-4`);
        if (d.maxAbs > worst.maxAbs) worst = d;
        const next = argmax(logits);
        expect(next, `token ${i}`).toBe(argmax(want));
        expect(next, `token ${i} (reference)`).toBe(argmax(referenceLast(config, ref, seq)));
        seq.push(next);
        if (i < N - 1) logits = await gen.append(next);
      }
      expect(gen.length).toBe(P + N - 1);
      console.log(describeDiff(`${name}, worst step`, worst));
    });
  }

  it('samples with temperature and top-k exactly as the full forward per token does, for the same seed', async () => {
    const prompt = [1, 2, 3];
    const o = { maxNewTokens: 10, temperature: 1.3, topK: 5, seed: 11 };
    const seen: number[] = [];
    const fast = await gen.generate(prompt, o, (id) => seen.push(id));
    const slow = await new ForwardGenerator((ids) => fullForward(engine, ids)).generate(prompt, o);
    expect(fast).toEqual(slow);
    expect(seen).toEqual(fast.ids);
    expect(fast.reason).toBe('length');
    // A stop token ends it without being included; an abort ends it after the current token.
    const stopped = await gen.generate(prompt, { ...o, stopIds: [fast.ids[4]] });
    expect(stopped.ids).toEqual(fast.ids.slice(0, fast.ids.indexOf(fast.ids[4])));
    expect(stopped.reason).toBe('stop');
    const abort = new AbortController();
    const cut = await gen.generate(prompt, { ...o, signal: abort.signal }, (_, ids) => { if (ids.length === 3) abort.abort(); });
    expect(cut).toEqual({ ids: fast.ids.slice(0, 3), reason: 'cancelled' });
  });

  it('refuses a length past its plan or past the context', async () => {
    await expect(gen.generate([1, 2], { maxNewTokens: MAX_LEN - 1, temperature: 0, topK: 0, seed: 1 })).rejects.toThrow(/positions/);
    await expect(gen.prefill(Array(MAX_LEN + 1).fill(1))).rejects.toThrow(/longer/);
    await expect(engine.createGenerator({ maxLen: config.contextLength + 1 })).rejects.toThrow(/beyond the model's context/);
  });
});

describe('KV-cache generation, planned once', () => {
  it('creates no buffer, pipeline or bind group per token, and reports its memory', async () => {
    const config = CONFIGS[0].config;
    const { dev: counted, counts } = countingDevice(dev);
    const engine = await Engine.createForward(counted, config, { batchSize: 1, seqLen: 8 });
    engine.setParams(initParams(config, 2));
    const gen = await engine.createGenerator({ maxLen: MAX_LEN, prefillRows: PREFILL_ROWS });
    const o = { maxNewTokens: 8, temperature: 0.7, topK: 0, seed: 3 };
    await gen.generate([1, 2, 3, 4, 5], o);
    counts.clear();
    const r = await gen.generate([1, 2, 3, 4, 5, 6], o);
    const created = [...counts].filter(([k]) => k !== 'createCommandEncoder');
    expect(created).toEqual([]);
    // One submission per prefill chunk (6 rows in chunks of 4: 2) and per token fed back (the last is not).
    expect(counts.get('createCommandEncoder')).toBe(2 + r.ids.length - 1);
    // The plan: K and V per layer, (KV, L, D) floats each.
    expect(gen.memory.cacheBytes).toBe(2 * config.nLayers * config.nKvHeads * MAX_LEN * (config.dim / config.nHeads) * 4);
    expect(gen.describeMemory()).toMatch(/KV cache/);
    gen.destroy();
    engine.destroy();
  });
});
