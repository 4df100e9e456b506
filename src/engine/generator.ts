// Generation with a KV cache: the prompt runs once (prefill, in chunks of R rows), then each new token is one
// row through the model against the cache (decode). Planned once for a max length L: the cache, both step
// graphs, their uniforms and the logits read-back buffer exist before the first token and nothing is created
// per token. Only the last position's logits come back (V floats), and the token is chosen on the host by
// train/sampling's pickToken with the same seeded generator, so a sample equals the full-forward path's.
//
//   const gen = await engine.createGenerator({ maxLen: 512 });
//   const r = await gen.generate(promptIds, { maxNewTokens: 64, temperature: 0.8, topK: 40, seed: 1,
//     stopIds: [eos], signal }, (id, ids) => show(ids));
//   // r.ids: the new tokens; r.reason: 'length' | 'stop' | 'cancelled'
//   gen.destroy();
//
// One generation at a time per generator (the cache is its state); a second generate() waits for none and
// must not overlap the first. The engine's weights may change between generations (training): the prefill
// recomputes the cache from them.
import { decodeMemory, kvCacheTable, type DecodeMemory } from '../model/decode-memory';
import { formatBytes } from '../model/memory';
import { headDim } from '../model/config';
import { ropeTables } from './kernels/elementwise';
import { decodeLoop, type GenerateOptions, type GenerateResult, type OnToken, type TokenGenerator } from '../train/sampling';
import { allocateTable, type TensorTable } from './buffers';
import { DecodeStepGraph } from './decode-graph';
import type { Engine } from './engine';
import { encodeDispatches, KernelContext, type TensorView } from './kernel-context';
import { STEP_UNIFORM_BYTES, stepUniform } from './kernels/attention-decode';

export interface GeneratorOptions {
  /** Longest prompt + new tokens; at most the model's context length. */
  readonly maxLen: number;
  /** Prompt rows per prefill pass (default min(maxLen, 128)); tests lower it to cross chunk boundaries. */
  readonly prefillRows?: number;
}

export class Generator implements TokenGenerator {
  readonly maxLen: number;
  readonly memory: DecodeMemory;
  /** Positions in the cache: the prompt and the tokens fed back so far. */
  length = 0;
  private readonly ctx: KernelContext;
  private readonly cache: TensorTable;
  private readonly step: TensorView;
  private readonly prefillGraph: DecodeStepGraph;
  private readonly decodeGraph: DecodeStepGraph;
  private readonly staging: GPUBuffer;
  private readonly rope: { cos: Float32Array; sin: Float32Array };
  private busy = false;

  private constructor(private readonly engine: Engine, opts: GeneratorOptions) {
    const c = engine.config, lim = engine.ctx.caps.limits;
    const maxLen = opts.maxLen, prefillRows = opts.prefillRows ?? Math.min(maxLen, 128);
    this.memory = decodeMemory(c, { maxLen, prefillRows }, lim);
    if (this.memory.problems.length > 0) throw new Error(`cannot plan this generator: ${this.memory.problems.join('; ')}`);
    this.maxLen = maxLen;
    const device = engine.device;
    // Uniform blocks of its own, so destroy() frees everything it made (pipelines stay cached per device).
    this.ctx = new KernelContext(device, engine.ctx.caps, engine.ctx.choices);
    const maxBindingBytes = lim.maxStorageBufferBindingSize;
    this.cache = allocateTable(device, `kv cache ${maxLen}`, kvCacheTable(c, maxLen), { maxBindingBytes });
    const stepBuffer = device.createBuffer({ label: 'decode step', size: STEP_UNIFORM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.step = { buffer: stepBuffer, offset: 0, size: STEP_UNIFORM_BYTES, label: 'decode step' };
    this.prefillGraph = new DecodeStepGraph(this.ctx, c, engine.store, this.cache, this.step, prefillRows, maxLen, maxBindingBytes);
    this.decodeGraph = new DecodeStepGraph(this.ctx, c, engine.store, this.cache, this.step, 1, maxLen, maxBindingBytes);
    this.staging = device.createBuffer({ label: 'decode logits read-back', size: c.vocabSize * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.rope = ropeTables(maxLen, headDim(c), c.ropeTheta);
  }

  /** Plans a generator on the engine's weights under WebGPU error scopes, so a refused plan names its kernel. */
  static async create(engine: Engine, opts: GeneratorOptions): Promise<Generator> {
    const device = engine.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let g: Generator | null = null;
    try {
      g = new Generator(engine, opts);
    } finally {
      const validation = await device.popErrorScope();
      const oom = await device.popErrorScope();
      const err = validation ?? oom;
      if (err) { g?.destroy(); throw new Error(`WebGPU refused the generator's plan: ${err.message}`); }
    }
    return g;
  }

  describeMemory(): string {
    return `KV cache ${formatBytes(this.memory.cacheBytes)} for ${this.maxLen} positions, ` +
      `decode activations ${formatBytes(this.memory.activationBytes)}`;
  }

  /**
   * Continues `promptIds` (at least one token) by up to maxNewTokens, calling `onToken` after each; the prompt
   * and the new tokens together must fit maxLen (refused otherwise).
   */
  async generate(promptIds: readonly number[], o: GenerateOptions, onToken?: OnToken): Promise<GenerateResult> {
    if (promptIds.length + o.maxNewTokens > this.maxLen) {
      throw new Error(`a prompt of ${promptIds.length} tokens and ${o.maxNewTokens} new ones need ` +
        `${promptIds.length + o.maxNewTokens} positions; this generator holds ${this.maxLen}`);
    }
    if (this.busy) throw new Error('this generator is already generating: one generation at a time');
    this.busy = true;
    try {
      return await decodeLoop(o, onToken, () => this.prefill(promptIds), (id) => this.append(id));
    } finally {
      this.busy = false;
    }
  }

  /** Runs the prompt into an empty cache; returns the logits (V) after its last token. */
  async prefill(ids: readonly number[]): Promise<Float32Array> {
    if (ids.length < 1) throw new Error('a prompt needs at least one token (BOS)');
    if (ids.length > this.maxLen) throw new Error(`a prompt of ${ids.length} tokens is longer than this generator's ${this.maxLen} positions`);
    this.checkIds(ids);
    this.length = 0;
    const R = this.prefillGraph.rows;
    for (let p0 = 0; p0 < ids.length; p0 += R) {
      const rows = Math.min(R, ids.length - p0);
      const last = p0 + rows === ids.length;
      this.submit(this.prefillGraph, ids.slice(p0, p0 + rows), last);
    }
    return this.readLogits();
  }

  /** Feeds one token at position `length`; returns the logits (V) after it. */
  async append(id: number): Promise<Float32Array> {
    if (this.length === 0) throw new Error('prefill a prompt before appending tokens');
    if (this.length >= this.maxLen) throw new Error(`the cache is full (${this.maxLen} positions)`);
    this.checkIds([id]);
    this.submit(this.decodeGraph, [id], true);
    return this.readLogits();
  }

  private checkIds(ids: readonly number[]): void {
    const V = this.engine.config.vocabSize;
    ids.forEach((t, i) => { if (!(Number.isInteger(t) && t >= 0 && t < V)) throw new Error(`token ${t} at ${i} is outside the vocabulary [0, ${V})`); });
  }

  /** Writes the rows' tokens, positions and RoPE rows, then records the graph (and, last, the head) in one pass. */
  private submit(g: DecodeStepGraph, ids: readonly number[], withHead: boolean): void {
    const q = this.engine.device.queue, pos = this.length, rows = ids.length, half = headDim(this.engine.config) / 2;
    const a = (name: string) => g.acts.get(name);
    q.writeBuffer(a('inputs').buffer, 0, Int32Array.from(ids));
    q.writeBuffer(a('rope.cos').buffer, 0, this.rope.cos, pos * half, rows * half);
    q.writeBuffer(a('rope.sin').buffer, 0, this.rope.sin, pos * half, rows * half);
    q.writeBuffer(this.step.buffer, 0, stepUniform(pos, rows));
    const enc = this.engine.device.createCommandEncoder({ label: `decode ${pos}+${rows}` });
    let pass = enc.beginComputePass({ label: 'decode layers' });
    encodeDispatches(pass, g.layers);
    pass.end();
    if (withHead) {
      const C = this.engine.config.dim, x = a('x'), xlast = a('xlast');
      enc.copyBufferToBuffer(x.buffer, (rows - 1) * C * 4, xlast.buffer, 0, C * 4);
      pass = enc.beginComputePass({ label: 'decode head' });
      encodeDispatches(pass, g.head);
      pass.end();
      const logits = a('logits');
      enc.copyBufferToBuffer(logits.buffer, 0, this.staging, 0, logits.size);
    }
    q.submit([enc.finish()]);
    this.length = pos + rows;
  }

  private async readLogits(): Promise<Float32Array> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(this.staging.getMappedRange().slice(0));
    this.staging.unmap();
    return out;
  }

  destroy(): void {
    this.prefillGraph.destroy();
    this.decodeGraph.destroy();
    for (const b of this.cache.buffers) b.destroy();
    this.step.buffer.destroy();
    this.staging.destroy();
    this.ctx.destroy();
  }
}
