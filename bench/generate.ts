// Text generation: tokens per second with the KV cache (src/engine/generator.ts: the prompt once, one position
// per new token) against the path it replaced (a full forward over the window per token, EngineBackend's old
// nextLogits), same weights, same adapter, same process. Both must produce the same greedy tokens before
// either is timed. A second table weighs sampling on the GPU: what reading back one logits row and picking
// on the host cost per token, against reading back a single id.
import type { EngineDevice } from '../src/engine/device';
import { Engine } from '../src/engine/engine';
import type { ModelConfig } from '../src/model/config';
import { initParams } from '../src/model/init';
import { Xoshiro128 } from '../src/data/rng';
import { ForwardGenerator, pickToken, type GenerateOptions, type TokenGenerator } from '../src/train/sampling';
import type { BenchTable } from './table';

export interface GenerateBenchCase {
  readonly name: string;
  readonly config: ModelConfig;
  readonly maxLen: number;
  readonly promptLength: number;
  readonly newTokens: number;
}

async function timed(g: TokenGenerator, prompt: number[], o: GenerateOptions): Promise<{ ids: number[]; firstMs: number; perSecond: number }> {
  const t0 = performance.now();
  let first = 0;
  const r = await g.generate(prompt, o, (_, ids) => { if (ids.length === 1) first = performance.now() - t0; });
  const total = performance.now() - t0;
  return { ids: r.ids, firstMs: first, perSecond: ((r.ids.length - 1) * 1000) / (total - first) };
}

export async function benchGeneration(dev: EngineDevice, cases: readonly GenerateBenchCase[], adapterName: string): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  for (const c of cases) {
    const engine = await Engine.createForward(dev, c.config, { batchSize: 1, seqLen: c.maxLen });
    engine.setParams(initParams(c.config, 1));
    const gen = await engine.createGenerator({ maxLen: c.maxLen });
    const T = c.maxLen;
    const full = new ForwardGenerator((ids) => {
      const inputs = new Int32Array(T);
      inputs.set(ids.slice(-T));
      return engine.logitsAt({ inputs, targets: new Int32Array(T).fill(-1) }, Math.min(ids.length, T) - 1);
    });
    const prompt = Array.from({ length: c.promptLength }, (_, i) => (i * 7919 + 1) % c.config.vocabSize);
    const o: GenerateOptions = { maxNewTokens: c.newTokens, temperature: 0, topK: 0, seed: 1 };
    await gen.generate(prompt, { ...o, maxNewTokens: 2 });    // warm-up: pipelines compile on first use
    await full.generate(prompt, { ...o, maxNewTokens: 2 });
    const a = await timed(gen, prompt, o);
    const b = await timed(full, prompt, o);
    if (a.ids.join() !== b.ids.join()) throw new Error(`${c.name}: the KV cache's greedy tokens differ from the full forward's`);
    rows.push([c.name, `${c.promptLength} + ${c.newTokens} of ${c.maxLen}`, a.perSecond, b.perSecond,
      `${(a.perSecond / b.perSecond).toFixed(1)}x`, a.firstMs, b.firstMs]);
    gen.destroy();
    engine.destroy();
  }
  return {
    title: `Generation, tokens/s after the first (${adapterName})`,
    columns: ['preset', 'prompt + new of max', 'KV cache', 'full forward per token', 'ratio', 'first token ms (KV)', 'first token ms (full)'],
    rows,
    note: 'Greedy, same weights; both paths produced the same tokens before being timed. The full forward runs the whole (1, max) window per token, as sampling did before the cache.',
  };
}

/** Host-side costs per token for a vocabulary of V: read-backs of a row and of one id, and the pick itself. */
export async function benchSamplingCosts(dev: EngineDevice, V: number, repeats: number): Promise<BenchTable> {
  const d = dev.device;
  const src = d.createBuffer({ label: 'bench logits', size: V * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const staging = d.createBuffer({ label: 'bench read-back', size: V * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const readback = async (bytes: number) => {
    const enc = d.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, staging, 0, bytes);
    d.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    const out = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    return out;
  };
  const time = async (f: () => unknown) => {
    await f();
    const t0 = performance.now();
    for (let i = 0; i < repeats; i++) await f();
    return (performance.now() - t0) / repeats;
  };
  const rng = new Xoshiro128(5);
  const logits = Float32Array.from({ length: V }, () => rng.nextFloat() * 20 - 10);
  const oldTopK = () => Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]).slice(0, 40);
  const rows: (string | number)[][] = [
    ['read back one logits row', `${V * 4} B`, await time(() => readback(V * 4))],
    ['read back one id (what a GPU argmax would)', '4 B', await time(() => readback(4))],
    ['greedy pick on the host', `${V} logits`, await time(() => pickToken(logits, { temperature: 0, topK: 0 }, rng))],
    ['top-k 40 pick on the host', `${V} logits`, await time(() => pickToken(logits, { temperature: 0.8, topK: 40 }, rng))],
    ['top-k 40 by sorting every id (before)', `${V} logits`, await time(oldTopK)],
  ];
  src.destroy();
  staging.destroy();
  return { title: 'Sampling costs per token, ms', columns: ['step', 'size', 'ms'], rows,
    note: 'Decides where sampling runs: against a decode step, a row read-back and a host pick are small, so the token is picked on the host from one row.' };
}
