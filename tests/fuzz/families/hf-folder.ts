// A released-looking Hugging Face folder (sharded BF16 tied Llama) with one file malformed: config.json,
// model.safetensors.index.json, or a shard's header. Opening and loading every tensor must either succeed
// or refuse with a message naming the file that was broken (or another file it is checked against).
import { bytesSource, type ByteSource } from '../../../src/train/checkpoint/byte-source';
import { loadWeights, openHFFolder } from '../../../src/train/checkpoint/hf-folder';
import { releasedFolder } from '../../unit/checkpoint/hf-folder-fixture';
import type { FuzzCase, FuzzFamily, Rng } from '../family';
import { anyByteMutation, deepJson, pick, utf8 } from '../mutate';

const INDEX = 'model.safetensors.index.json';
const SHARD = 'model-00001-of-00002.safetensors';
const base = releasedFolder({ seed: 11 });
const text = (name: string) => new TextDecoder().decode(base.files.get(name));

/** A config.json field set to a hostile value: wrong types, out-of-range sizes, features the engine lacks. */
function configCase(rng: Rng): FuzzCase {
  const j = JSON.parse(text('config.json')) as Record<string, unknown>;
  const field = pick(rng, ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'intermediate_size',
    'vocab_size', 'max_position_embeddings', 'rms_norm_eps', 'rope_theta', 'tie_word_embeddings', 'bos_token_id', 'eos_token_id',
    'head_dim', 'rope_scaling', 'attention_bias', 'mlp_bias', 'hidden_act', 'model_type', 'architectures', 'sliding_window']);
  const value = pick<unknown>(rng, [null, -1, 0, 1, 3, 7, 1e9, 2.5, Number.MAX_SAFE_INTEGER, '32', true, [], {}, [0, 1], { type: 'linear' }, 'gelu']);
  const how = rng.nextInt(8);
  if (how === 1) {
    // Spliced in as text: stringifying the parsed value would itself overflow the stack.
    const depth = pick(rng, [100, 20000]);
    j[field] = '@DEEP@';
    const bytes = utf8(JSON.stringify(j).replace('"@DEEP@"', deepJson(depth, pick(rng, ['array', 'object'] as const))));
    return { label: `config.json ${field} nested ${depth} deep`, fileName: 'config.json', bytes };
  }
  if (how === 0) delete j[field]; else j[field] = value;
  return { label: `config.json ${field} = ${JSON.stringify(j[field])}`, fileName: 'config.json', bytes: utf8(JSON.stringify(j)) };
}

function indexCase(rng: Rng): FuzzCase {
  const kind = rng.nextInt(4);
  if (kind === 0) {
    const m = anyByteMutation(rng, utf8(text(INDEX)));
    return { label: `index bytes: ${m.label}`, fileName: INDEX, bytes: m.bytes };
  }
  if (kind === 1) {
    return { label: 'index weight_map nested deep', fileName: INDEX, bytes: utf8(`{"weight_map": ${deepJson(pick(rng, [100, 20000]), 'object')}}`) };
  }
  const j = JSON.parse(text(INDEX)) as { weight_map: Record<string, unknown> };
  const names = Object.keys(j.weight_map);
  const name = pick(rng, names);
  if (kind === 2) {
    const v = pick<unknown>(rng, ['../etc/passwd.safetensors', 'model-00003-of-00002.safetensors', SHARD, '', 5, null, 'pytorch_model.bin']);
    j.weight_map[name] = v;
    return { label: `index ${name} -> ${JSON.stringify(v)}`, fileName: INDEX, bytes: utf8(JSON.stringify(j)) };
  }
  delete j.weight_map[name];
  j.weight_map[`${name}.extra`] = j.weight_map[names[0]];
  return { label: `index drops ${name}, lists ${name}.extra`, fileName: INDEX, bytes: utf8(JSON.stringify(j)) };
}

/** A shard with its header (length field or JSON) changed; the tensor data after it is left as it was. */
function shardCase(rng: Rng): FuzzCase {
  const bytes = base.files.get(SHARD)!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(dv.getBigUint64(0, true));
  const kind = rng.nextInt(3);
  if (kind === 0) {
    const out = bytes.slice();
    const v = pick(rng, [0n, 1n, BigInt(headerLength - 1), BigInt(headerLength + 8), BigInt(bytes.length), 2n ** 63n, 2n ** 64n - 1n]);
    new DataView(out.buffer).setBigUint64(0, v, true);
    return { label: `shard header length ${v}`, fileName: SHARD, bytes: out };
  }
  if (kind === 1) {
    const m = anyByteMutation(rng, bytes.slice(8, 8 + headerLength));
    const out = new Uint8Array(8 + m.bytes.length + bytes.length - 8 - headerLength);
    new DataView(out.buffer).setBigUint64(0, BigInt(m.bytes.length), true);
    out.set(m.bytes, 8);
    out.set(bytes.subarray(8 + headerLength), 8 + m.bytes.length);
    return { label: `shard header: ${m.label}`, fileName: SHARD, bytes: out };
  }
  // One tensor entry given a hostile dtype, shape or offsets (the JSON stays valid).
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, Record<string, unknown>>;
  const name = pick(rng, Object.keys(header).filter((k) => k !== '__metadata__'));
  const field = pick(rng, ['dtype', 'shape', 'data_offsets']);
  header[name][field] = pick<unknown>(rng, ['F64', 'I8', 'bf16', [1e12], [-1], [], [3, 3], [0, 0], [2, 1], [0, 2 ** 60], null, 'x']);
  const json = utf8(JSON.stringify(header).padEnd(headerLength, ' '));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - headerLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + headerLength), 8 + json.length);
  return { label: `shard ${name}.${field} = ${JSON.stringify(header[name][field])}`, fileName: SHARD, bytes: out };
}

export const hfFolderFamily: FuzzFamily = {
  name: 'hf-folder',
  describe: 'Hugging Face folder import (config.json, sharded index, shard headers) through openHFFolder + loadWeights',
  make(rng) {
    return pick(rng, [configCase, indexCase, shardCase])(rng);
  },
  async run(input) {
    const files = new Map<string, ByteSource>([...base.files].map(([n, b]) => [n, bytesSource(b)]));
    files.set(input.fileName, bytesSource(input.bytes));
    const folder = await openHFFolder(files, 'fuzz-folder');
    let kept = 0;
    await loadWeights(folder, () => { kept++; });
    return { messages: [...folder.warnings], kept };
  },
};
