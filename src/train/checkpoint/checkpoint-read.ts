// Opens a checkpoint's files and refuses, with a message naming the file and the fault, anything that
// would not resume the saved run exactly: a missing file, a config or trainer state that does not parse,
// tensors missing, extra or of the wrong shape, a tokenizer other than the one trained with, or a model
// other than the one the caller expects.
import { type ModelConfig } from '../../model/config';
import { paramSpecs } from '../../model/params';
import type { TokenizerJSON } from '../../data/tokenizer/tokenizer';
import { readAll, type ByteSource } from './byte-source';
import { CHECKPOINT_FILES } from './checkpoint';
import { configDifferences } from './config-diff';
import { MAX_JSON_DEPTH, tooDeepAt } from '../../data/json-depth';
import { CheckpointError } from './errors';
import { formatBytes, inMemoryLimit } from './file-limits';
import { configFromHF } from './hf-config';
import { openSafetensors, type SafetensorsReader } from './safetensors';
import { momentSpecs, parseTrainerState, type TrainerState } from './trainer-state';

export interface ReadCheckpointOptions {
  /** The tokenizer's identity, as the trainer computed it when it saved (the tokenizer module's function). */
  readonly fingerprint: (json: TokenizerJSON) => string;
  /** What the caller is about to resume into; any difference is refused. */
  readonly expected?: { readonly config?: ModelConfig; readonly tokenizerFingerprint?: string };
}

export interface LoadedCheckpoint {
  readonly config: ModelConfig;
  readonly bosId: number;
  readonly eosId: number;
  readonly tokenizerJSON: TokenizerJSON;
  readonly trainerState: TrainerState;
  /** Things accepted but worth telling the user (ignored buffers). */
  readonly warnings: readonly string[];
  /** One parameter by Hugging Face name, as float32. */
  readParam(name: string): Promise<Float32Array>;
  /** One AdamW moment by expAvgName / expAvgSqName. */
  readMoment(name: string): Promise<Float32Array>;
}

const REQUIRED = [
  CHECKPOINT_FILES.config, CHECKPOINT_FILES.model, CHECKPOINT_FILES.tokenizer,
  CHECKPOINT_FILES.trainerState, CHECKPOINT_FILES.optimizer,
];

// Older transformers releases saved RoPE's inverse frequencies as a buffer; they follow from rope_theta,
// so such a tensor is ignored with a warning. Any other unknown tensor is refused: a weight that would be
// dropped on load means the checkpoint is not the model it claims to be.
const IGNORABLE = /\.rotary_emb\.inv_freq$/;
const LIST_AT_MOST = 5;

const listNames = (names: string[]): string =>
  names.length <= LIST_AT_MOST ? names.join(', ') : `${names.slice(0, LIST_AT_MOST).join(', ')} and ${names.length - LIST_AT_MOST} more`;

async function readJSON(files: ReadonlyMap<string, ByteSource>, name: string): Promise<unknown> {
  const source = files.get(name) as ByteSource;
  // Sized before it is read: a folder's config.json may be any file at all.
  const limit = inMemoryLimit(name);
  if (source.size > limit) throw new CheckpointError(name, `is ${source.size} bytes, more than a file of its kind needs (${formatBytes(limit)})`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readAll(source)));
  } catch (e) {
    throw new CheckpointError(name, `is not valid JSON (${(e as Error).message})`);
  }
  // Everything after this walks the value recursively (checks, fingerprints, copies).
  const deep = tooDeepAt(value);
  if (deep !== null) throw new CheckpointError(name, `nests more than ${MAX_JSON_DEPTH} levels deep (at ${deep})`);
  return value;
}

/** Checks a tensor file against the specs: every tensor present with its shape; extras refused or warned. */
function checkTensors(
  reader: SafetensorsReader,
  specs: readonly { name: string; shape: readonly number[] }[],
  warnings: string[],
): void {
  const fail = (message: string): never => {
    throw new CheckpointError(reader.fileName, message);
  };
  const missing = specs.filter((s) => !reader.tensors.has(s.name)).map((s) => s.name);
  if (missing.length) fail(`is missing ${missing.length} tensor(s) the config needs: ${listNames(missing)}`);
  for (const { name, shape } of specs) {
    const found = (reader.tensors.get(name) as { shape: readonly number[] }).shape;
    if (found.length !== shape.length || found.some((d, i) => d !== shape[i])) {
      fail(`${name} has shape [${found.join(', ')}], the config needs [${shape.join(', ')}]`);
    }
  }
  const known = new Set(specs.map((s) => s.name));
  const extra = [...reader.tensors.keys()].filter((n) => !known.has(n));
  const refused = extra.filter((n) => !IGNORABLE.test(n));
  if (refused.length) {
    fail(`has ${refused.length} tensor(s) the config does not account for: ${listNames(refused)} (is config.json from another model?)`);
  }
  if (extra.length) warnings.push(`${reader.fileName}: ignored ${listNames(extra)} (derived from rope_theta)`);
}

export async function readCheckpoint(
  files: ReadonlyMap<string, ByteSource>,
  options: ReadCheckpointOptions,
): Promise<LoadedCheckpoint> {
  const missing = REQUIRED.filter((n) => !files.has(n));
  if (missing.length) {
    throw new CheckpointError('checkpoint', `${missing.join(', ')} missing (a Leveret checkpoint holds ${REQUIRED.join(', ')})`);
  }
  const { config, bosId, eosId } = configFromHF(await readJSON(files, CHECKPOINT_FILES.config));
  const trainerState = parseTrainerState(await readJSON(files, CHECKPOINT_FILES.trainerState));
  const saved = configDifferences(trainerState.modelConfig, config);
  if (saved.length) {
    throw new CheckpointError(CHECKPOINT_FILES.trainerState, `modelConfig does not match config.json: ${saved.join('; ')}`);
  }
  const expected = options.expected;
  const wrongModel = expected?.config ? configDifferences(config, expected.config) : [];
  if (wrongModel.length) {
    throw new CheckpointError(CHECKPOINT_FILES.config, `this checkpoint is a different model: ${wrongModel.join('; ')}`);
  }

  const tokenizerJSON = (await readJSON(files, CHECKPOINT_FILES.tokenizer)) as TokenizerJSON;
  const fingerprint = options.fingerprint(tokenizerJSON);
  if (fingerprint !== trainerState.tokenizerFingerprint) {
    throw new CheckpointError(CHECKPOINT_FILES.tokenizer,
      `is not the tokenizer trainer_state.json was trained with (fingerprint ${fingerprint} ≠ ${trainerState.tokenizerFingerprint})`);
  }
  if (expected?.tokenizerFingerprint !== undefined && expected.tokenizerFingerprint !== fingerprint) {
    throw new CheckpointError(CHECKPOINT_FILES.tokenizer,
      `this checkpoint was trained with another tokenizer (fingerprint ${fingerprint} ≠ ${expected.tokenizerFingerprint})`);
  }

  const warnings: string[] = [];
  const params = paramSpecs(config);
  const moments = momentSpecs(config);
  const model = await openSafetensors(files.get(CHECKPOINT_FILES.model) as ByteSource, CHECKPOINT_FILES.model);
  checkTensors(model, params, warnings);
  const optimizer = await openSafetensors(files.get(CHECKPOINT_FILES.optimizer) as ByteSource, CHECKPOINT_FILES.optimizer);
  checkTensors(optimizer, moments, warnings);
  const momentStep = optimizer.metadata.step;
  if (momentStep !== undefined && momentStep !== String(trainerState.step)) {
    throw new CheckpointError(CHECKPOINT_FILES.optimizer, `was saved at step ${momentStep}, trainer_state.json at step ${trainerState.step}`);
  }

  const reader = (file: SafetensorsReader, specs: readonly { name: string }[]) => {
    const names = new Set(specs.map((s) => s.name));
    return async (name: string): Promise<Float32Array> => {
      if (!names.has(name)) throw new CheckpointError(file.fileName, `${name} is not part of this model`);
      return file.read(name);
    };
  };
  return {
    config, bosId, eosId, tokenizerJSON, trainerState, warnings,
    readParam: reader(model, params),
    readMoment: reader(optimizer, moments),
  };
}
