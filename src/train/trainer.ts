// The training loop, independent of where it runs (the page's worker, the Node CLI) and of what runs the
// model (TrainBackend): draw micro-batches from the mixture sampler, take an optimizer step at the
// scheduled learning rate, evaluate on the validation split, sample text, and save or restore everything a
// run needs to continue exactly.
import { batchFromRows } from '../engine/engine';
import { paramSpecs } from '../model/params';
import type { MixtureSampler } from '../data/sampler';
import { SamplerStateError } from '../data/sampler-state';
import type { Tokenizer, TokenizerJSON } from '../data/tokenizer/tokenizer';
import { tokenizerFingerprint } from '../data/tokenizer/fingerprint';
import type { TrainBackend } from './backend';
import { tokensPerStep, type TrainConfig } from './config';
import { learningRate } from './schedule';
import { generate, type SampleOptions } from './sampling';
import { buildCheckpoint, CHECKPOINT_FILES, type CheckpointFiles } from './checkpoint/checkpoint';
import type { KeptTokenizerConfig } from './checkpoint/hf-config';
import { CheckpointError } from './checkpoint/errors';
import type { LoadedCheckpoint } from './checkpoint/checkpoint-read';
import { expAvgName, expAvgSqName, type LossPoint, type TrainerState } from './checkpoint/trainer-state';

export interface StepMetrics {
  readonly step: number;          // optimizer steps done after this one
  readonly loss: number;
  readonly gradNorm: number;
  readonly lr: number;
  readonly tokens: number;        // tokens seen so far
  readonly ms: number;            // wall time of this step
  readonly tokensPerSecond: number;
  /** The loss or the gradient was NaN or infinite: the weights were left at the last good state. */
  readonly diverged: boolean;
}

/** The fingerprint of a tokenizer.json as it sits in a checkpoint (the tokenizer module hashes its model part). */
export function fingerprintOfJSON(json: TokenizerJSON): string {
  return tokenizerFingerprint({ name: 'tokenizer.json', vocabSize: 0, bosId: 0, eosId: 0, encode: () => [], decode: () => '', toJSON: () => json });
}

export class Trainer {
  step = 0;
  tokensSeen = 0;
  readonly history: LossPoint[] = [];

  /**
   * `kept`: the imported model's chat template and BOS/EOS strings (a run fine-tuning a released model), which
   * its checkpoints write back into tokenizer_config.json.
   */
  constructor(readonly backend: TrainBackend, readonly sampler: MixtureSampler, readonly config: TrainConfig,
    readonly tokenizer: Tokenizer, readonly datasetId: string, readonly kept?: KeptTokenizerConfig) {
    if (backend.config.vocabSize < tokenizer.vocabSize) {
      throw new Error(`the model's vocabulary (${backend.config.vocabSize}) is smaller than the tokenizer's (${tokenizer.vocabSize})`);
    }
  }

  get done(): boolean { return this.step >= this.config.steps; }

  /** One optimizer step over accumSteps micro-batches. */
  async trainStep(): Promise<StepMetrics> {
    const t = this.config;
    const start = performance.now();
    const micro = [];
    for (let i = 0; i < t.accumSteps; i++) {
      // Fine-tuning data brings segment words: positions per example and targets only on learned tokens.
      const rows = await this.sampler.nextRows(t.batchSize, this.step);
      micro.push(batchFromRows(rows.tokens, t.batchSize, t.seqLen, rows.segments ?? undefined));
    }
    const lr = learningRate(t, this.step);
    const r = await this.backend.trainStep(micro, lr);
    const ms = performance.now() - start;
    const diverged = r.skipped || !Number.isFinite(r.loss);
    if (!diverged) {
      this.step++;
      this.tokensSeen += tokensPerStep(t);
      this.history.push({ step: this.step, loss: r.loss });
    }
    return {
      step: this.step, loss: r.loss, gradNorm: r.gradNorm, lr, tokens: this.tokensSeen, ms,
      tokensPerSecond: tokensPerStep(t) / (ms / 1000), diverged,
    };
  }

  /** Mean loss over the validation split (the first evalBatches batches, or all when 0). */
  async evaluate(): Promise<number> {
    const t = this.config;
    let sum = 0, count = 0, batches = 0;
    for await (const rows of this.sampler.valRows(t.batchSize)) {
      const b = batchFromRows(rows.tokens, t.batchSize, t.seqLen, rows.segments ?? undefined);
      const losses = await this.backend.forwardLosses(b);
      for (let i = 0; i < b.targets.length; i++) if (b.targets[i] >= 0) { sum += losses[i]; count++; }
      if (t.evalBatches > 0 && ++batches >= t.evalBatches) break;
    }
    const loss = count > 0 ? sum / count : NaN;
    const last = this.history[this.history.length - 1];
    if (last && last.step === this.step) this.history[this.history.length - 1] = { ...last, valLoss: loss };
    else this.history.push({ step: this.step, loss: NaN, valLoss: loss });
    return loss;
  }

  sample(prompt: string, o: SampleOptions): Promise<{ text: string; ids: number[] }> {
    return generate(this.backend, this.tokenizer, prompt, o);
  }

  trainerState(): TrainerState {
    const t = this.config;
    return {
      modelConfig: this.backend.config,
      trainConfig: { ...t },
      step: this.step,
      tokensSeen: this.tokensSeen,
      schedulePosition: this.step,
      sampler: this.sampler.getState(),
      rng: null, // the sampler owns the only random stream of a run
      tokenizerFingerprint: tokenizerFingerprint(this.tokenizer),
      datasetId: this.datasetId,
      lossHistory: [...this.history],
      ...(this.backend.memory ? { memory: this.backend.memory } : {}),
    };
  }

  /** Every file of a checkpoint: the Hugging Face model folder plus the trainer state and AdamW moments. */
  async checkpoint(): Promise<CheckpointFiles> {
    const params = await this.backend.getParams();
    const { m, v } = await this.backend.getMoments();
    const moments = new Map<string, Float32Array>();
    for (const [name, value] of m) moments.set(expAvgName(name), value);
    for (const [name, value] of v) moments.set(expAvgSqName(name), value);
    return buildCheckpoint({
      config: this.backend.config,
      tokenizerJSON: this.tokenizer.toJSON(),
      bosId: this.tokenizer.bosId,
      eosId: this.tokenizer.eosId,
      params,
      moments,
      trainerState: this.trainerState(),
      ...(this.kept ? { kept: this.kept } : {}),
    });
  }

  /** Continues the run a checkpoint saved: weights, moments, step, schedule, data cursor. */
  async restore(ck: Pick<LoadedCheckpoint, 'trainerState' | 'readParam' | 'readMoment'>): Promise<void> {
    const s = ck.trainerState;
    const fp = tokenizerFingerprint(this.tokenizer);
    if (s.tokenizerFingerprint !== fp) {
      throw new Error(`this checkpoint was trained with another tokenizer (fingerprint ${s.tokenizerFingerprint} ≠ ${fp})`);
    }
    // The data cursor first: it is cheap to check against this dataset, and a bad one should be refused
    // before any weights are uploaded.
    try {
      this.sampler.setState(s.sampler);
    } catch (e) {
      if (e instanceof SamplerStateError) throw new CheckpointError(CHECKPOINT_FILES.trainerState, `sampler.${e.message}`);
      throw e;
    }
    const params = new Map<string, Float32Array>(), m = new Map<string, Float32Array>(), v = new Map<string, Float32Array>();
    for (const name of this.backend.paramNames?.() ?? paramSpecs(this.backend.config).map((s) => s.name)) {
      params.set(name, await ck.readParam(name));
      m.set(name, await ck.readMoment(expAvgName(name)));
      v.set(name, await ck.readMoment(expAvgSqName(name)));
    }
    await this.backend.setParams(params);
    await this.backend.setMoments({ m, v });
    this.backend.stepCount = s.step;
    this.step = s.schedulePosition;
    this.tokensSeen = s.tokensSeen;
    this.history.length = 0;
    // One push per point: spreading a long run's history (over ~125,000 points) into push's arguments
    // overflows the stack.
    for (const point of s.lossHistory) this.history.push(point);
  }
}
