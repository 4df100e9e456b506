// A released Hugging Face folder dropped into the page, as the training worker holds it: the files stay
// Files (on disk, or in OPFS) and are read through blobSource, a File.slice per tensor, so a 2.2 GB BF16
// folder never sits whole in memory. Opening checks config.json, tokenizer.json and every tensor header
// (hf-folder.ts, refusals naming the file and field); the weights stream into GPU buffers one tensor at a
// time, either into a forward-only engine (chat before any training) or into a run's training backend.
import type { EngineDevice } from '../engine/device';
import { Engine } from '../engine/engine';
import type { Generator } from '../engine/generator';
import { architectureOf, isTied, type ModelConfig } from '../model/config';
import { numel, paramSpecs } from '../model/params';
import type { TrainBackend } from '../train/backend';
import { EngineBackend } from '../train/engine-backend';
import { blobSource, readAll, type ByteSource } from '../train/checkpoint/byte-source';
import { CheckpointError } from '../train/checkpoint/errors';
import { loadWeights, openHFFolder, type HFModelFolder, type LoadProgress } from '../train/checkpoint/hf-folder';
import type { KeptTokenizerConfig } from '../train/checkpoint/hf-config';
import { tokenizerDifferences } from '../train/tokenizer-diff';
import type { Tokenizer } from '../data/tokenizer/tokenizer';
import { ChatTemplate, chatTemplateFromConfig, type ChatTemplateSpec } from '../data/sft/chat-template';
import { chatFormat, specialTokens, type ChatFormat } from './chat-prompt';
import type { ModelCard, ModelFile } from './train-api';

const TOKENIZER_CONFIG = 'tokenizer_config.json';

export interface ImportedModel {
  readonly name: string;
  readonly folder: HFModelFolder;
  readonly format: ChatFormat;
  readonly specials: ReadonlyMap<string, number>;
  /** Its tokenizer_config.json's chat template and BOS/EOS strings, which models saved from it write back; null without a template. */
  readonly kept: KeptTokenizerConfig | null;
  /** The template SFT sources render with when the data is prepared for this model, as `npm run data` takes it
   *  from the folder's tokenizer_config.json (ChatML with its BOS/EOS when it has no chat_template); null
   *  without a tokenizer_config.json, or when its template does not parse (a warning says so): ChatML then. */
  readonly sftTemplate: ChatTemplateSpec | null;
  /** Why a tokenizer_config.json's template is not used for SFT sources (shown with the card's warnings). */
  readonly sftTemplateProblem: string | null;
}

async function optionalJSON(files: ReadonlyMap<string, ByteSource>, name: string): Promise<Record<string, unknown> | null> {
  const source = files.get(name);
  if (!source) return null;
  try {
    const v: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readAll(source)));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(name, `is not a valid JSON object (${(e as Error).message})`);
  }
}

/** Opens the dropped files as one model folder; refuses two files of the same name (two folders dropped at once). */
export async function openImportedModel(list: readonly ModelFile[], name: string): Promise<ImportedModel> {
  const files = new Map<string, ByteSource>();
  for (const f of list) {
    if (files.has(f.name)) throw new CheckpointError(f.name, 'was given twice: drop one model folder at a time');
    files.set(f.name, blobSource(f.file));
  }
  const folder = await openHFFolder(files, name);
  const config = await optionalJSON(files, TOKENIZER_CONFIG);
  const format = chatFormat(config, folder.tokenizer);
  const kept = format.origin === TOKENIZER_CONFIG ? { chatTemplate: format.template, bosToken: format.bosToken, eosToken: format.eosToken } : null;
  let sftTemplate: ChatTemplateSpec | null = config ? chatTemplateFromConfig(config, `${name}/${TOKENIZER_CONFIG}`) : null;
  let sftTemplateProblem: string | null = null;
  if (sftTemplate) {
    try { new ChatTemplate(sftTemplate); } catch (e) {
      sftTemplateProblem = `${TOKENIZER_CONFIG}: its chat_template does not parse (${(e as Error).message}); SFT sources will render with ChatML`;
      sftTemplate = null;
    }
  }
  return { name, folder, format, specials: specialTokens(folder.tokenizerJSON), kept, sftTemplate, sftTemplateProblem };
}

export function modelCard(m: ImportedModel, onGpu: boolean): ModelCard {
  const f = m.folder, c = f.config;
  const specs = paramSpecs(c);
  const dtypes = [...new Set(specs.map((s) => f.weights.tensors.get(s.name)!.dtype))];
  const tokenizerModel = f.tokenizerJSON.model as { type?: unknown } | undefined;
  return {
    name: m.name,
    className: architectureOf(c) === 'llama' ? 'LlamaForCausalLM' : 'MistralForCausalLM',
    config: c,
    tied: isTied(c),
    parameters: specs.reduce((n, s) => n + numel(s.shape), 0),
    storedBytes: f.paramBytes,
    dtypes,
    weightFiles: [...f.weights.files],
    tokenizer: {
      type: typeof tokenizerModel?.type === 'string' ? tokenizerModel.type : 'unknown',
      vocabSize: f.tokenizer.vocabSize, bosId: f.tokenizer.bosId, eosId: f.tokenizer.eosId,
      json: f.tokenizerJSON,
    },
    chatTemplate: m.format.origin,
    sftTemplate: m.sftTemplate,
    warnings: [...f.warnings, ...(m.sftTemplateProblem ? [m.sftTemplateProblem] : [])],
    onGpu,
  };
}

/** Streams the weights into a run's backend: into the engine's buffers tensor by tensor, or (tfjs) all at once. */
export async function loadIntoBackend(m: ImportedModel, backend: TrainBackend, onProgress: (p: LoadProgress) => void): Promise<void> {
  if (backend instanceof EngineBackend) {
    const store = backend.engine.store;
    await loadWeights(m.folder, (name, values) => store.write(name, values), onProgress);
    return;
  }
  // The tfjs reference model takes its parameters in one call (it is the fallback for small models only).
  const all = new Map<string, Float32Array>();
  await loadWeights(m.folder, (name, values) => { all.set(name, values); }, onProgress);
  await backend.setParams(all);
}

export interface ForwardModel {
  readonly engine: Engine;
  readonly generator: Generator;
  destroy(): void;
}

/** A forward-only engine (weights and activations, no gradients or moments) with a KV cache over the whole context. */
export async function loadForward(dev: EngineDevice, m: ImportedModel, onProgress: (p: LoadProgress) => void): Promise<ForwardModel> {
  const engine = await Engine.createForward(dev, m.folder.config, { batchSize: 1, seqLen: 1 });
  try {
    await loadWeights(m.folder, (name, values) => engine.store.write(name, values), onProgress);
    const generator = await engine.createGenerator({ maxLen: m.folder.config.contextLength });
    return { engine, generator, destroy: () => { generator.destroy(); engine.destroy(); } };
  } catch (e) {
    engine.destroy();
    throw e;
  }
}

/** A prepared dataset must be tokenized with the model's tokenizer.json: refused with what differs. */
export function checkDataTokenizer(m: ImportedModel, data: Tokenizer): void {
  const d = tokenizerDifferences(data, m.folder.tokenizer);
  if (d.length) {
    throw new Error(`the prepared data was tokenized with another tokenizer than ${m.name}/tokenizer.json (data vs model: ${d.join('; ')}): ` +
      `choose "the model's tokenizer.json" in the Data panel and prepare again`);
  }
}

/** A run from the imported weights must have the folder's config: the page sends it; anything else is refused. */
export function checkSameModel(m: ImportedModel, asked: ModelConfig): ModelConfig {
  const c = m.folder.config;
  const keys = new Set([...Object.keys(c), ...Object.keys(asked)] as (keyof ModelConfig)[]);
  const differ = [...keys].filter((k) => (asked[k] ?? undefined) !== (c[k] ?? undefined));
  if (differ.length) {
    throw new Error(`the model settings differ from ${m.name}/config.json (${differ.map((k) => `${k} ${String(asked[k])} vs ${String(c[k])}`).join(', ')})`);
  }
  return c;
}
