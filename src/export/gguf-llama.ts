// A Leveret model (MistralForCausalLM or LlamaForCausalLM weights) as llama.cpp's "llama" architecture: the
// hyperparameter keys, the tensor names, ggml's dimension order, and the Q/K row order llama.cpp's RoPE needs.
//
// Why Q and K are permuted: Hugging Face (and Leveret's engine) rotate each head's dimension i with i + D/2
// ("rotate half"); llama.cpp's llama RoPE rotates the adjacent pair (2i, 2i + 1). convert_hf_to_gguf.py
// reorders the rows of q_proj and k_proj per head so that row 2i is the old row i and row 2i + 1 the old row
// i + D/2; the attention scores are unchanged because Q and K move together and V is untouched.
import { headDim, isTied, type ModelConfig } from '../model/config';
import { EMBED, FINAL_NORM, LM_HEAD, layerParamNames } from '../model/params';
import { f32, u32, type GGMLTypeName, type GGUFTensorSpec, type GGUFValue } from './gguf-writer';

export const GGUF_ARCH = 'llama';
export type ExportDtype = 'f32' | 'f16' | 'bf16';

/** general.file_type (llama_ftype): what most of the weights are stored as. */
const FILE_TYPE: Readonly<Record<ExportDtype, number>> = { f32: 0, f16: 1, bf16: 32 };
const GGML_TYPE: Readonly<Record<ExportDtype, GGMLTypeName>> = { f32: 'F32', f16: 'F16', bf16: 'BF16' };

/** The llama.* hyperparameters llama.cpp reads for this architecture. */
export function llamaMetadata(c: ModelConfig, dtype: ExportDtype): [string, GGUFValue][] {
  const a = GGUF_ARCH;
  return [
    ['general.file_type', u32(FILE_TYPE[dtype])],
    [`${a}.vocab_size`, u32(c.vocabSize)],
    [`${a}.context_length`, u32(c.contextLength)],
    [`${a}.embedding_length`, u32(c.dim)],
    [`${a}.block_count`, u32(c.nLayers)],
    [`${a}.feed_forward_length`, u32(c.hiddenDim)],
    [`${a}.attention.head_count`, u32(c.nHeads)],
    [`${a}.attention.head_count_kv`, u32(c.nKvHeads)],
    [`${a}.attention.layer_norm_rms_epsilon`, f32(c.normEps)],
    [`${a}.rope.freq_base`, f32(c.ropeTheta)],
    // RoPE covers every dimension of a head (no partial rotary).
    [`${a}.rope.dimension_count`, u32(headDim(c))],
  ];
}

/** One GGUF tensor and where its values come from in the Hugging Face checkpoint. */
export interface LlamaTensor {
  readonly spec: GGUFTensorSpec;
  readonly source: string;
  /** Heads whose rows are reordered for llama.cpp's RoPE (q_proj: H, k_proj: KV); absent for other tensors. */
  readonly permuteHeads?: number;
}

/** Every tensor in llama.cpp's order; `output` only when the head is not tied (llama.cpp then reads token_embd). */
export function llamaTensors(c: ModelConfig, dtype: ExportDtype): LlamaTensor[] {
  const D = headDim(c);
  const w = GGML_TYPE[dtype];
  // 1-D norm weights stay F32 whatever the dtype, as the converter keeps them (tiny, and read by every token).
  const norm = (name: string, source: string): LlamaTensor => ({ spec: { name, dims: [c.dim], type: 'F32' }, source });
  // ggml's dims run fastest first: an [out, in] row-major matrix is ne = [in, out].
  const mat = (name: string, source: string, out: number, inp: number, permuteHeads?: number): LlamaTensor =>
    ({ spec: { name, dims: [inp, out], type: w }, source, ...(permuteHeads ? { permuteHeads } : {}) });
  const out: LlamaTensor[] = [mat('token_embd.weight', EMBED, c.vocabSize, c.dim)];
  for (let i = 0; i < c.nLayers; i++) {
    const n = layerParamNames(i);
    const b = `blk.${i}`;
    out.push(
      norm(`${b}.attn_norm.weight`, n.attnNorm),
      mat(`${b}.attn_q.weight`, n.q, c.nHeads * D, c.dim, c.nHeads),
      mat(`${b}.attn_k.weight`, n.k, c.nKvHeads * D, c.dim, c.nKvHeads),
      mat(`${b}.attn_v.weight`, n.v, c.nKvHeads * D, c.dim),
      mat(`${b}.attn_output.weight`, n.o, c.dim, c.nHeads * D),
      norm(`${b}.ffn_norm.weight`, n.mlpNorm),
      mat(`${b}.ffn_gate.weight`, n.gate, c.hiddenDim, c.dim),
      mat(`${b}.ffn_up.weight`, n.up, c.hiddenDim, c.dim),
      mat(`${b}.ffn_down.weight`, n.down, c.dim, c.hiddenDim),
    );
  }
  out.push(norm('output_norm.weight', FINAL_NORM));
  if (!isTied(c)) out.push(mat('output.weight', LM_HEAD, c.vocabSize, c.dim));
  return out;
}

/**
 * Reorders the rows of a [heads * D, cols] row-major matrix from rotate-half to interleaved pairs, head by
 * head: new row 2i (+1) is old row i (+ D/2). The converter's reshape(heads, 2, D/2, cols).swapaxes(1, 2).
 */
export function permuteForLlamaRope(w: Float32Array, heads: number, cols: number): Float32Array {
  const rows = w.length / cols;
  const D = rows / heads;
  if (!Number.isInteger(rows) || !Number.isInteger(D) || D % 2 !== 0) {
    throw new Error(`cannot permute ${w.length} values as ${heads} heads of even size with ${cols} columns`);
  }
  const half = D / 2;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const from = (h * D + j * half + i) * cols;
        out.set(w.subarray(from, from + cols), (h * D + 2 * i + j) * cols);
      }
    }
  }
  return out;
}
