// The engine's front door: a model on the GPU with its training graph and optimizer, planned once for a
// config and a batch shape. A training step uploads tokens, replays the recorded kernels, and reads back the
// loss and gradient norm; it creates no GPU object but its command encoders.
import { validateConfig, validateShape, type ModelConfig, type TrainShape } from '../model/config';
import { loraSpecs, validateLora, type LoraConfig } from '../model/lora';
import { estimateMemory, formatBytes, updatePerLayerRefusal } from '../model/memory';
import type { EngineDevice } from './device';
import { ModelGraph } from './graph';
import { encodeDispatches, KernelContext, type Dispatch, type KernelChoices } from './kernel-context';
import { defaultPositions, type AttentionTiles } from './kernels/attention';
import { embeddingSegments } from './kernels/embedding';
import { setLossScale } from './kernels/loss';
import { Generator, type GeneratorOptions } from './generator';
import { AdamW, HARE_OPTIMIZER, type OptimizerConfig } from './optimizer';
import { MultiTensorAdamW } from './optimizer-multi';
import { ParamStore } from './param-store';
import { UpdatePerLayer } from './update-per-layer';

export interface EngineOptions {
  /** Largest tensor per storage binding; defaults to the adapter's limit. */
  readonly maxBindingBytes?: number;
  /** Largest parameter piece; defaults to maxBindingBytes (tests lower it to force split weights). */
  readonly paramPieceBytes?: number;
  readonly logitsChunkRows?: number;
  readonly attentionTiles?: AttentionTiles;
  readonly optimizer?: OptimizerConfig;
  /** Kernel layouts; by default chosen from the adapter (see KernelChoices). */
  readonly kernels?: Partial<KernelChoices>;
  /** Extra forward-only shapes to plan up front (evaluation, sampling), sharing the parameters. */
  readonly forwardShapes?: readonly { batchSize: number; seqLen: number }[];
  /** Train (or run) a LoRA adapter on the frozen base: the base gets no gradients and no AdamW moments. */
  readonly lora?: LoraConfig;
  /** Activation recomputation: keep each block's input, recompute the block in the backward (same results,
   *  one block's activations in memory instead of every layer's; about one more forward per step). */
  readonly recompute?: boolean;
  /** With `lora`: the frozen base's linear layers stored as f16 (packed, read by the matmul as f32); half the
   *  base's memory, the weights rounded to f16 (a BF16 or F16 release loses nothing in its normal range). */
  readonly f16Base?: boolean;
  /** Full training with one micro-batch per step: the AdamW update applied layer by layer in the backward, so one
   *  layer's gradients live at a time instead of every layer's (the embedding's, the final norm's and lm_head's
   *  keep their own). The same losses, clipping, skipping and weights to the bit, for a second backward per
   *  step (update-per-layer.ts). Refused with LoRA or accumulation. */
  readonly updatePerLayer?: boolean;
  /** Every block's large saved activations but the top one's kept as f16 between its forward and its backward
   *  (packed two per word; graph.ts), about half the activation memory; every kernel still computes in f32,
   *  and the results move by the rounding (tests/gpu/f16-activations.test.ts states the tolerances). Training
   *  only; excludes recompute. */
  readonly f16Activations?: boolean;
  /** false: the unfused kernels (a dispatch per residual add, per RMSNorm, per tensor in the optimizer, for
   *  RoPE after the q and k projections, and SwiGLU's act written for the down projection to read), the
   *  baseline `npm run bench` times the fused engine against; the same losses and weights either way. */
  readonly fuse?: boolean;
}

/**
 * One micro-batch: N = B*T input tokens and the N next tokens to predict (-1: not predicted). `positions`
 * (N), for rows packed with several examples: each token's place within its example (0 where one starts,
 * then +1 per token), so RoPE restarts and attention stays inside the example. Absent: positions 0..T-1.
 */
export interface Batch {
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
  readonly positions?: Int32Array;
}

export interface StepResult {
  readonly loss: number;       // mean cross-entropy over every predicted (learned) token of the step; the gradient is its gradient
  readonly gradNorm: number;   // before clipping
  readonly skipped: boolean;   // the gradient was not finite: the weights were left as they were
}

/**
 * Splits rows of T+1 tokens (row-major, as the sampler returns them) into inputs and shifted targets. With
 * the rows' segment words (data/pack/segments.ts: position in bits 0..14, learn in bit 15), the batch gets
 * each input's position, and a target only where the next token is learned and continues the same example.
 */
export function batchFromRows(rows: Int32Array, batchSize: number, seqLen: number, segments?: Uint16Array): Batch {
  if (rows.length !== batchSize * (seqLen + 1)) {
    throw new Error(`expected ${batchSize} rows of ${seqLen + 1} tokens (${batchSize * (seqLen + 1)}), got ${rows.length}`);
  }
  const inputs = new Int32Array(batchSize * seqLen);
  const targets = new Int32Array(batchSize * seqLen);
  for (let b = 0; b < batchSize; b++) {
    const r = rows.subarray(b * (seqLen + 1), (b + 1) * (seqLen + 1));
    inputs.set(r.subarray(0, seqLen), b * seqLen);
    targets.set(r.subarray(1), b * seqLen);
  }
  // A padding input (-1) predicts nothing, and feeds token 0 so the embedding stays in range.
  for (let i = 0; i < inputs.length; i++) if (inputs[i] < 0) { inputs[i] = 0; targets[i] = -1; }
  if (!segments) return { inputs, targets };
  if (segments.length !== rows.length) throw new Error(`expected ${rows.length} segment words, got ${segments.length}`);
  const positions = new Int32Array(batchSize * seqLen);
  for (let b = 0; b < batchSize; b++) {
    for (let t = 0; t < seqLen; t++) {
      const here = segments[b * (seqLen + 1) + t], next = segments[b * (seqLen + 1) + t + 1];
      positions[b * seqLen + t] = here & 0x7fff;
      // The next token starts another example (position 0) or is context only (learn bit clear): no target.
      if ((next & 0x8000) === 0 || (next & 0x7fff) === 0) targets[b * seqLen + t] = -1;
    }
  }
  return { inputs, targets, positions };
}

/**
 * The loss gradient's scale for one optimizer step: 1 / (targets >= 0 over all its micro-batches), so the
 * gradient is that of the mean loss over learned tokens. A step with nothing learned has a zero gradient; its
 * scale is 0 rather than infinite.
 */
export function lossScale(micro: readonly Pick<Batch, 'targets'>[]): number {
  let count = 0;
  for (const b of micro) for (let i = 0; i < b.targets.length; i++) if (b.targets[i] >= 0) count++;
  return count > 0 ? 1 / count : 0;
}

/** Positions restart at 0 (an example starts) or go up by one, within each row of T. */
function checkPositions(pos: Int32Array, n: number, seqLen: number): void {
  if (pos.length !== n) throw new Error(`a batch's positions need ${n} entries, got ${pos.length}`);
  for (let i = 0; i < n; i++) {
    const p = pos[i], t = i % seqLen;
    if (!(p === 0 || (t > 0 && p === pos[i - 1] + 1))) {
      throw new Error(`position ${p} at token ${i} (row place ${t}) neither starts an example (0) nor follows ${t > 0 ? pos[i - 1] : 'the row start'}`);
    }
  }
}

export class Engine {
  readonly ctx: KernelContext;
  readonly store: ParamStore;
  /** The LoRA adapter's tensors (PEFT names), trained in place of the base; null without LoRA. */
  readonly adapter: ParamStore | null;
  readonly lora: LoraConfig | null;
  /** The training graph recomputes each block in the backward. */
  readonly recompute: boolean;
  /** The training step applies the update layer by layer (null: the normal step). */
  private readonly perLayer: UpdatePerLayer | null = null;
  /** The training step applies the update layer by layer. */
  get updatePerLayer(): boolean { return this.perLayer !== null; }
  /** The training graph keeps its saved activations as f16. */
  readonly f16Activations: boolean;
  /** A LoRA run's frozen base is stored as f16. */
  readonly f16Base: boolean;
  /** The fused kernels (EngineOptions.fuse): what the memory plan counts. */
  readonly fuse: boolean;
  readonly graph: ModelGraph;
  readonly optimizer: AdamW | MultiTensorAdamW | null;
  readonly forwardGraphs: ModelGraph[] = [];
  readonly config: ModelConfig;
  readonly shape: TrainShape;
  /** Optimizer steps taken (AdamW's t). */
  stepCount = 0;
  private readonly staging: GPUBuffer;
  private readonly segments: Uint32Array;

  private constructor(dev: EngineDevice, config: ModelConfig, shape: TrainShape, readonly training: boolean, opts: EngineOptions) {
    this.config = validateConfig(config);
    this.shape = validateShape(shape, config);
    const limits = dev.caps.limits;
    const maxBindingBytes = Math.min(opts.maxBindingBytes ?? limits.maxStorageBufferBindingSize, limits.maxStorageBufferBindingSize);
    this.lora = opts.lora ? validateLora(opts.lora) : null;
    this.recompute = training && opts.recompute === true;
    const perLayer = training && opts.updatePerLayer === true;
    this.f16Activations = training && opts.f16Activations === true;
    this.f16Base = opts.f16Base === true;
    this.fuse = opts.fuse !== false;
    const lora = this.lora ?? undefined;
    const refusal = perLayer ? updatePerLayerRefusal({ lora, accumSteps: shape.accumSteps }) : null;
    if (refusal) throw new Error(refusal);
    const est = estimateMemory(this.config, shape, { ...limits, maxStorageBufferBindingSize: maxBindingBytes },
      { mode: training ? 'train' : 'forward', lora, recompute: opts.recompute, f16Base: opts.f16Base, updatePerLayer: perLayer,
        f16Activations: opts.f16Activations, fuse: opts.fuse });
    if (est.problems.length > 0) throw new Error(`this configuration cannot run on this adapter: ${est.problems.join('; ')}`);
    this.ctx = new KernelContext(dev.device, dev.caps, opts.kernels);
    const pieceBytes = Math.min(opts.paramPieceBytes ?? maxBindingBytes, maxBindingBytes);
    // Fused, the trained store is packed for the multi-tensor optimizer: parameter groups of up to one binding.
    const packed = opts.fuse !== false, packBytes = packed ? maxBindingBytes : undefined;
    this.store = new ParamStore(this.ctx, this.config, training && !lora, pieceBytes, undefined, '',
      { f16Linear: opts.f16Base === true, packBytes, layerGrads: perLayer });
    this.adapter = lora ? new ParamStore(this.ctx, this.config, training, maxBindingBytes,
      loraSpecs(this.config, lora).map((s) => ({ name: s.name, shape: s.shape, kind: 'linear' as const, decay: true })), 'lora ', { packBytes }) : null;
    const trained = this.adapter ?? this.store;
    const common = {
      maxBindingBytes, logitsChunkRows: opts.logitsChunkRows, attentionTiles: opts.attentionTiles, fuse: opts.fuse,
      ...(lora ? { lora: { config: lora, store: this.adapter! } } : {}),
    };
    this.graph = new ModelGraph(this.ctx, this.config, this.store, shape,
      { ...common, mode: training ? 'train' : 'forward', accumSteps: shape.accumSteps, recompute: opts.recompute, updatePerLayer: perLayer,
        f16Activations: opts.f16Activations });
    for (const s of opts.forwardShapes ?? []) {
      this.forwardGraphs.push(new ModelGraph(this.ctx, this.config, this.store, s, { ...common, mode: 'forward' }));
    }
    const oc = opts.optimizer ?? HARE_OPTIMIZER;
    this.optimizer = !training ? null : packed ? new MultiTensorAdamW(this.ctx, trained, oc) : new AdamW(this.ctx, trained, oc);
    if (perLayer) this.perLayer = new UpdatePerLayer(this.graph, this.optimizer!, this.store.layerGradBuffers());
    if (training) { trained.clear('exp_avg'); trained.clear('exp_avg_sq'); }
    const N = shape.batchSize * shape.seqLen;
    const maxN = Math.max(N * shape.accumSteps, ...this.forwardGraphs.map((g) => g.nTokens), 1);
    // Readbacks: a step's losses and optimizer stats, or one row of logits (V) when sampling.
    this.staging = dev.device.createBuffer({
      label: 'staging', size: Math.max(maxN * 4 + 16, this.config.vocabSize * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.segments = new Uint32Array(1 + 4 * N);
  }

  /** A training engine: parameters, gradients, AdamW moments, the training graph. */
  static createTrainer(dev: EngineDevice, config: ModelConfig, shape: TrainShape, opts: EngineOptions = {}): Promise<Engine> {
    return Engine.validated(dev, () => new Engine(dev, config, shape, true, opts));
  }

  /** A forward-only engine (evaluation, sampling): parameters and activations only. */
  static createForward(dev: EngineDevice, config: ModelConfig, shape: { batchSize: number; seqLen: number },
    opts: EngineOptions = {}): Promise<Engine> {
    return Engine.validated(dev, () => new Engine(dev, config, { ...shape, accumSteps: 1 }, false, opts));
  }

  /** Builds under WebGPU error scopes so that a shader or binding error fails loudly, naming the kernel. */
  private static async validated(dev: EngineDevice, build: () => Engine): Promise<Engine> {
    dev.device.pushErrorScope('out-of-memory');
    dev.device.pushErrorScope('validation');
    let engine: Engine | null = null;
    try {
      engine = build();
    } finally {
      const validation = await dev.device.popErrorScope();
      const oom = await dev.device.popErrorScope();
      const err = validation ?? oom;
      if (err) {
        engine?.destroy();
        throw new Error(`WebGPU refused the engine's plan: ${err.message}`);
      }
    }
    return engine;
  }

  get device(): GPUDevice { return this.ctx.device; }

  /**
   * A KV-cache generator on these weights, planned once for `maxLen` positions (at most the context): see
   * generator.ts. The caller destroys it; it must not outlive the engine.
   */
  createGenerator(opts: GeneratorOptions): Promise<Generator> {
    // The decode graphs run the base alone; an adapter is sampled through the full forward (or merged first).
    if (this.adapter) return Promise.reject(new Error('the KV-cache generator does not run LoRA adapters; merge the adapter first'));
    return Generator.create(this, opts);
  }

  /** Uploads every parameter from a map of HF names to row-major data. */
  setParams(params: ReadonlyMap<string, Float32Array>): void {
    for (const s of this.store.specs) {
      const data = params.get(s.name);
      if (!data) throw new Error(`missing parameter ${s.name}`);
      this.store.write(s.name, data);
    }
  }

  async getParams(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const s of this.store.specs) out.set(s.name, await this.store.read(s.name));
    return out;
  }

  private checkTokens(b: Batch, n: number, seqLen: number): void {
    if (b.inputs.length !== n || b.targets.length !== n) {
      throw new Error(`a batch needs ${n} inputs and targets, got ${b.inputs.length} and ${b.targets.length}`);
    }
    const V = this.config.vocabSize;
    for (let i = 0; i < n; i++) {
      const t = b.inputs[i], y = b.targets[i];
      if (!(t >= 0 && t < V)) throw new Error(`input token ${t} at position ${i} is outside the vocabulary [0, ${V})`);
      if (!(y >= -1 && y < V)) throw new Error(`target token ${y} at position ${i} is outside the vocabulary [0, ${V})`);
    }
    if (b.positions) checkPositions(b.positions, n, seqLen);
  }

  private upload(graph: ModelGraph, b: Batch, withSegments: boolean): void {
    const q = this.device.queue, acts = graph.acts;
    const inputs = acts.get('inputs'), targets = acts.get('targets');
    q.writeBuffer(inputs.buffer, inputs.offset, b.inputs.buffer, b.inputs.byteOffset, b.inputs.byteLength);
    q.writeBuffer(targets.buffer, targets.offset, b.targets.buffer, b.targets.byteOffset, b.targets.byteLength);
    // Every upload writes the positions: a packed batch's must not linger into the next plain one.
    const pos = acts.get('positions'), p = b.positions ?? defaultPositions(graph.shape.batchSize, graph.shape.seqLen);
    q.writeBuffer(pos.buffer, pos.offset, p.buffer, p.byteOffset, p.byteLength);
    if (withSegments) {
      const seg = acts.get('segments');
      embeddingSegments(b.inputs, this.segments);
      q.writeBuffer(seg.buffer, seg.offset, this.segments.buffer, 0, seg.size);
    }
  }

  private async readStaging(bytes: number): Promise<Float32Array> {
    await this.staging.mapAsync(GPUMapMode.READ, 0, bytes);
    const out = new Float32Array(this.staging.getMappedRange(0, bytes).slice(0));
    this.staging.unmap();
    return out;
  }

  /**
   * One optimizer step over `micro.length` (= accumSteps) micro-batches with learning rate `lr`:
   * gradients summed over the micro-batches, clipped by global norm, AdamW applied.
   */
  async trainStep(micro: readonly Batch[], lr: number): Promise<StepResult> {
    if (!this.optimizer) throw new Error('this engine was created forward-only');
    const { batchSize, seqLen, accumSteps } = this.shape;
    if (micro.length !== accumSteps) throw new Error(`expected ${accumSteps} micro-batches, got ${micro.length}`);
    const N = batchSize * seqLen, g = this.graph, q = this.device.queue;
    micro.forEach((b) => this.checkTokens(b, N, seqLen));
    // The gradient is that of the loss reported below, the mean over the step's learned targets (all N ×
    // accumSteps in pretraining: the scale the graph was built with, to the bit).
    setLossScale(q, g.losses, lossScale(micro));
    const losses = g.acts.get('losses');
    this.optimizer.setStep(lr, this.stepCount + 1);
    const statsAt = accumSteps * N * 4;
    if (this.perLayer) {
      // One micro-batch: the norm pass and the update pass (update-per-layer.ts) in one submission.
      this.upload(g, micro[0], true);
      const enc = this.device.createCommandEncoder({ label: 'update per layer' });
      for (const buf of this.store.table('grads').buffers) enc.clearBuffer(buf);
      this.perLayer.encode(enc);
      enc.copyBufferToBuffer(losses.buffer, losses.offset, this.staging, 0, N * 4);
      enc.copyBufferToBuffer(this.optimizer.stats.buffer, this.optimizer.stats.offset, this.staging, statsAt, 16);
      q.submit([enc.finish()]);
      return this.stepResult(micro, statsAt);
    }
    for (let i = 0; i < accumSteps; i++) {
      this.upload(g, micro[i], true);
      const enc = this.device.createCommandEncoder({ label: `micro-batch ${i}` });
      if (i === 0) for (const buf of (this.adapter ?? this.store).table('grads').buffers) enc.clearBuffer(buf);
      const pass = enc.beginComputePass({ label: 'forward-backward' });
      encodeDispatches(pass, g.forward);
      encodeDispatches(pass, g.head);
      encodeDispatches(pass, g.backward);
      pass.end();
      enc.copyBufferToBuffer(losses.buffer, losses.offset, this.staging, i * N * 4, N * 4);
      q.submit([enc.finish()]);
    }
    const enc = this.device.createCommandEncoder({ label: 'optimizer' });
    const pass = enc.beginComputePass({ label: 'clip + adamw' });
    this.optimizer.encode(pass);
    pass.end();
    enc.copyBufferToBuffer(this.optimizer.stats.buffer, this.optimizer.stats.offset, this.staging, statsAt, 16);
    q.submit([enc.finish()]);
    return this.stepResult(micro, statsAt);
  }

  /** Reads back a step's per-token losses (micro-batch after micro-batch) and the optimizer's stats at `statsAt`. */
  private async stepResult(micro: readonly Batch[], statsAt: number): Promise<StepResult> {
    const N = this.shape.batchSize * this.shape.seqLen, at = statsAt / 4;
    const out = await this.readStaging(statsAt + 16);
    // Mean of the per-token losses of predicted positions, summed in double precision.
    let sum = 0, count = 0;
    micro.forEach((b, m) => { for (let i = 0; i < N; i++) if (b.targets[i] >= 0) { sum += out[m * N + i]; count++; } });
    const skipped = out[at + 2] !== 0;
    if (!skipped) this.stepCount++;
    return { loss: count > 0 ? sum / count : NaN, gradNorm: out[at], skipped };
  }

  /** Per-position losses (0 where the target is -1) for one batch of the given forward shape. */
  async forwardLosses(b: Batch, graph: ModelGraph = this.forwardGraphs[0] ?? this.graph): Promise<Float32Array> {
    const N = graph.nTokens;
    this.checkTokens(b, N, graph.shape.seqLen);
    this.upload(graph, b, false);
    const enc = this.device.createCommandEncoder({ label: 'forward' });
    const pass = enc.beginComputePass({ label: 'forward' });
    encodeDispatches(pass, graph.forward);
    encodeDispatches(pass, graph.headLoss);
    pass.end();
    const losses = graph.acts.get('losses');
    enc.copyBufferToBuffer(losses.buffer, losses.offset, this.staging, 0, N * 4);
    this.device.queue.submit([enc.finish()]);
    return this.readStaging(N * 4);
  }

  /** Logits (V) at one position of one batch row, for sampling. */
  async logitsAt(b: Batch, row: number, graph: ModelGraph = this.forwardGraphs[0] ?? this.graph): Promise<Float32Array> {
    const N = graph.nTokens, V = this.config.vocabSize;
    this.checkTokens(b, N, graph.shape.seqLen);
    if (row < 0 || row >= N) throw new Error(`row ${row} outside [0, ${N})`);
    this.upload(graph, b, false);
    const chunk = Math.floor(row / graph.chunkRows);
    const enc = this.device.createCommandEncoder({ label: 'logits' });
    const pass = enc.beginComputePass({ label: 'logits' });
    encodeDispatches(pass, graph.forward);
    encodeDispatches(pass, graph.headLogits[chunk]);
    pass.end();
    const logits = graph.acts.get('logits');
    enc.copyBufferToBuffer(logits.buffer, logits.offset + (row - chunk * graph.chunkRows) * V * 4, this.staging, 0, V * 4);
    this.device.queue.submit([enc.finish()]);
    return this.readStaging(V * 4);
  }

  /** Runs a list of dispatches once (kernel tests and benchmarks). */
  run(list: readonly Dispatch[]): void {
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    encodeDispatches(pass, list);
    pass.end();
    this.device.queue.submit([enc.finish()]);
  }

  describeMemory(): string {
    const e = estimateMemory(this.config, this.shape, this.ctx.caps.limits,
      { mode: this.training ? 'train' : 'forward', lora: this.lora ?? undefined, recompute: this.recompute, f16Base: this.store.f16Linear,
        updatePerLayer: this.perLayer !== null, f16Activations: this.f16Activations, fuse: this.fuse });
    const trainable = this.lora ? ` (${(e.trainable / 1e6).toFixed(2)}M in the LoRA adapter, trained)` : '';
    return `${(e.parameters / 1e6).toFixed(2)}M parameters${trainable}; ${formatBytes(e.bytes.total)} on the GPU ` +
      `(weights ${formatBytes(e.bytes.parameters)}, gradients ${formatBytes(e.bytes.gradients)}, ` +
      `AdamW ${formatBytes(e.bytes.adamMoments)}, activations ${formatBytes(e.bytes.activations)})`;
  }

  destroy(): void {
    this.graph.destroy();
    for (const g of this.forwardGraphs) g.destroy();
    this.optimizer?.destroy();
    this.store.destroy();
    this.adapter?.destroy();
    this.staging.destroy();
    this.ctx.destroy();
  }
}
