// A model to evaluate or sample from, whatever folder it came in: a Leveret checkpoint (trainer state and
// moments checked as for resuming) or any released Hugging Face Llama/Mistral folder (config.json,
// tokenizer.json, single or sharded safetensors). Callers read one parameter at a time.
import type { ModelConfig } from '../../model/config';
import type { TokenizerJSON } from '../../data/tokenizer/tokenizer';
import type { ByteSource } from './byte-source';
import { CHECKPOINT_FILES } from './checkpoint';
import { readCheckpoint } from './checkpoint-read';
import { openHFFolder } from './hf-folder';
import { fingerprintOfJSON } from '../trainer';

export interface ModelFiles {
  /** 'checkpoint' (Leveret's, with trainer state) or 'hugging-face' (a model folder alone). */
  readonly kind: 'checkpoint' | 'hugging-face';
  readonly config: ModelConfig;
  readonly bosId: number;
  readonly eosId: number;
  readonly tokenizerJSON: TokenizerJSON;
  readonly warnings: readonly string[];
  /** One parameter by Hugging Face name (paramSpecs of config), as float32. */
  readParam(name: string): Promise<Float32Array>;
}

/** A folder with trainer_state.json is read as a checkpoint (so a damaged one is refused, not half-used);
 *  any other as a Hugging Face model folder. */
export async function openModelFiles(files: ReadonlyMap<string, ByteSource>, folder: string): Promise<ModelFiles> {
  if (files.has(CHECKPOINT_FILES.trainerState)) {
    const ck = await readCheckpoint(files, { fingerprint: fingerprintOfJSON });
    return { kind: 'checkpoint', ...pick(ck), readParam: ck.readParam };
  }
  const hf = await openHFFolder(files, folder);
  return { kind: 'hugging-face', ...pick(hf), readParam: (name) => hf.weights.read(name) };
}

const pick = (m: Omit<ModelFiles, 'kind' | 'readParam'>) =>
  ({ config: m.config, bosId: m.bosId, eosId: m.eosId, tokenizerJSON: m.tokenizerJSON, warnings: m.warnings });
