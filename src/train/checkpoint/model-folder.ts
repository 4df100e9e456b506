// A plain Hugging Face model folder (config.json, generation_config.json, tokenizer_config.json,
// tokenizer.json, model.safetensors in F32) with no trainer state: what a merged LoRA adapter is written as.
// Tensors are fetched one at a time while model.safetensors streams out, so a merge holds one in memory.
import { validateConfig, type ModelConfig } from '../../model/config';
import { paramSpecs } from '../../model/params';
import type { TokenizerJSON } from '../../data/tokenizer/tokenizer';
import type { FileBody } from './byte-source';
import { CHECKPOINT_FILES } from './checkpoint';
import { CheckpointError } from './errors';
import { generationConfig, hfConfig, tokenizerConfig, type KeptTokenizerConfig } from './hf-config';
import { safetensorsFile, safetensorsLayout, type TensorGetter } from './safetensors';
import { tokenString, unkTokenString } from './tokenizer-json';

export interface ModelFolderInput {
  readonly config: ModelConfig;
  readonly tokenizerJSON: TokenizerJSON;
  readonly bosId: number;
  readonly eosId: number;
  /** Each parameter by Hugging Face name (paramSpecs). */
  readonly params: TensorGetter;
  /** The base model's chat template and BOS/EOS strings, written back into tokenizer_config.json. */
  readonly kept?: KeptTokenizerConfig;
}

const jsonBody = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

export function modelFolderFiles(input: ModelFolderInput): Map<string, FileBody> {
  const config = validateConfig(input.config);
  const { bosId, eosId, tokenizerJSON } = input;
  const special = (id: number, role: string): string => {
    const token = tokenString(tokenizerJSON, id);
    if (token === undefined) throw new CheckpointError(CHECKPOINT_FILES.tokenizer, `has no token with id ${id} (the ${role} token)`);
    return token;
  };
  const tokens = { bos: special(bosId, 'BOS'), eos: special(eosId, 'EOS'), unk: unkTokenString(tokenizerJSON) };
  const layout = safetensorsLayout(paramSpecs(config).map(({ name, shape }) => ({ name, dtype: 'F32' as const, shape })), { format: 'pt' });
  const F = CHECKPOINT_FILES;
  return new Map<string, FileBody>([
    [F.config, jsonBody(hfConfig(config, { bosId, eosId }))],
    [F.generationConfig, jsonBody(generationConfig({ bosId, eosId }))],
    [F.tokenizerConfig, jsonBody(tokenizerConfig(tokens, config.contextLength, input.kept))],
    [F.tokenizer, new TextEncoder().encode(JSON.stringify(tokenizerJSON))],
    [F.model, safetensorsFile(layout, input.params, F.model)],
  ]);
}
