import { describe, expect, it } from 'vitest';
import { PRESETS, preset, PRESET_NAMES } from '../../../src/model/presets';
import { configFromHF, generationConfig, hfConfig, tokenizerConfig } from '../../../src/train/checkpoint/hf-config';
import { tokenString, unkTokenString } from '../../../src/train/checkpoint/tokenizer-json';
import { TINY, tokenizerJSON } from './fixtures';

const ids = { bosId: 1, eosId: 2 };

describe('config.json', () => {
  it.each(PRESET_NAMES)('round-trips the %s preset through JSON text', (name) => {
    const config = preset(name);
    const text = JSON.stringify(hfConfig(config, ids));
    expect(configFromHF(JSON.parse(text))).toEqual({ config, ...ids });
  });

  it('round-trips unusual but valid values exactly', () => {
    const config = { ...TINY, normEps: 1e-6, ropeTheta: 1_000_000, contextLength: 4096, nKvHeads: 4, vocabSize: 32_768 };
    expect(configFromHF(JSON.parse(JSON.stringify(hfConfig(config, { bosId: 0, eosId: 32_767 }))))).toEqual({ config, bosId: 0, eosId: 32_767 });
  });

  it('writes the fields MistralForCausalLM expects, matching HARE-1.1B', () => {
    const json = hfConfig(PRESETS['hare-1.1b'], ids);
    expect(json).toMatchObject({
      architectures: ['MistralForCausalLM'], model_type: 'mistral', hidden_size: 2048, intermediate_size: 5632,
      num_hidden_layers: 22, num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, vocab_size: 32000,
      max_position_embeddings: 2048, rms_norm_eps: 1e-5, rope_theta: 10000, hidden_act: 'silu',
      tie_word_embeddings: false, sliding_window: null, attention_dropout: 0, initializer_range: 0.02,
      bos_token_id: 1, eos_token_id: 2, torch_dtype: 'float32',
    });
    expect(typeof json.transformers_version).toBe('string');
  });

  const good = () => hfConfig(TINY, ids);
  it.each([
    ['not an object', () => [1], 'config.json: is not a JSON object'],
    ['another model type', () => ({ ...good(), model_type: 'qwen2' }), 'config.json: model_type: is "qwen2"'],
    ['another architecture', () => ({ ...good(), architectures: ['MistralForSequenceClassification'] }), 'config.json: architectures:'],
    ['a missing field', () => { const j = good(); delete j.hidden_size; return j; }, 'config.json: hidden_size: is missing'],
    ['a field of the wrong type', () => ({ ...good(), rms_norm_eps: '1e-5' }), 'config.json: rms_norm_eps: must be a number, got "1e-5"'],
    ['a non-integer size', () => ({ ...good(), num_hidden_layers: 2.5 }), 'config.json: num_hidden_layers: must be a positive integer, got 2.5'],
    ['heads that do not divide the width', () => ({ ...good(), num_attention_heads: 3 }), 'config.json: num_attention_heads: must divide dim'],
    ['kv heads that do not divide the heads', () => ({ ...good(), num_key_value_heads: 3 }), 'config.json: num_key_value_heads: must divide nHeads'],
    ['a head_dim other than hidden / heads', () => ({ ...good(), head_dim: 8 }), 'config.json: head_dim: is 8 but hidden_size / num_attention_heads is 4'],
    ['another activation', () => ({ ...good(), hidden_act: 'gelu' }), 'config.json: hidden_act: is "gelu"'],
    ['a tie flag that is not a boolean', () => ({ ...good(), tie_word_embeddings: 1 }), 'config.json: tie_word_embeddings: must be true or false'],
    ['a short sliding window', () => ({ ...good(), sliding_window: 16 }), 'config.json: sliding_window: is 16'],
    ['RoPE scaling', () => ({ ...good(), rope_scaling: { type: 'linear', factor: 2 } }), 'config.json: rope_scaling: is set'],
    ['a BOS id outside the vocabulary', () => ({ ...good(), bos_token_id: 32 }), 'config.json: bos_token_id: must be a token id below vocab_size 32, got 32'],
    ['no EOS id', () => ({ ...good(), eos_token_id: null }), 'config.json: eos_token_id: must be a token id'],
    ['a billion layers', () => ({ ...good(), num_hidden_layers: 1e9 }), 'config.json: num_hidden_layers: is 1000000000, above the 1024 Leveret accepts'],
    ['a vocabulary past the largest token id', () => ({ ...good(), vocab_size: 2 ** 31 }), 'config.json: vocab_size: is 2147483648, above the 2097152 Leveret accepts'],
    ['an infinite context', () => ({ ...good(), max_position_embeddings: 1e400 }), 'config.json: max_position_embeddings: is Infinity, above the 1048576 Leveret accepts'],
  ])('refuses %s, naming the field', (_, make, message) => {
    expect(() => configFromHF(make())).toThrow(message);
  });

  it('accepts a sliding window that covers the whole context', () => {
    expect(configFromHF({ ...good(), sliding_window: 64 }).config).toEqual(TINY);
  });
});

describe('generation_config.json and tokenizer_config.json', () => {
  it('carries the special tokens', () => {
    expect(generationConfig(ids)).toMatchObject({ bos_token_id: 1, eos_token_id: 2 });
    expect(tokenizerConfig({ bos: '<s>', eos: '</s>', unk: '<unk>' }, 2048)).toEqual({
      tokenizer_class: 'PreTrainedTokenizerFast', bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>',
      model_max_length: 2048, add_bos_token: true, add_eos_token: false, clean_up_tokenization_spaces: false,
    });
  });

  it('finds token strings in added_tokens and in BPE and Unigram vocabularies', () => {
    const bpe = tokenizerJSON();
    expect([tokenString(bpe, 1), tokenString(bpe, 2), tokenString(bpe, 5), tokenString(bpe, 99)]).toEqual(['<s>', '</s>', 't5', undefined]);
    expect(unkTokenString(bpe)).toBe('<unk>');
    const unigram = { model: { type: 'Unigram', unk_id: 0, vocab: [['<unk>', 0], ['<s>', 0], ['▁a', -2.5]] } };
    expect([tokenString(unigram, 1), tokenString(unigram, 2), unkTokenString(unigram)]).toEqual(['<s>', '▁a', '<unk>']);
    expect(unkTokenString({ model: { type: 'BPE', vocab: {} } })).toBeNull();
  });
});
