// The training worker's imported model: the folder it holds (its Files, read a tensor at a time), the
// forward-only engine its weights sit in until a run needs the GPU, and the chat replies asked of either.
// The service owns one; it keeps the import state out of the run's state machine.
import type { EngineDevice } from '../engine/device';
import type { LoadProgress } from '../train/checkpoint/hf-folder';
import { ForwardGenerator } from '../train/sampling';
import type { Trainer } from '../train/trainer';
import { chatFormat, specialTokens } from './chat-prompt';
import { loadForward, modelCard, openImportedModel, type ForwardModel, type ImportedModel } from './model-import';
import type { ModelCard, ModelFile, TrainEvent } from './train-api';
import type { ChatModel } from './train-chat';

export class ModelSlot {
  private held: ImportedModel | null = null;
  private forward: ForwardModel | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Chat replies the page stopped, by id. */
  readonly cancelled = new Set<number>();

  constructor(private readonly emit: (e: TrainEvent) => void) {}

  get current(): ImportedModel | null { return this.held; }

  /** Checks the files as a model folder (headers only): nothing held changes when it refuses. */
  open(files: readonly ModelFile[], name: string): Promise<ImportedModel> {
    return openImportedModel(files, name);
  }

  /** Holds `m` in place of any earlier model and, on WebGPU, streams its weights into a forward engine. */
  async hold(m: ImportedModel, dev: EngineDevice | null): Promise<ModelCard> {
    this.forget();
    try {
      if (dev) this.forward = await this.exclusive(() => loadForward(dev, m, this.progress(m)));
    } catch (e) {
      throw new Error(`${m.name} did not load into the GPU: ${(e as Error).message}`);
    }
    this.held = m; // only a model that loaded: one too big to run is not offered to Train
    return modelCard(m, this.forward !== null);
  }

  /** 'model-loading' events for the page's progress bar. */
  progress(m: ImportedModel): (p: LoadProgress) => void {
    return (p) => this.emit({ type: 'model-loading', name: m.name, tensors: p.tensors, totalTensors: p.totalTensors, bytes: p.bytes, totalBytes: p.totalBytes });
  }

  /** Frees the forward engine (a run is about to build its own from the same files); the card's "On the GPU" follows. */
  releaseGpu(): void {
    const f = this.forward;
    this.forward = null;
    if (!f) return;
    void this.exclusive(async () => f.destroy());
    if (this.held) this.emit({ type: 'model-gpu', name: this.held.name, onGpu: false });
  }

  forget(): void {
    this.releaseGpu();
    this.held = null;
  }

  /** The forward engine as a chat model, while it holds the weights (before any run). */
  chatModel(): ChatModel | null {
    const m = this.held, f = this.forward;
    if (!m || !f) return null;
    return {
      generator: f.generator, tokenizer: m.folder.tokenizer, format: m.format, specials: m.specials,
      contextLength: m.folder.config.contextLength, extraStops: [m.folder.eosId],
    };
  }

  /** One generation at a time on the forward engine (its KV cache is its state). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/**
 * A run's weights as a chat model: its KV-cache generator where the backend has one (else a full forward per
 * token over the training length), with the chat format of the model it started from, or the default.
 */
export async function runChatModel(trainer: Trainer, base: ImportedModel | null): Promise<ChatModel> {
  const backend = trainer.backend, tok = trainer.tokenizer;
  const kv = await backend.generator?.();
  return {
    generator: kv ?? new ForwardGenerator((ids) => backend.nextLogits(ids)),
    tokenizer: tok,
    format: base?.format ?? chatFormat(null, tok),
    specials: base?.specials ?? specialTokens(tok.toJSON()),
    contextLength: kv ? backend.config.contextLength : trainer.config.seqLen,
    extraStops: base ? [base.folder.eosId] : [],
  };
}
