// trainer_state.json: everything besides the weights and moments that a resumed run needs to continue
// exactly where it stopped, plus the names of the AdamW moment tensors in optimizer.safetensors.
import { ConfigError, validateConfig, type ModelConfig } from '../../model/config';
import { paramSpecs } from '../../model/params';
import { MAX_JSON_DEPTH, tooDeepAt } from '../../data/json-depth';
import type { SamplerState } from '../../data/sampler';
import { checkSamplerState, SamplerStateError } from '../../data/sampler-state';
import { CheckpointError } from './errors';

// Hugging Face's Trainer writes a trainer_state.json of its own; the marker tells the two apart.
const FORMAT = 'leveret-trainer-state';
export const TRAINER_STATE_VERSION = 1;

export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/** One training hyperparameter: lr, warmup, steps, batch, seqLen, accum, seed, weightDecay, betas, eps, clip... */
export type TrainSetting = number | string | boolean | readonly number[];

export interface LossPoint {
  readonly step: number;
  /** NaN when training diverged (stored as null, since JSON has no NaN). */
  readonly loss: number;
  readonly valLoss?: number;
}

/**
 * How a run stored what it computed (the CLI's --recompute, --update-per-layer, --f16-activations and the
 * LoRA base's f16 / --f32-base; the page's Memory boxes), so that a resumed run can take the same. Recompute
 * and the update layer by layer give the same numbers either way; f16 activations and an f16 base do not.
 */
export interface RunMemory {
  readonly recompute: boolean;
  readonly updatePerLayer: boolean;
  readonly f16Activations: boolean;
  readonly f16Base: boolean;
}

const MEMORY_KEYS = ['recompute', 'updatePerLayer', 'f16Activations', 'f16Base'] as const satisfies readonly (keyof RunMemory)[];

/** What differs between the memory options a checkpoint was trained with and a resumed run's, where it changes
 *  the arithmetic (so the resumed run is not the uninterrupted one to the bit); empty when nothing does. */
export function memoryDifferences(saved: RunMemory | undefined, now: RunMemory | undefined): string[] {
  if (!saved || !now) return [];
  const out: string[] = [];
  const says = (on: boolean, what: string) => `${what} ${on ? 'on' : 'off'}`;
  if (saved.f16Activations !== now.f16Activations) {
    out.push(`it was trained with ${says(saved.f16Activations, 'f16 saved activations')} and continues with them ${now.f16Activations ? 'on' : 'off'} ` +
      '(gradients change by about 1e-3 relative)');
  }
  if (saved.f16Base !== now.f16Base) {
    out.push(`its frozen base was stored as ${saved.f16Base ? 'f16' : 'f32'} and is now ${now.f16Base ? 'f16' : 'f32'} ` +
      '(the same numbers only for weights that are f16 values, as a BF16 or F16 release in range is)');
  }
  return out;
}

export interface TrainerState {
  readonly modelConfig: ModelConfig;
  readonly trainConfig: Readonly<Record<string, TrainSetting>>;
  readonly step: number;             // optimizer steps taken
  readonly tokensSeen: number;
  readonly schedulePosition: number; // steps into the learning-rate schedule (may differ from step after a restart)
  readonly sampler: SamplerState;    // the data cursor (RNG, each source's epoch and position), owned by the sampler
  readonly rng: JSONValue;           // the RNG state, owned by the trainer
  readonly tokenizerFingerprint: string;
  readonly datasetId: string;
  readonly lossHistory: readonly LossPoint[];
  /** Absent in states written before it was recorded, and by backends without the options (tfjs). */
  readonly memory?: RunMemory;
}

export function serializeTrainerState(s: TrainerState): string {
  for (const [key, v] of Object.entries(s.trainConfig)) {
    const numbers = typeof v === 'number' ? [v] : Array.isArray(v) ? v : [];
    if (!numbers.every(Number.isFinite)) throw new Error(`trainConfig.${key} is not a finite number: ${String(v)}`);
  }
  return `${JSON.stringify({ format: FORMAT, formatVersion: TRAINER_STATE_VERSION, ...s }, null, 2)}\n`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isSetting = (v: unknown): boolean =>
  typeof v === 'string' || typeof v === 'boolean' || Number.isFinite(v) ||
  (Array.isArray(v) && v.every((x) => Number.isFinite(x)));
const lossValue = (v: unknown): number | undefined => (v === null ? NaN : typeof v === 'number' ? v : undefined);

/** Validates a parsed trainer_state.json; throws CheckpointError naming the first bad field. */
export function parseTrainerState(json: unknown, fileName = 'trainer_state.json'): TrainerState {
  const fail = (field: string, message: string): never => {
    throw new CheckpointError(fileName, `${field}: ${message}`);
  };
  if (!isRecord(json) || json.format !== FORMAT) {
    throw new CheckpointError(fileName, `is not a Leveret trainer state (no "format": "${FORMAT}")`);
  }
  const j = json;
  // rng is free-form JSON that gets copied and stringified again on the next save: bound its nesting first.
  const deep = tooDeepAt(j);
  if (deep !== null) fail(deep, `nests more than ${MAX_JSON_DEPTH} levels deep`);
  if (!isCount(j.formatVersion)) fail('formatVersion', `must be an integer, got ${JSON.stringify(j.formatVersion)}`);
  if ((j.formatVersion as number) > TRAINER_STATE_VERSION) {
    fail('formatVersion', `is ${j.formatVersion as number}: written by a newer Leveret (this one reads up to ${TRAINER_STATE_VERSION})`);
  }

  if (!isRecord(j.modelConfig)) fail('modelConfig', 'must be an object');
  let modelConfig = j.modelConfig as unknown as ModelConfig;
  try {
    modelConfig = validateConfig(modelConfig);
  } catch (e) {
    if (e instanceof ConfigError) fail(`modelConfig.${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }

  if (!isRecord(j.trainConfig)) fail('trainConfig', 'must be an object');
  for (const [key, v] of Object.entries(j.trainConfig as Record<string, unknown>)) {
    if (!isSetting(v)) fail(`trainConfig.${key}`, `must be a number, string, boolean or list of numbers, got ${JSON.stringify(v)}`);
  }
  for (const f of ['step', 'tokensSeen'] as const) {
    if (!isCount(j[f])) fail(f, `must be a non-negative integer, got ${JSON.stringify(j[f])}`);
  }
  // The trainer continues counting steps from here, so it is a step count like `step`.
  const position = j.schedulePosition;
  if (!isCount(position)) fail('schedulePosition', `must be a non-negative integer, got ${JSON.stringify(position)}`);
  for (const f of ['sampler', 'rng'] as const) if (!(f in j)) fail(f, 'is missing');
  let sampler: SamplerState | undefined;
  try {
    sampler = checkSamplerState(j.sampler);
  } catch (e) {
    if (e instanceof SamplerStateError) fail(`sampler.${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }
  if (typeof j.tokenizerFingerprint !== 'string' || j.tokenizerFingerprint === '') {
    fail('tokenizerFingerprint', `must be a non-empty string, got ${JSON.stringify(j.tokenizerFingerprint)}`);
  }
  if (typeof j.datasetId !== 'string') fail('datasetId', `must be a string, got ${JSON.stringify(j.datasetId)}`);

  if (!Array.isArray(j.lossHistory)) fail('lossHistory', 'must be a list');
  const lossHistory = (j.lossHistory as unknown[]).map((p, i): LossPoint => {
    const loss = isRecord(p) ? lossValue(p.loss) : undefined;
    const valLoss = isRecord(p) && p.valLoss !== undefined ? lossValue(p.valLoss) : undefined;
    if (!isRecord(p) || !isCount(p.step) || loss === undefined || (p.valLoss !== undefined && valLoss === undefined)) {
      return fail(`lossHistory[${i}]`, `must be {step, loss, valLoss?}, got ${JSON.stringify(p)}`);
    }
    return valLoss === undefined ? { step: p.step, loss } : { step: p.step, loss, valLoss };
  });
  let memory: RunMemory | undefined;
  if (j.memory !== undefined) {
    if (!isRecord(j.memory)) fail('memory', `must be an object, got ${JSON.stringify(j.memory)}`);
    const m = j.memory as Record<string, unknown>;
    for (const k of MEMORY_KEYS) if (typeof m[k] !== 'boolean') fail(`memory.${k}`, `must be true or false, got ${JSON.stringify(m[k])}`);
    memory = { recompute: m.recompute as boolean, updatePerLayer: m.updatePerLayer as boolean,
      f16Activations: m.f16Activations as boolean, f16Base: m.f16Base as boolean };
  }

  return {
    modelConfig,
    trainConfig: j.trainConfig as Record<string, TrainSetting>,
    step: j.step as number,
    tokensSeen: j.tokensSeen as number,
    schedulePosition: position as number,
    sampler: sampler as SamplerState,
    rng: j.rng as JSONValue,
    tokenizerFingerprint: j.tokenizerFingerprint as string,
    datasetId: j.datasetId as string,
    lossHistory,
    ...(memory ? { memory } : {}),
  };
}

// ------------------------------------------------------------------------------- optimizer.safetensors
// AdamW's two moments per parameter, named as PyTorch's AdamW calls them in its state dict.

export const expAvgName = (param: string): string => `${param}.exp_avg`;
export const expAvgSqName = (param: string): string => `${param}.exp_avg_sq`;

/** The moment tensors in file order: each parameter's exp_avg, then its exp_avg_sq, shaped like it. */
export function momentSpecs(config: ModelConfig): { name: string; shape: readonly number[] }[] {
  return paramSpecs(config).flatMap((p) => [
    { name: expAvgName(p.name), shape: p.shape },
    { name: expAvgSqName(p.name), shape: p.shape },
  ]);
}
