// A Llama/Mistral forward in plain JavaScript loops and float64, written from transformers' modeling_llama.py
// (LlamaRMSNorm, rotate_half RoPE, repeat_kv attention, SiLU-gated MLP, lm_head or the tied embedding), so
// the engine and an exported folder are checked against something that shares no code with Leveret's
// engine or its tfjs reference (not even the RoPE tables).
export interface PlainConfig {
  readonly hidden: number;
  readonly inter: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly vocab: number;
  readonly eps: number;
  readonly theta: number;
  readonly tied: boolean;
}

/** From a config.json object (the HF field names). */
export const plainConfig = (j: Record<string, unknown>): PlainConfig => ({
  hidden: j.hidden_size as number, inter: j.intermediate_size as number, layers: j.num_hidden_layers as number,
  heads: j.num_attention_heads as number, kvHeads: j.num_key_value_heads as number, vocab: j.vocab_size as number,
  eps: j.rms_norm_eps as number, theta: j.rope_theta as number, tied: j.tie_word_embeddings === true,
});

type W = (name: string) => ArrayLike<number>;

/** y (out) = W (out, in) x (in) */
function matvec(w: ArrayLike<number>, x: Float64Array, out: number): Float64Array {
  const n = x.length, y = new Float64Array(out);
  for (let o = 0; o < out; o++) { let s = 0; for (let i = 0; i < n; i++) s += w[o * n + i] * x[i]; y[o] = s; }
  return y;
}

function rmsnorm(x: Float64Array, w: ArrayLike<number>, eps: number): Float64Array {
  let ms = 0;
  for (const v of x) ms += v * v;
  const r = 1 / Math.sqrt(ms / x.length + eps);
  return x.map((v, i) => v * r * w[i]);
}

/** q*cos + rotate_half(q)*sin, with inv_freq = theta^(-2i/D), for one head at position pos. */
function rope(h: Float64Array, pos: number, theta: number): Float64Array {
  const D = h.length, half = D / 2, out = new Float64Array(D);
  for (let i = 0; i < half; i++) {
    const a = pos * Math.pow(theta, -(2 * i) / D), c = Math.cos(a), s = Math.sin(a);
    out[i] = h[i] * c - h[i + half] * s;
    out[i + half] = h[i + half] * c + h[i] * s;
  }
  return out;
}

/** Logits (T, V) for one sequence of tokens. */
export function plainLogits(c: PlainConfig, w: W, tokens: readonly number[]): Float64Array[] {
  const T = tokens.length, C = c.hidden, D = C / c.heads, group = c.heads / c.kvHeads;
  const emb = w('model.embed_tokens.weight');
  let xs = tokens.map((t) => Float64Array.from({ length: C }, (_, i) => emb[t * C + i]));
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}`;
    const qs: Float64Array[][] = [], ks: Float64Array[][] = [], vs: Float64Array[][] = [];
    xs.forEach((x, t) => {
      const xn = rmsnorm(x, w(`${p}.input_layernorm.weight`), c.eps);
      const q = matvec(w(`${p}.self_attn.q_proj.weight`), xn, c.heads * D);
      const k = matvec(w(`${p}.self_attn.k_proj.weight`), xn, c.kvHeads * D);
      const v = matvec(w(`${p}.self_attn.v_proj.weight`), xn, c.kvHeads * D);
      qs.push(Array.from({ length: c.heads }, (_, h) => rope(q.subarray(h * D, (h + 1) * D), t, c.theta)));
      ks.push(Array.from({ length: c.kvHeads }, (_, h) => rope(k.subarray(h * D, (h + 1) * D), t, c.theta)));
      vs.push(Array.from({ length: c.kvHeads }, (_, h) => v.slice(h * D, (h + 1) * D)));
    });
    xs = xs.map((x, t) => {
      const att = new Float64Array(c.heads * D);
      for (let h = 0; h < c.heads; h++) {
        const kv = Math.floor(h / group);
        const scores = Array.from({ length: t + 1 }, (_, s) => {
          let d = 0;
          for (let i = 0; i < D; i++) d += qs[t][h][i] * ks[s][kv][i];
          return d / Math.sqrt(D);
        });
        const m = Math.max(...scores), e = scores.map((s) => Math.exp(s - m)), z = e.reduce((a, b) => a + b, 0);
        for (let s = 0; s <= t; s++) for (let i = 0; i < D; i++) att[h * D + i] += (e[s] / z) * vs[s][kv][i];
      }
      const mid = x.map((v, i) => v + matvec(w(`${p}.self_attn.o_proj.weight`), att, C)[i]);
      const xn = rmsnorm(mid, w(`${p}.post_attention_layernorm.weight`), c.eps);
      const g = matvec(w(`${p}.mlp.gate_proj.weight`), xn, c.inter), u = matvec(w(`${p}.mlp.up_proj.weight`), xn, c.inter);
      const act = g.map((gv, i) => (gv / (1 + Math.exp(-gv))) * u[i]);
      const down = matvec(w(`${p}.mlp.down_proj.weight`), act, C);
      return mid.map((v, i) => v + down[i]);
    });
  }
  const head = w(c.tied ? 'model.embed_tokens.weight' : 'lm_head.weight');
  return xs.map((x) => matvec(head, rmsnorm(x, w('model.norm.weight'), c.eps), c.vocab));
}

/** Next-token cross-entropy at each position (the last position predicts nothing and is left out). */
export function plainLosses(logits: readonly Float64Array[], tokens: readonly number[]): number[] {
  return logits.slice(0, -1).map((z, t) => {
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    return lse - z[tokens[t + 1]];
  });
}

/** Tensors of a safetensors file Leveret exported, read straight from the format (F32 only: what it writes). */
export function parseF32Safetensors(bytes: Uint8Array): Map<string, { shape: number[]; data: Float32Array }> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (e.dtype !== 'F32') throw new Error(`${name}: dtype ${e.dtype}`);
    const [b, end] = e.data_offsets;
    out.set(name, { shape: e.shape, data: new Float32Array(bytes.slice(8 + n + b, 8 + n + end).buffer) });
  }
  return out;
}
