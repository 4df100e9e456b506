// The Hugging Face side files of a model folder: config.json (MistralForCausalLM), generation_config.json
// and tokenizer_config.json, written so `from_pretrained` loads the folder, and config.json read back
// with every field checked so a hand-edited or foreign file is refused with the field named.
import { ConfigError, headDim, validateConfig, type ModelConfig } from '../../model/config';
import { CheckpointError } from './errors';

// The transformers release whose MistralConfig has every field written here (head_dim arrived in 4.43).
export const TRANSFORMERS_VERSION = '4.46.0';

export interface SpecialTokenIds {
  readonly bosId: number;
  readonly eosId: number;
}

/** Our field names next to Hugging Face's, so a message about either names the field in the file. */
const HF_FIELD: Readonly<Record<keyof ModelConfig, string>> = {
  dim: 'hidden_size',
  nLayers: 'num_hidden_layers',
  nHeads: 'num_attention_heads',
  nKvHeads: 'num_key_value_heads',
  hiddenDim: 'intermediate_size',
  vocabSize: 'vocab_size',
  normEps: 'rms_norm_eps',
  ropeTheta: 'rope_theta',
  contextLength: 'max_position_embeddings',
};

export function hfConfig(c: ModelConfig, ids: SpecialTokenIds): Record<string, unknown> {
  return {
    architectures: ['MistralForCausalLM'],
    model_type: 'mistral',
    hidden_size: c.dim,
    intermediate_size: c.hiddenDim,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    head_dim: headDim(c),
    vocab_size: c.vocabSize,
    max_position_embeddings: c.contextLength,
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta,
    hidden_act: 'silu',
    tie_word_embeddings: false, // lm_head is its own matrix
    sliding_window: null, // full causal attention over the whole context
    attention_dropout: 0,
    initializer_range: 0.02,
    bos_token_id: ids.bosId,
    eos_token_id: ids.eosId,
    torch_dtype: 'float32',
    use_cache: true,
    transformers_version: TRANSFORMERS_VERSION,
  };
}

/** Reads config.json back into a validated ModelConfig; throws CheckpointError naming the field. */
export function configFromHF(json: unknown, fileName = 'config.json'): { config: ModelConfig } & SpecialTokenIds {
  const fail = (field: string, message: string): never => {
    throw new CheckpointError(fileName, `${field}: ${message}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CheckpointError(fileName, 'is not a JSON object');
  const j = json as Record<string, unknown>;
  if (j.model_type !== 'mistral') fail('model_type', `is ${JSON.stringify(j.model_type)}; Leveret reads "mistral" models`);
  if (Array.isArray(j.architectures) && !j.architectures.includes('MistralForCausalLM')) {
    fail('architectures', `${JSON.stringify(j.architectures)} does not include "MistralForCausalLM"`);
  }
  const fields = {} as Record<keyof ModelConfig, number>;
  for (const [ours, theirs] of Object.entries(HF_FIELD) as [keyof ModelConfig, string][]) {
    const v = j[theirs];
    if (typeof v !== 'number') fail(theirs, v === undefined ? 'is missing' : `must be a number, got ${JSON.stringify(v)}`);
    fields[ours] = v as number;
  }
  let config: ModelConfig = fields;
  try {
    config = validateConfig(fields);
  } catch (e) {
    if (e instanceof ConfigError) fail(HF_FIELD[e.field as keyof ModelConfig] ?? e.field, e.message.slice(e.field.length + 2));
    throw e;
  }
  // Features of the Mistral family that Leveret's model does not implement: refuse rather than ignore.
  if (j.head_dim !== undefined && j.head_dim !== null && j.head_dim !== headDim(config)) {
    fail('head_dim', `is ${JSON.stringify(j.head_dim)} but hidden_size / num_attention_heads is ${headDim(config)}; Leveret needs them equal`);
  }
  if (j.hidden_act !== undefined && j.hidden_act !== 'silu') fail('hidden_act', `is ${JSON.stringify(j.hidden_act)}; Leveret's MLP is SwiGLU ("silu")`);
  if (j.tie_word_embeddings === true) fail('tie_word_embeddings', 'is true; Leveret trains lm_head as its own matrix');
  const window = j.sliding_window;
  if (window !== undefined && window !== null && !(typeof window === 'number' && window >= config.contextLength)) {
    fail('sliding_window', `is ${JSON.stringify(window)}; Leveret attends over the whole context (null, or at least max_position_embeddings)`);
  }
  if (j.rope_scaling !== undefined && j.rope_scaling !== null) fail('rope_scaling', 'is set; Leveret uses plain RoPE (null)');
  const tokenId = (field: string): number => {
    const v = j[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= config.vocabSize) {
      fail(field, `must be a token id below vocab_size ${config.vocabSize}, got ${JSON.stringify(v)}`);
    }
    return v as number;
  };
  return { config, bosId: tokenId('bos_token_id'), eosId: tokenId('eos_token_id') };
}

export function generationConfig(ids: SpecialTokenIds): Record<string, unknown> {
  return {
    _from_model_config: true,
    bos_token_id: ids.bosId,
    eos_token_id: ids.eosId,
    transformers_version: TRANSFORMERS_VERSION,
  };
}

export interface SpecialTokens {
  readonly bos: string;
  readonly eos: string;
  readonly unk: string | null;
}

export function tokenizerConfig(tokens: SpecialTokens, modelMaxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: tokens.bos,
    eos_token: tokens.eos,
    unk_token: tokens.unk,
    model_max_length: modelMaxLength,
    add_bos_token: true, // sequences are trained as BOS + text, and prompted the same way
    add_eos_token: false,
    clean_up_tokenization_spaces: false, // decode must give back the exact text
  };
}
