// A LoRA adapter as PEFT saves one (save_pretrained): adapter_config.json and adapter_model.safetensors with
// tensors base_model.model.<module>.lora_A.weight [r, in] and .lora_B.weight [out, r], which
// peft.PeftModel.from_pretrained loads onto the base model. A training run adds what resuming needs:
// trainer_state.json (the base's config, the data cursor, the step) and optimizer.safetensors with AdamW's
// moments for the adapter's tensors only. Reading refuses, naming the file and field, anything that would
// not be this adapter on this base: another PEFT type or a feature we do not run (DoRA, rsLoRA, per-module
// ranks, fan_in_fan_out, trained biases), tensors missing, extra or of another shape than the base needs.
import type { ModelConfig } from '../../model/config';
import { LORA_TARGETS, loraSpecs, validateLora, type LoraConfig, type LoraTarget } from '../../model/lora';
import { readAll, type ByteSource, type FileBody } from './byte-source';
import type { TensorSource } from './checkpoint';
import { configDifferences } from './config-diff';
import { CheckpointError } from './errors';
import { formatBytes, inMemoryLimit } from './file-limits';
import { openSafetensors, safetensorsFile, safetensorsLayout, type SafetensorsReader, type TensorGetter } from './safetensors';
import { expAvgName, expAvgSqName, parseTrainerState, serializeTrainerState, type TrainerState } from './trainer-state';

export const ADAPTER_FILES = {
  config: 'adapter_config.json',
  model: 'adapter_model.safetensors',
  trainerState: 'trainer_state.json',
  optimizer: 'optimizer.safetensors',
} as const;

/** adapter_config.json as PEFT 0.13 writes it for a plain LoRA on a causal LM. */
export function adapterConfigJSON(l: LoraConfig, baseModel: string): Record<string, unknown> {
  return {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: baseModel,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: l.alpha,
    lora_dropout: 0.0,
    modules_to_save: null,
    peft_type: 'LORA',
    r: l.rank,
    rank_pattern: {},
    revision: null,
    target_modules: [...l.targets],
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: false,
  };
}

export interface AdapterInput {
  readonly base: ModelConfig;
  readonly lora: LoraConfig;
  /** base_model_name_or_path: the folder or hub id the adapter was trained on. */
  readonly baseModel: string;
  /** By PEFT name (loraSpecs). */
  readonly tensors: TensorSource;
  /** For a resumable training folder: the trainer state and the adapter's moments by expAvgName / expAvgSqName. */
  readonly training?: { readonly trainerState: TrainerState; readonly moments: TensorSource };
}

const jsonBody = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
const getter = (s: TensorSource): TensorGetter => (typeof s === 'function' ? s : (name) => {
  const v = s.get(name);
  if (!v) throw new Error(`no values given for ${name}`);
  return v;
});

export function buildAdapterFiles(input: AdapterInput): Map<string, FileBody> {
  const lora = validateLora(input.lora);
  const specs = loraSpecs(input.base, lora).map((s) => ({ name: s.name, dtype: 'F32' as const, shape: s.shape }));
  const F = ADAPTER_FILES;
  const files = new Map<string, FileBody>([
    [F.config, jsonBody(adapterConfigJSON(lora, input.baseModel))],
    [F.model, safetensorsFile(safetensorsLayout(specs, { format: 'pt' }), getter(input.tensors), F.model)],
  ]);
  if (input.training) {
    const s = input.training.trainerState;
    const moments = specs.flatMap((t) => [{ ...t, name: expAvgName(t.name) }, { ...t, name: expAvgSqName(t.name) }]);
    files.set(F.trainerState, new TextEncoder().encode(serializeTrainerState(s)));
    files.set(F.optimizer, safetensorsFile(safetensorsLayout(moments, { format: 'pt', step: String(s.step) }),
      getter(input.training.moments), F.optimizer));
  }
  return files;
}

// ---------------------------------------------------------------------------------------------- reading

export interface LoadedAdapter {
  readonly lora: LoraConfig;
  readonly baseModel: string | null;
  /** One adapter tensor by PEFT name, as float32. */
  readTensor(name: string): Promise<Float32Array>;
  /** Present when the folder holds a training run's state (trainer_state.json and optimizer.safetensors). */
  readonly training: { readonly trainerState: TrainerState; readMoment(name: string): Promise<Float32Array> } | null;
}

async function readJSON(source: ByteSource, name: string): Promise<unknown> {
  if (source.size > inMemoryLimit(name)) throw new CheckpointError(name, `is ${source.size} bytes, more than a file of its kind needs (${formatBytes(inMemoryLimit(name))})`);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readAll(source)));
  } catch (e) {
    throw new CheckpointError(name, `is not valid JSON (${(e as Error).message})`);
  }
}

/** The LoRA settings of an adapter_config.json; refuses, naming the field, what Leveret does not run as PEFT would. */
export function parseAdapterConfig(json: unknown, file: string = ADAPTER_FILES.config): { lora: LoraConfig; baseModel: string | null } {
  const fail = (field: string, message: string): never => { throw new CheckpointError(file, `${field}: ${message}`); };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CheckpointError(file, 'is not a JSON object');
  const c = json as Record<string, unknown>;
  if (c.peft_type !== 'LORA') fail('peft_type', `must be "LORA", got ${JSON.stringify(c.peft_type)}`);
  if (c.task_type !== undefined && c.task_type !== null && c.task_type !== 'CAUSAL_LM') fail('task_type', `must be "CAUSAL_LM", got ${JSON.stringify(c.task_type)}`);
  const r = c.r;
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) fail('r', `must be a positive integer, got ${JSON.stringify(r)}`);
  const alpha = c.lora_alpha ?? 8;   // PEFT's default
  if (typeof alpha !== 'number' || !(alpha > 0)) fail('lora_alpha', `must be a positive number, got ${JSON.stringify(alpha)}`);
  const modules = c.target_modules;
  if (!Array.isArray(modules) || modules.length === 0 || !modules.every((m) => typeof m === 'string')) {
    fail('target_modules', `must be a list of module names (a regular expression is not supported), got ${JSON.stringify(modules)}`);
  }
  const unknown = (modules as string[]).filter((m) => !LORA_TARGETS.includes(m as LoraTarget));
  if (unknown.length) fail('target_modules', `${unknown.join(', ')} not supported (Leveret adapts ${LORA_TARGETS.join(', ')})`);
  // Features that change the arithmetic: refused rather than silently run as plain LoRA.
  const off: [string, unknown][] = [['fan_in_fan_out', false], ['use_dora', false], ['use_rslora', false]];
  for (const [field, want] of off) if (c[field] !== undefined && c[field] !== want) fail(field, `must be ${want}, got ${JSON.stringify(c[field])}`);
  if (c.bias !== undefined && c.bias !== 'none') fail('bias', `must be "none" (trained biases are not supported), got ${JSON.stringify(c.bias)}`);
  for (const field of ['rank_pattern', 'alpha_pattern']) {
    const v = c[field];
    if (v !== undefined && v !== null && !(typeof v === 'object' && Object.keys(v as object).length === 0)) fail(field, 'per-module ranks or alphas are not supported');
  }
  for (const field of ['layers_to_transform', 'modules_to_save']) {
    if (c[field] !== undefined && c[field] !== null) fail(field, `must be null, got ${JSON.stringify(c[field])}`);
  }
  const base = typeof c.base_model_name_or_path === 'string' ? c.base_model_name_or_path : null;
  try {
    return { lora: validateLora({ rank: r as number, alpha: alpha as number, targets: modules as LoraTarget[] }), baseModel: base };
  } catch (e) {
    return fail('target_modules', (e as Error).message);
  }
}

/** Every adapter tensor present with the shape this base needs; nothing else. */
function checkTensors(reader: SafetensorsReader, specs: readonly { name: string; shape: readonly number[] }[], what: string): void {
  const fail = (m: string): never => { throw new CheckpointError(reader.fileName, m); };
  const missing = specs.filter((s) => !reader.tensors.has(s.name)).map((s) => s.name);
  if (missing.length) fail(`is missing ${missing.length} tensor(s) ${what} needs: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ' ...' : ''}`);
  for (const s of specs) {
    const found = reader.tensors.get(s.name)!.shape;
    if (found.length !== s.shape.length || found.some((d, i) => d !== s.shape[i])) {
      fail(`${s.name} has shape [${found.join(', ')}], ${what} needs [${s.shape.join(', ')}] (is it an adapter for another base model, or another r?)`);
    }
  }
  const known = new Set(specs.map((s) => s.name));
  const extra = [...reader.tensors.keys()].filter((n) => !known.has(n));
  if (extra.length) fail(`has ${extra.length} tensor(s) ${what} does not account for: ${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ' ...' : ''}`);
}

/**
 * Opens an adapter folder's files for `base`. With `expected` (a run being resumed or continued), the
 * adapter's r, alpha and targets must be those.
 */
export async function readAdapter(files: ReadonlyMap<string, ByteSource>, base: ModelConfig,
  expected?: LoraConfig): Promise<LoadedAdapter> {
  const F = ADAPTER_FILES;
  for (const f of [F.config, F.model]) if (!files.has(f)) throw new CheckpointError(f, 'missing (a PEFT LoRA adapter holds adapter_config.json and adapter_model.safetensors)');
  const { lora, baseModel } = parseAdapterConfig(await readJSON(files.get(F.config)!, F.config));
  if (expected) {
    const e = validateLora(expected);
    if (e.rank !== lora.rank) throw new CheckpointError(F.config, `r: the adapter has ${lora.rank}, this run asks for ${e.rank}`);
    if (e.alpha !== lora.alpha) throw new CheckpointError(F.config, `lora_alpha: the adapter has ${lora.alpha}, this run asks for ${e.alpha}`);
    if (e.targets.join() !== lora.targets.join()) {
      throw new CheckpointError(F.config, `target_modules: the adapter has ${lora.targets.join(', ')}, this run asks for ${e.targets.join(', ')}`);
    }
  }
  const specs = loraSpecs(base, lora);
  const model = await openSafetensors(files.get(F.model)!, F.model);
  checkTensors(model, specs, `this base model with r = ${lora.rank} on ${lora.targets.join(', ')}`);
  const names = new Set(specs.map((s) => s.name));
  const readTensor = async (name: string) => {
    if (!names.has(name)) throw new CheckpointError(F.model, `${name} is not part of this adapter`);
    return model.read(name);
  };

  let training: LoadedAdapter['training'] = null;
  if (files.has(F.trainerState) || files.has(F.optimizer)) {
    for (const f of [F.trainerState, F.optimizer]) if (!files.has(f)) throw new CheckpointError(f, 'missing (a resumable adapter folder holds trainer_state.json and optimizer.safetensors)');
    const trainerState = parseTrainerState(await readJSON(files.get(F.trainerState)!, F.trainerState), F.trainerState);
    const differences = configDifferences(trainerState.modelConfig, base);
    if (differences.length) throw new CheckpointError(F.trainerState, `modelConfig is not the base model's: ${differences.join('; ')}`);
    const optimizer = await openSafetensors(files.get(F.optimizer)!, F.optimizer);
    const momentSpecs = specs.flatMap((s) => [{ name: expAvgName(s.name), shape: s.shape }, { name: expAvgSqName(s.name), shape: s.shape }]);
    checkTensors(optimizer, momentSpecs, 'the adapter\'s AdamW moments');
    const step = optimizer.metadata.step;
    if (step !== undefined && step !== String(trainerState.step)) {
      throw new CheckpointError(F.optimizer, `was saved at step ${step}, trainer_state.json at step ${trainerState.step}`);
    }
    const momentNames = new Set(momentSpecs.map((s) => s.name));
    training = {
      trainerState,
      readMoment: async (name) => {
        if (!momentNames.has(name)) throw new CheckpointError(F.optimizer, `${name} is not a moment of this adapter`);
        return optimizer.read(name);
      },
    };
  }
  return { lora, baseModel, readTensor, training };
}
