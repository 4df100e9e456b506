// The Hugging Face side files of a model folder: config.json (MistralForCausalLM or LlamaForCausalLM), generation_config.json
// and tokenizer_config.json, written so `from_pretrained` loads the folder, and config.json read back
// with every field checked so a hand-edited or foreign file is refused with the field named.
import {
  ARCHITECTURES, architectureOf, ConfigError, headDim, isTied, validateConfig, type Architecture, type ModelConfig,
} from '../../model/config';
import { CheckpointError } from './errors';
import { fieldOverLimit } from './model-size-limits';

// The transformers release whose MistralConfig has every field written here (head_dim arrived in 4.43).
export const TRANSFORMERS_VERSION = '4.46.0';

export interface SpecialTokenIds {
  readonly bosId: number;
  readonly eosId: number;
}

/** Our field names next to Hugging Face's, so a message about either names the field in the file. */
const HF_FIELD = {
  dim: 'hidden_size',
  nLayers: 'num_hidden_layers',
  nHeads: 'num_attention_heads',
  nKvHeads: 'num_key_value_heads',
  hiddenDim: 'intermediate_size',
  vocabSize: 'vocab_size',
  normEps: 'rms_norm_eps',
  ropeTheta: 'rope_theta',
  contextLength: 'max_position_embeddings',
} as const satisfies Readonly<Partial<Record<keyof ModelConfig, string>>>;

/** Hugging Face's names for each family Leveret reads and writes: the same decoder (RMSNorm, RoPE, grouped-
 *  query attention, SwiGLU) under two names, Mistral adding an optional sliding window. */
const FAMILY: Readonly<Record<Architecture, { modelType: string; className: string }>> = {
  mistral: { modelType: 'mistral', className: 'MistralForCausalLM' },
  llama: { modelType: 'llama', className: 'LlamaForCausalLM' },
};

export function hfConfig(c: ModelConfig, ids: SpecialTokenIds): Record<string, unknown> {
  const arch = architectureOf(c);
  const { modelType, className } = FAMILY[arch];
  return {
    architectures: [className],
    model_type: modelType,
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
    rope_scaling: null, // plain RoPE
    hidden_act: 'silu',
    tie_word_embeddings: isTied(c), // tied: no lm_head.weight in the weights, the head reads embed_tokens
    // Full causal attention over the whole context: Mistral says so with no window, Llama has no such field.
    ...(arch === 'mistral' ? { sliding_window: null } : { attention_bias: false, mlp_bias: false, pretraining_tp: 1 }),
    attention_dropout: 0,
    initializer_range: 0.02,
    bos_token_id: ids.bosId,
    eos_token_id: ids.eosId,
    torch_dtype: 'float32',
    use_cache: true,
    transformers_version: TRANSFORMERS_VERSION,
  };
}

// Fields a released config may leave out, with the value transformers' LlamaConfig / MistralConfig then
// uses (older Llama folders predate grouped-query attention and rope_theta).
const DEFAULTS: Partial<Record<string, (j: Record<string, unknown>) => unknown>> = {
  num_key_value_heads: (j) => j.num_attention_heads,
  rope_theta: () => 10000,
};

/** Reads config.json (MistralForCausalLM or LlamaForCausalLM) into a validated ModelConfig; refuses, naming
 *  the field, anything the engine does not implement rather than load a model that would compute otherwise. */
export function configFromHF(json: unknown, fileName = 'config.json'): { config: ModelConfig } & SpecialTokenIds {
  const fail = (field: string, message: string): never => {
    throw new CheckpointError(fileName, `${field}: ${message}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CheckpointError(fileName, 'is not a JSON object');
  const j = json as Record<string, unknown>;
  const arch = ARCHITECTURES.find((a) => FAMILY[a].modelType === j.model_type);
  if (arch === undefined) {
    fail('model_type', `is ${JSON.stringify(j.model_type)}; Leveret reads ${ARCHITECTURES.map((a) => `"${FAMILY[a].modelType}"`).join(' and ')} models`);
  }
  const family = FAMILY[arch as Architecture];
  if (Array.isArray(j.architectures) && !j.architectures.includes(family.className)) {
    fail('architectures', `${JSON.stringify(j.architectures)} does not include "${family.className}"`);
  }
  const fields = {} as Record<keyof typeof HF_FIELD, number>;
  for (const [ours, theirs] of Object.entries(HF_FIELD) as [keyof typeof HF_FIELD, string][]) {
    const v = j[theirs] ?? DEFAULTS[theirs]?.(j);
    if (typeof v !== 'number') fail(theirs, v === undefined ? 'is missing' : `must be a number, got ${JSON.stringify(v)}`);
    fields[ours] = v as number;
  }
  const tie = j.tie_word_embeddings;
  if (tie !== undefined && typeof tie !== 'boolean') fail('tie_word_embeddings', `must be true or false, got ${JSON.stringify(tie)}`);
  // The optional fields are set only when they differ from their defaults, so a Mistral folder Leveret wrote
  // reads back as exactly the preset it was trained from.
  const extra: Partial<ModelConfig> = {
    ...(tie === true ? { tieWordEmbeddings: true } : {}),
    ...(arch === 'llama' ? { architecture: 'llama' as const } : {}),
  };
  // Before validateConfig and anything sized by the config (a billion layers is a billion tensor names).
  const over = fieldOverLimit(fields as ModelConfig);
  if (over) fail(HF_FIELD[over[0]], `is ${fields[over[0]]}, above the ${over[1]} Leveret accepts`);
  let config: ModelConfig = { ...fields, ...extra };
  try {
    config = validateConfig(config);
  } catch (e) {
    if (e instanceof ConfigError) fail(HF_FIELD[e.field as keyof typeof HF_FIELD] ?? e.field, e.message.slice(e.field.length + 2));
    throw e;
  }
  // Features of these families that Leveret's model does not implement: refuse rather than ignore.
  if (j.head_dim !== undefined && j.head_dim !== null && j.head_dim !== headDim(config)) {
    fail('head_dim', `is ${JSON.stringify(j.head_dim)} but hidden_size / num_attention_heads is ${headDim(config)}; Leveret needs them equal`);
  }
  if (j.hidden_act !== undefined && j.hidden_act !== 'silu') fail('hidden_act', `is ${JSON.stringify(j.hidden_act)}; Leveret's MLP is SwiGLU ("silu")`);
  const window = j.sliding_window;
  if (window !== undefined && window !== null && !(typeof window === 'number' && window >= config.contextLength)) {
    fail('sliding_window', `is ${JSON.stringify(window)}; Leveret attends over the whole context (null, or at least max_position_embeddings)`);
  }
  if (j.rope_scaling !== undefined && j.rope_scaling !== null) fail('rope_scaling', 'is set; Leveret uses plain RoPE (null)');
  for (const bias of ['attention_bias', 'mlp_bias'] as const) {
    if (j[bias] !== undefined && j[bias] !== false) fail(bias, `is ${JSON.stringify(j[bias])}; Leveret's linear layers have no bias (false)`);
  }
  if (j.quantization_config !== undefined && j.quantization_config !== null) {
    fail('quantization_config', 'is set; Leveret reads F32, F16 and BF16 weights, not quantized ones');
  }
  const tokenId = (field: string): number => {
    // Some releases list several end-of-sequence ids (a chat model's turn end and the text end): the first
    // is the one Leveret appends after each document.
    const raw = j[field];
    const v = Array.isArray(raw) && field === 'eos_token_id' ? raw[0] : raw;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= config.vocabSize) {
      fail(field, `must be a token id below vocab_size ${config.vocabSize}, got ${JSON.stringify(raw)}`);
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

/**
 * What an imported model's tokenizer_config.json said that a model folder written from it must say again: its
 * chat template (a chat model fine-tuned or merged still speaks its format) and its BOS/EOS strings (a ChatML
 * model's EOS is <|im_end|>, not the tokenizer's text end). A Leveret-trained model has none and writes none.
 */
export interface KeptTokenizerConfig {
  readonly chatTemplate: string;
  readonly bosToken: string;
  readonly eosToken: string;
}

export function tokenizerConfig(tokens: SpecialTokens, modelMaxLength: number, kept?: KeptTokenizerConfig): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: kept?.bosToken || tokens.bos,
    eos_token: kept?.eosToken || tokens.eos,
    unk_token: tokens.unk,
    model_max_length: modelMaxLength,
    add_bos_token: true, // sequences are trained as BOS + text, and prompted the same way
    add_eos_token: false,
    clean_up_tokenization_spaces: false, // decode must give back the exact text
    ...(kept ? { chat_template: kept.chatTemplate } : {}),
  };
}
