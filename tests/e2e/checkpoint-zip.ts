// Reads a downloaded checkpoint zip the way an outside tool would, without the project's own readers: fflate
// unzips it, the safetensors header is parsed from the format's definition (8-byte little-endian length, then
// JSON), and the shapes every tensor must have are derived from config.json as transformers' Mistral does.
import { unzipSync, zipSync } from 'fflate';

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  tensors: Map<string, { dtype: string; shape: number[]; offsets: [number, number] }>;
  dataBytes: number;
}

/** The archive's files by name, with a single enclosing folder removed. */
export function unzip(bytes: Uint8Array): Map<string, Uint8Array> {
  const entries = Object.entries(unzipSync(bytes)).filter(([n]) => !n.endsWith('/'));
  const folder = entries.every(([n]) => n.includes('/')) ? `${entries[0][0].split('/')[0]}/` : '';
  return new Map(entries.map(([n, b]) => [n.startsWith(folder) ? n.slice(folder.length) : n, b]));
}

/** The archive again, with some files replaced (fflate computes fresh CRCs, so only the content is wrong). */
export function rezip(files: Map<string, Uint8Array>, replace: Record<string, Uint8Array | string>): Uint8Array {
  const out: Record<string, Uint8Array> = {};
  for (const [n, b] of files) out[n] = b;
  for (const [n, b] of Object.entries(replace)) out[n] = typeof b === 'string' ? new TextEncoder().encode(b) : b;
  return zipSync(out, { level: 0 });
}

export function parseSafetensors(bytes: Uint8Array): SafetensorsHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  const tensors = new Map<string, { dtype: string; shape: number[]; offsets: [number, number] }>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') { metadata = value as Record<string, string>; continue; }
    const v = value as { dtype: string; shape: number[]; data_offsets: [number, number] };
    tensors.set(name, { dtype: v.dtype, shape: v.shape, offsets: v.data_offsets });
  }
  return { metadata, tensors, dataBytes: bytes.length - 8 - headerLength };
}

/** Hugging Face MistralForCausalLM's parameter shapes for a config.json. */
export function mistralShapes(cfg: Record<string, number>): Map<string, number[]> {
  const C = cfg.hidden_size, F = cfg.intermediate_size, V = cfg.vocab_size, H = cfg.num_attention_heads, KV = cfg.num_key_value_heads;
  const D = cfg.head_dim ?? C / H;
  const out = new Map<string, number[]>([['model.embed_tokens.weight', [V, C]]]);
  for (let i = 0; i < cfg.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    out.set(`${p}.input_layernorm.weight`, [C]);
    out.set(`${p}.self_attn.q_proj.weight`, [H * D, C]);
    out.set(`${p}.self_attn.k_proj.weight`, [KV * D, C]);
    out.set(`${p}.self_attn.v_proj.weight`, [KV * D, C]);
    out.set(`${p}.self_attn.o_proj.weight`, [C, H * D]);
    out.set(`${p}.post_attention_layernorm.weight`, [C]);
    out.set(`${p}.mlp.gate_proj.weight`, [F, C]);
    out.set(`${p}.mlp.up_proj.weight`, [F, C]);
    out.set(`${p}.mlp.down_proj.weight`, [C, F]);
  }
  out.set('model.norm.weight', [C]);
  out.set('lm_head.weight', [V, C]);
  return out;
}
