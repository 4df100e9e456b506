// A LoRA run in the page: an adapter trained on the imported model, its base frozen. The base's weights stream
// from the dropped folder's Files into the engine's frozen store a tensor at a time (the same progress bar as
// the import); the adapter starts as PEFT's (A seeded, B zero). What the run saves — export, autosave — is a
// PEFT adapter folder with its trainer state and AdamW moments (peft-adapter.ts), which resumes only on the
// same base; "Download merged model" writes W + s B A into a plain Hugging Face folder of the base's family.
//
// Chat and samples on base + adapter: the KV-cache generator runs the base alone, so a LoRA run has none and
// the chat takes the LoRA backend's own forward (batch 1, the training length) per token, the adapter applied
// unmerged exactly as in training. That costs a full forward per token and caps the conversation at the
// training length, but needs no second copy of the base on the GPU (merging into a chat copy would double
// the weights' memory, which is what decides whether a model fits the browser at all).
import type { Tokenizer } from '../data/tokenizer/tokenizer';
import type { MixtureSampler } from '../data/sampler';
import { initLora, validateLora, type LoraConfig, type LoraTarget } from '../model/lora';
import type { TrainConfig } from '../train/config';
import type { CheckpointFiles } from '../train/checkpoint/checkpoint';
import type { ByteSource } from '../train/checkpoint/byte-source';
import { loadWeights, type LoadProgress } from '../train/checkpoint/hf-folder';
import { modelFolderFiles } from '../train/checkpoint/model-folder';
import { ADAPTER_FILES, buildAdapterFiles, readAdapter, type LoadedAdapter } from '../train/checkpoint/peft-adapter';
import { expAvgName, expAvgSqName } from '../train/checkpoint/trainer-state';
import { LoraBackend } from '../train/lora-backend';
import { mergedWeight } from '../train/lora-merge';
import { Trainer } from '../train/trainer';
import type { ImportedModel } from './model-import';
import { memoryEngineOptions, type Compute, type MemoryRequest } from './train-compute';

/** What the page asks for: the form's rank, alpha and target modules (PEFT's names). */
export interface LoraRequest {
  rank: number;
  alpha: number;
  targets: LoraTarget[];
}

/** The request checked: on an imported model, on our engine, with a rank and alpha the engine takes. */
export function checkLora(req: LoraRequest, base: ImportedModel | null, compute: Compute, engine: 'auto' | 'tfjs'): LoraConfig {
  if (!base) throw new Error('LoRA trains an adapter on an imported model: import one first (Start from a model)');
  if (engine === 'tfjs' || !compute.dev) throw new Error('LoRA runs on the WebGPU engine only, not on the tfjs reference model');
  try {
    return validateLora(req);
  } catch (e) {
    throw new Error(`LoRA ${(e as Error).message}`);
  }
}

/** The engine with the base frozen (streamed from the folder) and a fresh adapter. */
export async function loraBackend(compute: Compute, base: ImportedModel, lora: LoraConfig, train: TrainConfig,
  onProgress: (p: LoadProgress) => void, memory?: MemoryRequest): Promise<LoraBackend> {
  const backend = await LoraBackend.create(compute.dev!, base.folder.config, train, lora, memoryEngineOptions(memory, true));
  try {
    await backend.setParams(initLora(base.folder.config, lora, train.seed)); // a restored run overwrites both
    await loadWeights(base.folder, (name, values) => backend.engine.store.write(name, values), onProgress);
    return backend;
  } catch (e) {
    backend.destroy();
    throw e;
  }
}

/** The trainer of a LoRA run: its checkpoints are the adapter folder, not a whole model. */
export class LoraTrainer extends Trainer {
  constructor(override readonly backend: LoraBackend, sampler: MixtureSampler, config: TrainConfig, tokenizer: Tokenizer,
    datasetId: string, readonly lora: LoraConfig, readonly base: ImportedModel) {
    super(backend, sampler, config, tokenizer, datasetId);
  }

  override async checkpoint(): Promise<CheckpointFiles> {
    const { m, v } = await this.backend.getMoments();
    const moments = new Map<string, Float32Array>();
    for (const [name, value] of m) moments.set(expAvgName(name), value);
    for (const [name, value] of v) moments.set(expAvgSqName(name), value);
    return buildAdapterFiles({
      base: this.backend.config, lora: this.lora, baseModel: this.base.name, tensors: await this.backend.getParams(),
      training: { trainerState: this.trainerState(), moments },
    });
  }
}

/** A zip's files are a PEFT adapter folder (a LoRA run's export or autosave) rather than a model checkpoint. */
export const isAdapterFolder = (files: ReadonlyMap<string, ByteSource>): boolean => files.has(ADAPTER_FILES.config);

/** An adapter folder to resume on the held base: refused, naming file and field, unless it is this base's and resumable. */
export async function readLoraRestore(files: ReadonlyMap<string, ByteSource>, base: ImportedModel | null):
  Promise<{ adapter: LoadedAdapter; training: NonNullable<LoadedAdapter['training']>; base: ImportedModel }> {
  if (!base) {
    throw new Error(`this is a LoRA adapter (${ADAPTER_FILES.config}): import its base model first (Start from a model), then load it again`);
  }
  const adapter = await readAdapter(files, base.folder.config);
  if (!adapter.training) {
    throw new Error(`${ADAPTER_FILES.trainerState}: missing, so this adapter cannot resume training (it can still be merged with npm run export)`);
  }
  return { adapter, training: adapter.training, base };
}

/** The base with the adapter merged (W + s B A), as a plain Hugging Face folder of the base's family, tensor by tensor. */
export function mergedModelFiles(base: ImportedModel, lora: LoraConfig, adapter: ReadonlyMap<string, Float32Array>): CheckpointFiles {
  const f = base.folder;
  const read = async (name: string) => {
    const v = adapter.get(name);
    if (!v) throw new Error(`the adapter has no tensor ${name}`);
    return v;
  };
  return modelFolderFiles({
    config: f.config, tokenizerJSON: f.tokenizerJSON, bosId: f.bosId, eosId: f.eosId,
    params: async (name) => mergedWeight(f.config, lora, name, await f.weights.read(name), read),
    ...(base.kept ? { kept: base.kept } : {}),
  });
}
