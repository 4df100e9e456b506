// A checkpoint as a set of named files: a Hugging Face model folder (config.json, model.safetensors,
// tokenizer.json, tokenizer_config.json, generation_config.json) plus what resuming needs
// (trainer_state.json, optimizer.safetensors). Building produces the files as bodies to stream, without
// copying any tensor; the same map goes to a zip (zip-write.ts) or a folder (dir.node.ts).
import { validateConfig, type ModelConfig } from '../../model/config';
import { paramSpecs } from '../../model/params';
import type { TokenizerJSON } from '../../data/tokenizer/tokenizer';
import type { FileBody } from './byte-source';
import { configDifferences } from './config-diff';
import { CheckpointError } from './errors';
import { generationConfig, hfConfig, tokenizerConfig, type KeptTokenizerConfig } from './hf-config';
import { safetensorsFile, safetensorsLayout, type TensorGetter, type TensorSpec } from './safetensors';
import { tokenString, unkTokenString } from './tokenizer-json';
import { momentSpecs, serializeTrainerState, type TrainerState } from './trainer-state';

export const CHECKPOINT_FILES = {
  config: 'config.json',
  generationConfig: 'generation_config.json',
  tokenizerConfig: 'tokenizer_config.json',
  tokenizer: 'tokenizer.json',
  trainerState: 'trainer_state.json',
  model: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
} as const;

/** File name -> body, in the order the files are written (small JSON files first). */
export type CheckpointFiles = Map<string, FileBody>;

/** Tensors by name, in memory or fetched one at a time (a GPU readback) while the file streams out. */
export type TensorSource = ReadonlyMap<string, Float32Array> | TensorGetter;

export interface CheckpointInput {
  readonly config: ModelConfig;
  readonly tokenizerJSON: TokenizerJSON;
  readonly bosId: number;
  readonly eosId: number;
  /** By Hugging Face name (paramSpecs). */
  readonly params: TensorSource;
  /** By expAvgName / expAvgSqName of each parameter. */
  readonly moments: TensorSource;
  readonly trainerState: TrainerState;
  /** The imported model's chat template and BOS/EOS strings, written back into tokenizer_config.json. */
  readonly kept?: KeptTokenizerConfig;
}

/** Files in safetensors carry format "pt" so transformers loads them as PyTorch weights. */
const MODEL_METADATA = { format: 'pt' } as const;

const jsonBody = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

function getter(source: TensorSource, file: string, specs: readonly { name: string; shape: readonly number[] }[]): TensorGetter {
  if (typeof source === 'function') return source;
  // A map can be checked before anything is written, so a bad one fails before a download starts.
  for (const { name, shape } of specs) {
    const values = source.get(name);
    const need = shape.reduce((a, b) => a * b, 1);
    if (!values) throw new CheckpointError(file, `no values given for ${name}`);
    if (values.length !== need) throw new CheckpointError(file, `${name} has ${values.length} values, its shape [${shape.join(', ')}] needs ${need}`);
  }
  return (name) => source.get(name) as Float32Array;
}

export function buildCheckpoint(input: CheckpointInput): CheckpointFiles {
  const config = validateConfig(input.config);
  const { bosId, eosId, tokenizerJSON, trainerState } = input;
  const differences = configDifferences(trainerState.modelConfig, config);
  if (differences.length) {
    throw new CheckpointError(CHECKPOINT_FILES.trainerState, `modelConfig does not match the config being saved: ${differences.join('; ')}`);
  }
  const special = (id: number, role: string): string => {
    const token = tokenString(tokenizerJSON, id);
    if (token === undefined) throw new CheckpointError(CHECKPOINT_FILES.tokenizer, `has no token with id ${id} (the ${role} token)`);
    return token;
  };
  const tokens = { bos: special(bosId, 'BOS'), eos: special(eosId, 'EOS'), unk: unkTokenString(tokenizerJSON) };

  const params = paramSpecs(config);
  const moments = momentSpecs(config);
  const f32 = (specs: readonly { name: string; shape: readonly number[] }[]): TensorSpec[] =>
    specs.map(({ name, shape }) => ({ name, dtype: 'F32', shape }));
  const model = safetensorsLayout(f32(params), MODEL_METADATA);
  // The step in the optimizer file lets a reader notice moments and trainer state from different saves.
  const optimizer = safetensorsLayout(f32(moments), { ...MODEL_METADATA, step: String(trainerState.step) });

  const F = CHECKPOINT_FILES;
  const modelFile = safetensorsFile(model, getter(input.params, F.model, params), F.model);
  const optimizerFile = safetensorsFile(optimizer, getter(input.moments, F.optimizer, moments), F.optimizer);
  return new Map<string, FileBody>([
    [F.config, jsonBody(hfConfig(config, { bosId, eosId }))],
    [F.generationConfig, jsonBody(generationConfig({ bosId, eosId }))],
    [F.tokenizerConfig, jsonBody(tokenizerConfig(tokens, config.contextLength, input.kept))],
    [F.tokenizer, new TextEncoder().encode(JSON.stringify(tokenizerJSON))],
    [F.trainerState, new TextEncoder().encode(serializeTrainerState(trainerState))],
    [F.model, modelFile],
    [F.optimizer, optimizerFile],
  ]);
}
