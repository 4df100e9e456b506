import { describe, expect, it } from 'vitest';
import { paramSpecs } from '../../../src/model/params';
import { bytesSource, type ByteSource } from '../../../src/train/checkpoint/byte-source';
import { bfloat16ToFloat32, float16ToFloat32 } from '../../../src/train/checkpoint/float-formats';
import { configFromHF, hfConfig } from '../../../src/train/checkpoint/hf-config';
import { loadWeights, openHFFolder, type LoadProgress } from '../../../src/train/checkpoint/hf-folder';
import { parseWeightIndex } from '../../../src/train/checkpoint/safetensors-index';
import { fromF16Bits, releasedConfig, releasedFolder, safetensorsBytes, SHAPE, type Fixture } from './hf-folder-fixture';
import { sameBits } from './fixtures';

const sources = (files: ReadonlyMap<string, Uint8Array>): Map<string, ByteSource> =>
  new Map([...files].map(([n, b]) => [n, bytesSource(b)]));
const open = (f: Fixture) => openHFFolder(sources(f.files), 'SmolLM-tiny');
const edit = (f: Fixture, name: string, change: (j: Record<string, unknown>) => void): Fixture => {
  const j = JSON.parse(new TextDecoder().decode(f.files.get(name)));
  change(j);
  f.files.set(name, new TextEncoder().encode(JSON.stringify(j)));
  return f;
};

describe('config.json of released Llama and Mistral folders', () => {
  it('maps a tied Llama (SmolLM-style) onto ModelConfig, with bos/eos ids', () => {
    const { config, bosId, eosId } = configFromHF(releasedConfig());
    expect(config).toEqual({
      dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 48, vocabSize: 272, normEps: 1e-5, ropeTheta: 10000,
      contextLength: 64, tieWordEmbeddings: true, architecture: 'llama',
    });
    expect([bosId, eosId]).toEqual([0, 0]);
  });

  it('takes the first of several eos ids, and transformers\' defaults for old Llama configs', () => {
    const j = releasedConfig({ tied: false, config: { eos_token_id: [2, 5], rope_theta: undefined, num_key_value_heads: undefined } });
    const { config, eosId } = configFromHF(JSON.parse(JSON.stringify(j)));
    expect(eosId).toBe(2);
    expect(config.ropeTheta).toBe(10000);
    expect(config.nKvHeads).toBe(SHAPE.heads);
    expect(config.tieWordEmbeddings).toBeUndefined();
  });

  it('writes the same family back: Llama stays Llama, tied stays tied', () => {
    const { config } = configFromHF(releasedConfig());
    const out = hfConfig(config, { bosId: 0, eosId: 0 });
    expect(out).toMatchObject({ architectures: ['LlamaForCausalLM'], model_type: 'llama', tie_word_embeddings: true, attention_bias: false, mlp_bias: false });
    expect(out).not.toHaveProperty('sliding_window');
    expect(configFromHF(JSON.parse(JSON.stringify(out))).config).toEqual(config);
    const mistral = configFromHF(releasedConfig({ modelType: 'mistral', tied: false })).config;
    expect(hfConfig(mistral, { bosId: 0, eosId: 0 })).toMatchObject({ architectures: ['MistralForCausalLM'], sliding_window: null, tie_word_embeddings: false });
  });

  it.each([
    ['rope_scaling', { rope_scaling: { rope_type: 'llama3', factor: 8 } }, 'config.json: rope_scaling: is set'],
    ['attention_bias', { attention_bias: true }, 'config.json: attention_bias: is true'],
    ['mlp_bias', { mlp_bias: true }, 'config.json: mlp_bias: is true'],
    ['sliding_window', { model_type: 'mistral', architectures: ['MistralForCausalLM'], sliding_window: 32 }, 'config.json: sliding_window: is 32'],
    ['hidden_act', { hidden_act: 'gelu_pytorch_tanh' }, 'config.json: hidden_act: is "gelu_pytorch_tanh"'],
    ['head_dim', { head_dim: 16 }, 'config.json: head_dim: is 16'],
    ['quantization_config', { quantization_config: { quant_method: 'gptq' } }, 'config.json: quantization_config: is set'],
    ['model_type', { model_type: 'qwen2' }, 'config.json: model_type: is "qwen2"'],
    ['architectures', { architectures: ['MistralForCausalLM'] }, 'config.json: architectures:'],
    ['tie_word_embeddings', { tie_word_embeddings: 'yes' }, 'config.json: tie_word_embeddings: must be true or false'],
    ['max_position_embeddings', { max_position_embeddings: 0 }, 'config.json: max_position_embeddings: must be a positive integer'],
  ])('refuses %s, naming the field', (_, change, message) => {
    expect(() => configFromHF(releasedConfig({ config: change }))).toThrow(message);
  });
});

describe('half-precision widening, every bit pattern', () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  it('F16: all 65536 patterns against the format\'s definition (subnormals, zeros, infinities, NaN payloads)', () => {
    const got = float16ToFloat32(all), bits = new Uint32Array(got.buffer);
    for (let h = 0; h < 65536; h++) {
      const want = fromF16Bits(h);
      if (Number.isNaN(want)) {
        // NaN keeps sign and payload: the top 10 mantissa bits of the float32.
        if (bits[h] !== (((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13)) >>> 0) throw new Error(`F16 ${h.toString(16)}: NaN payload lost`);
      } else if (!Object.is(got[h], want)) {
        throw new Error(`F16 ${h.toString(16)}: got ${got[h]}, want ${want}`);
      }
    }
    expect([got[0x0001], got[0x03ff], got[0x8000], got[0x7c00], got[0xfc00]]).toEqual([2 ** -24, 1023 * 2 ** -24, -0, Infinity, -Infinity]);
  });

  it('BF16: all 65536 patterns are the top half of the float32', () => {
    const got = new Uint32Array(bfloat16ToFloat32(all).buffer);
    for (let h = 0; h < 65536; h++) if (got[h] !== (h << 16) >>> 0) throw new Error(`BF16 ${h.toString(16)}: got ${got[h].toString(16)}`);
    expect(got[0x7fc1]).toBe(0x7fc10000);   // a NaN with a payload
    expect(got[0x0001]).toBe(0x00010000);   // the smallest subnormal
  });
});

describe('model.safetensors.index.json', () => {
  it.each([
    ['text that is not JSON', '{"weight_map":', 'model.safetensors.index.json: is not valid JSON'],
    ['no weight_map', '{"metadata": {}}', 'model.safetensors.index.json: weight_map: is missing'],
    ['a weight_map that is a list', '{"weight_map": []}', 'weight_map: must be an object'],
    ['an empty weight_map', '{"weight_map": {}}', 'weight_map: lists no tensors'],
    ['a shard that is not a string', '{"weight_map": {"a": 3}}', 'weight_map.a: must be a shard file name, got 3'],
    ['a shard path leaving the folder', '{"weight_map": {"a": "../x.safetensors"}}', 'weight_map.a: shard "../x.safetensors" is not a file name in this folder'],
    ['a shard of another format', '{"weight_map": {"a": "pytorch_model.bin"}}', 'is not a .safetensors file'],
  ])('refuses %s, naming the index and field', (_, text, message) => {
    expect(() => parseWeightIndex(text)).toThrow(message);
  });
});

describe('opening a released-looking folder', () => {
  it('reads a sharded BF16 tied Llama bit-exactly, tensor by tensor, with progress', async () => {
    const f = releasedFolder();
    const folder = await open(f);
    expect(folder.config.tieWordEmbeddings).toBe(true);
    expect(folder.weights.files).toEqual(['model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(folder.tokenizer.vocabSize).toBe(267);
    expect(folder.tokenizer.encode(' the')).toEqual([261]); // Ġ t, h e, Ġt he: the third merge
    expect(folder.warnings).toEqual([]);
    const seen: LoadProgress[] = [];
    const got = new Map<string, Float32Array>();
    await loadWeights(folder, (name, v) => { got.set(name, v); }, (p) => seen.push(p));
    expect([...got.keys()]).toEqual(paramSpecs(folder.config).map((s) => s.name));
    expect(got.has('lm_head.weight')).toBe(false);
    for (const [name, v] of got) expect(sameBits(v, f.weights.get(name)!), name).toBe(true);
    expect(seen.at(-1)).toMatchObject({ tensors: got.size, totalTensors: got.size, bytes: folder.paramBytes });
    expect(folder.paramBytes).toBe([...f.weights.values()].reduce((a, w) => a + 2 * w.length, 0));
  });

  it('never reads a shard whole: headers first, then each tensor once, one at a time', async () => {
    const f = releasedFolder();
    const reads: { file: string; length: number }[] = [];
    const watched = new Map([...f.files].map(([name, b]): [string, ByteSource] => {
      const src = bytesSource(b);
      return [name, { size: src.size, read: (offset, length) => { reads.push({ file: name, length }); return src.read(offset, length); } }];
    }));
    const folder = await openHFFolder(watched, 'SmolLM-tiny');
    const openingShardBytes = reads.filter((r) => r.file.endsWith('.safetensors')).reduce((a, r) => a + r.length, 0);
    const headers = [...f.files].filter(([n]) => n.endsWith('.safetensors')).reduce((a, [, b]) => a + 8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true)), 0);
    expect(openingShardBytes).toBe(headers); // opening reads the headers and nothing else
    reads.length = 0;
    await loadWeights(folder, () => {});
    const largest = Math.max(...[...folder.weights.tensors.values()].map((t) => t.end - t.begin));
    expect(Math.max(...reads.map((r) => r.length))).toBe(largest);
    expect(reads.reduce((a, r) => a + r.length, 0)).toBe(folder.paramBytes);
  });

  it.each(['F16', 'F32'] as const)('reads a single-file %s untied Mistral', async (dtype) => {
    const f = releasedFolder({ dtype, shards: 1, tied: false, modelType: 'mistral' });
    const folder = await open(f);
    expect(folder.config.architecture).toBeUndefined();
    const got = new Map<string, Float32Array>();
    await loadWeights(folder, (name, v) => { got.set(name, v); });
    expect(got.has('lm_head.weight')).toBe(true);
    for (const [name, v] of got) expect(sameBits(v, f.weights.get(name)!), name).toBe(true);
  });

  it('takes a SentencePiece-style tokenizer.json (Llama 2, TinyLlama) with byte fallback', async () => {
    const folder = await open(releasedFolder({ tokenizer: 'sentencepiece', tied: false }));
    expect([folder.tokenizer.vocabSize, folder.tokenizer.bosId, folder.tokenizer.eosId]).toEqual([272, 1, 2]);
    expect(folder.warnings).toEqual([]);
    const ids = folder.tokenizer.encode('the hare!');
    expect(ids[0]).toBe(268); // ▁the, after the merges ▁ t -> ▁t, h e -> he, ▁t he -> ▁the
    expect(ids.at(-1)).toBe(3 + 0x21); // '!' is not a piece: byte fallback <0x21>
    expect(folder.tokenizer.decode(ids)).toBe('the hare!');
  });

  it('ignores a tied model\'s stored copy of the head, with a warning', async () => {
    const folder = await open(releasedFolder({ storeTiedHead: true }));
    expect(paramSpecs(folder.config).some((s) => s.name === 'lm_head.weight')).toBe(false);
    expect(folder.warnings.join()).toContain('lm_head.weight');
  });

  it.each([
    ['no config.json', (f: Fixture) => { f.files.delete('config.json'); return f; }, 'config.json: is missing from SmolLM-tiny'],
    ['no tokenizer.json', (f: Fixture) => { f.files.delete('tokenizer.json'); return f; }, 'tokenizer.json: is missing from SmolLM-tiny'],
    ['no weights', (f: Fixture) => { f.files.delete('model.safetensors.index.json'); return f; }, 'model.safetensors: is missing from SmolLM-tiny, and so is model.safetensors.index.json'],
    ['a shard missing from the folder', (f: Fixture) => { f.files.delete('model-00002-of-00002.safetensors'); return f; },
      'model.safetensors.index.json: names shard(s) the folder does not have: model-00002-of-00002.safetensors'],
    ['a tensor the index puts in the other shard', (f: Fixture) => edit(f, 'model.safetensors.index.json', (j) => {
      (j.weight_map as Record<string, string>)['model.norm.weight'] = 'model-00001-of-00002.safetensors';
    }), 'model-00001-of-00002.safetensors: lacks model.norm.weight'],
    ['a tensor the index does not list', (f: Fixture) => edit(f, 'model.safetensors.index.json', (j) => {
      delete (j.weight_map as Record<string, string>)['model.norm.weight'];
    }), 'model-00002-of-00002.safetensors: holds model.norm.weight, which model.safetensors.index.json does not list'],
    ['an untied config over tied weights', (f: Fixture) => edit(f, 'config.json', (j) => { j.tie_word_embeddings = false; }),
      'is missing 1 tensor(s) config.json needs: lm_head.weight (if this model ties its head'],
    ['a shape that differs from config.json', (f: Fixture) => edit(f, 'config.json', (j) => { j.intermediate_size = 40; }),
      'model-00001-of-00002.safetensors: model.layers.0.mlp.gate_proj.weight has shape [48, 32], config.json needs [40, 32]'],
    ['a layer count the weights do not have', (f: Fixture) => edit(f, 'config.json', (j) => { j.num_hidden_layers = 3; }),
      'config.json: num_hidden_layers is 3, the weights (model.safetensors.index.json) hold 2 layers'],
    ['a tokenizer larger than vocab_size', (f: Fixture) => edit(f, 'config.json', (j) => { j.vocab_size = 260; }),
      'tokenizer.json: defines 267 tokens, more than config.json\'s vocab_size 260'],
    ['a tokenizer.json that is not one', (f: Fixture) => edit(f, 'tokenizer.json', (j) => { delete j.model; }), 'tokenizer.json:'],
  ])('refuses %s, naming the file', async (_, change, message) => {
    await expect(open(change(releasedFolder()))).rejects.toThrow(message);
  });

  it('refuses a bias tensor config.json does not account for, naming its shard', async () => {
    const f = releasedFolder({ shards: 1 });
    const bias = { name: 'model.layers.0.self_attn.q_proj.bias', dtype: 'BF16' as const, shape: [32], data: new Uint8Array(64) };
    const keep = await open(f);
    const stored = await Promise.all([...keep.weights.tensors.values()].map(async (t) => ({
      name: t.name, dtype: t.dtype, shape: [...t.shape], data: await bytesSource(f.files.get('model.safetensors')!).read(t.begin, t.end - t.begin),
    })));
    f.files.set('model.safetensors', safetensorsBytes([...stored, bias]));
    await expect(open(f)).rejects.toThrow('model.safetensors: has 1 tensor(s) config.json does not account for: model.layers.0.self_attn.q_proj.bias');
  });

  it('refuses a shard with a dtype Leveret does not read, naming shard and tensor', async () => {
    const f = releasedFolder({ shards: 1 });
    f.files.set('model.safetensors', safetensorsBytes([{ name: 'model.embed_tokens.weight', dtype: 'I8' as never, shape: [4], data: new Uint8Array(4) }]));
    await expect(open(f)).rejects.toThrow('model.safetensors: tensor model.embed_tokens.weight has dtype "I8"');
  });
});
