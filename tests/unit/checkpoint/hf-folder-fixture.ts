// A model folder made to look like a released one (SmolLM-style: LlamaForCausalLM, tied embeddings, BF16
// weights in two shards with model.safetensors.index.json, a byte-level BPE tokenizer.json), since no model
// can be downloaded here. Everything is written by hand in this file (safetensors bytes, BF16 rounding), not
// with Leveret's writers, so a reader bug and a writer bug cannot cancel out.
import { BYTE_TO_CHAR } from '../../../src/data/tokenizer/byte-alphabet';

export type FixtureDtype = 'F32' | 'F16' | 'BF16';

export interface FixtureOptions {
  readonly dtype?: FixtureDtype;        // default BF16
  readonly shards?: number;             // 1: a single model.safetensors; default 2
  readonly tied?: boolean;              // default true
  readonly modelType?: 'llama' | 'mistral'; // default llama
  readonly seed?: number;
  /** Extra or replaced config.json fields. */
  readonly config?: Record<string, unknown>;
  /** A tied model that writes its head anyway (some releases do). */
  readonly storeTiedHead?: boolean;
  /** byte-level (SmolLM, default) or sentencepiece (Llama 2 / TinyLlama: <s> = 1, </s> = 2). */
  readonly tokenizer?: 'byte-level' | 'sentencepiece';
}

export interface Fixture {
  readonly files: Map<string, Uint8Array>;
  /** The exact float32 value of every stored tensor (after rounding to the stored dtype). */
  readonly weights: Map<string, Float32Array>;
  readonly shapes: Map<string, number[]>;
  readonly config: Record<string, unknown>;
}

export const SHAPE = { hidden: 32, inter: 48, layers: 2, heads: 4, kv: 2, vocab: 272, context: 64 } as const;

/** config.json as transformers 4.4x writes it for a small Llama with tied embeddings. */
export function releasedConfig(o: FixtureOptions = {}): Record<string, unknown> {
  const llama = (o.modelType ?? 'llama') === 'llama';
  return {
    architectures: [llama ? 'LlamaForCausalLM' : 'MistralForCausalLM'],
    model_type: llama ? 'llama' : 'mistral',
    attention_bias: llama ? false : undefined,
    attention_dropout: 0.0,
    bos_token_id: o.tokenizer === 'sentencepiece' ? 1 : 0,
    eos_token_id: o.tokenizer === 'sentencepiece' ? 2 : 0,
    hidden_act: 'silu',
    hidden_size: SHAPE.hidden,
    initializer_range: 0.02,
    intermediate_size: SHAPE.inter,
    max_position_embeddings: SHAPE.context,
    mlp_bias: llama ? false : undefined,
    num_attention_heads: SHAPE.heads,
    num_hidden_layers: SHAPE.layers,
    num_key_value_heads: SHAPE.kv,
    pretraining_tp: llama ? 1 : undefined,
    rms_norm_eps: 1e-5,
    rope_scaling: null,
    rope_theta: 10000.0,
    sliding_window: llama ? undefined : null,
    tie_word_embeddings: o.tied ?? true,
    torch_dtype: { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[o.dtype ?? 'BF16'],
    transformers_version: '4.42.3',
    use_cache: true,
    vocab_size: SHAPE.vocab,
    ...o.config,
  };
}

const SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
const MERGES: [string, string][] = [['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['i', 'n'], ['a', 'n'], ['Ġ', 'a'], ['e', 'r'], ['o', 'n']];

/** A byte-level BPE tokenizer.json in the GPT-2 / SmolLM layout: 3 special tokens, the 256 byte symbols, 8 merges
 *  (267 tokens; config.json's vocab_size of 272 pads the embedding past them, as releases do). */
export function byteLevelTokenizerJSON(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  SPECIALS.forEach((s, i) => (vocab[s] = i));
  BYTE_TO_CHAR.forEach((c) => (vocab[c] = Object.keys(vocab).length));
  for (const [a, b] of MERGES) vocab[a + b] = Object.keys(vocab).length;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: MERGES.map(([a, b]) => `${a} ${b}`),
    },
  };
}

/** A SentencePiece-style BPE tokenizer.json as Llama 2 and TinyLlama ship it: <unk> <s> </s>, 256 byte-fallback
 *  tokens, the metaspace and a few letters and merges; 272 tokens, the embedding's size. */
export function sentencePieceTokenizerJSON(): Record<string, unknown> {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  const pieces = ['\u2581', 'e', 'h', 't', 'a', 'r', 'n', '\u2581t', 'he', '\u2581the', 'an', 'er', '\u2581a'];
  for (const p of pieces) vocab[p] = Object.keys(vocab).length;
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: ['<unk>', '<s>', '</s>'].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '\u2581' }, { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' }] },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<s>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '\u2581' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
    model: {
      type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab,
      merges: ['\u2581 t', 'h e', '\u2581t he', 'a n', 'e r', '\u2581 a'],
    },
  };
}

// ------------------------------------------------------------------------------- numbers and bytes

/** float32 -> bfloat16 bits, rounding to nearest even (as torch does); NaN stays a quiet NaN. */
export function toBF16Bits(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0];
  if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 0x40;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

export const fromBF16Bits = (h: number): number => new Float32Array(new Uint32Array([h << 16]).buffer)[0];

/** float32 -> IEEE binary16 bits by exhaustive search of the nearest representable value (slow, obviously right):
 *  only for the fixture's small tensors. */
export function toF16Bits(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  // Every non-negative finite half is (e, m) -> value; the values increase with the bit pattern.
  let lo = 0, hi = 0x7bff;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (fromF16Bits(mid) <= a) lo = mid; else hi = mid - 1; }
  const below = fromF16Bits(lo), above = lo < 0x7bff ? fromF16Bits(lo + 1) : Infinity;
  const pick = a - below < above - a ? lo : a - below > above - a ? lo + 1 : (lo & 1 ? lo + 1 : lo);
  return sign | pick;
}

export function fromF16Bits(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}

/** A safetensors file, written from the format's description: u64 header length, JSON header, data. */
export function safetensorsBytes(tensors: readonly { name: string; dtype: FixtureDtype; shape: number[]; data: Uint8Array }[],
  metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let at = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.data.length] };
    at += t.data.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.fill(0x20, 8, 8 + padded);
  out.set(json, 8);
  let p = 8 + padded;
  for (const t of tensors) { out.set(t.data, p); p += t.data.length; }
  return out;
}

function encode(values: Float32Array, dtype: FixtureDtype): { data: Uint8Array; exact: Float32Array } {
  if (dtype === 'F32') return { data: new Uint8Array(values.slice().buffer), exact: values.slice() };
  const bits = Uint16Array.from(values, dtype === 'BF16' ? toBF16Bits : toF16Bits);
  const exact = Float32Array.from(bits, dtype === 'BF16' ? fromBF16Bits : fromF16Bits);
  return { data: new Uint8Array(bits.buffer), exact };
}

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

/** Tensor names and shapes in the order transformers saves a Llama. */
export function fixtureTensorShapes(tied: boolean, storeTiedHead = false): [string, number[]][] {
  const { hidden: C, inter: F, layers, heads, kv, vocab: V } = SHAPE;
  const D = C / heads;
  const out: [string, number[]][] = [['model.embed_tokens.weight', [V, C]]];
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}`;
    out.push(
      [`${p}.input_layernorm.weight`, [C]], [`${p}.mlp.down_proj.weight`, [C, F]], [`${p}.mlp.gate_proj.weight`, [F, C]],
      [`${p}.mlp.up_proj.weight`, [F, C]], [`${p}.post_attention_layernorm.weight`, [C]],
      [`${p}.self_attn.k_proj.weight`, [kv * D, C]], [`${p}.self_attn.o_proj.weight`, [C, heads * D]],
      [`${p}.self_attn.q_proj.weight`, [heads * D, C]], [`${p}.self_attn.v_proj.weight`, [kv * D, C]],
    );
  }
  out.push(['model.norm.weight', [C]]);
  if (!tied || storeTiedHead) out.push(['lm_head.weight', [V, C]]);
  return out;
}

/** The folder's files in memory, and the float32 values a correct reader must give back. */
export function releasedFolder(o: FixtureOptions = {}): Fixture {
  const dtype = o.dtype ?? 'BF16', nShards = o.shards ?? 2, tied = o.tied ?? true;
  const r = rand(o.seed ?? 7);
  const weights = new Map<string, Float32Array>(), shapes = new Map<string, number[]>();
  const stored: { name: string; dtype: FixtureDtype; shape: number[]; data: Uint8Array }[] = [];
  for (const [name, shape] of fixtureTensorShapes(tied, o.storeTiedHead)) {
    const n = shape.reduce((a, b) => a * b, 1);
    // Norm weights near 1 with spread, so a reader that dropped them (or read ones) would show; matrices with
    // the spread of a trained model's (std ~0.1 at this width), so the logits are not flat.
    const isNorm = shape.length === 1;
    const raw = Float32Array.from({ length: n }, () => (isNorm ? 0.6 + 0.8 * r() : (r() - 0.5) * 0.35));
    const { data, exact } = encode(raw, dtype);
    weights.set(name, exact);
    shapes.set(name, shape);
    stored.push({ name, dtype, shape, data });
  }
  if (o.storeTiedHead && tied) weights.set('lm_head.weight', weights.get('model.embed_tokens.weight')!.slice());
  const config = releasedConfig(o);
  const files = new Map<string, Uint8Array>();
  const text = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2));
  files.set('config.json', text(config));
  files.set('generation_config.json', text({ bos_token_id: 0, eos_token_id: 0, transformers_version: '4.42.3' }));
  files.set('tokenizer.json', text(o.tokenizer === 'sentencepiece' ? sentencePieceTokenizerJSON() : byteLevelTokenizerJSON()));
  files.set('tokenizer_config.json', text({ bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', model_max_length: SHAPE.context }));
  if (nShards === 1) {
    files.set('model.safetensors', safetensorsBytes(stored));
  } else {
    const per = Math.ceil(stored.length / nShards);
    const weightMap: Record<string, string> = {};
    let total = 0;
    for (let k = 0; k < nShards; k++) {
      const name = `model-${String(k + 1).padStart(5, '0')}-of-${String(nShards).padStart(5, '0')}.safetensors`;
      const part = stored.slice(k * per, (k + 1) * per);
      for (const t of part) { weightMap[t.name] = name; total += t.data.length; }
      files.set(name, safetensorsBytes(part));
    }
    files.set('model.safetensors.index.json', text({ metadata: { total_size: total }, weight_map: weightMap }));
  }
  return { files, weights, shapes, config };
}

/** Writes the folder's files into `dir` (created), as a download would leave them. */
export async function writeFixture(dir: string, fixture: Fixture): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of fixture.files) await writeFile(`${dir}/${name}`, bytes);
}
