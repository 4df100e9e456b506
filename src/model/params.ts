// Parameter names and shapes exactly as Hugging Face's MistralForCausalLM stores them ([out, in] for linear
// layers), so a checkpoint exports with no renaming or permutation.
import { headDim, isTied, type ModelConfig } from './config';

export type ParamKind = 'embedding' | 'linear' | 'norm';

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[]; // row-major; linear weights are [out, in]
  readonly kind: ParamKind;
  readonly decay: boolean;           // AdamW weight decay applies (HARE: none on norm weights)
}

export const layerParamNames = (i: number) => ({
  attnNorm: `model.layers.${i}.input_layernorm.weight`,
  q: `model.layers.${i}.self_attn.q_proj.weight`,
  k: `model.layers.${i}.self_attn.k_proj.weight`,
  v: `model.layers.${i}.self_attn.v_proj.weight`,
  o: `model.layers.${i}.self_attn.o_proj.weight`,
  mlpNorm: `model.layers.${i}.post_attention_layernorm.weight`,
  gate: `model.layers.${i}.mlp.gate_proj.weight`,
  up: `model.layers.${i}.mlp.up_proj.weight`,
  down: `model.layers.${i}.mlp.down_proj.weight`,
});

export const EMBED = 'model.embed_tokens.weight';
export const FINAL_NORM = 'model.norm.weight';
export const LM_HEAD = 'lm_head.weight';

/** The matrix the head multiplies by: its own lm_head, or the embedding when tied. */
export const headWeight = (c: ModelConfig): string => (isTied(c) ? EMBED : LM_HEAD);

/** Every parameter in Hugging Face's order (embedding, layers, final norm, then the head unless it is tied:
 *  a tied model has one [V, C] tensor, as Hugging Face saves it, and AdamW updates it once). */
export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const C = c.dim, F = c.hiddenDim, qDim = c.nHeads * headDim(c), kvDim = c.nKvHeads * headDim(c);
  const lin = (name: string, out: number, inp: number): ParamSpec => ({ name, shape: [out, inp], kind: 'linear', decay: true });
  const norm = (name: string): ParamSpec => ({ name, shape: [C], kind: 'norm', decay: false });
  const specs: ParamSpec[] = [{ name: EMBED, shape: [c.vocabSize, C], kind: 'embedding', decay: true }];
  for (let i = 0; i < c.nLayers; i++) {
    const n = layerParamNames(i);
    specs.push(
      norm(n.attnNorm),
      lin(n.q, qDim, C), lin(n.k, kvDim, C), lin(n.v, kvDim, C), lin(n.o, C, qDim),
      norm(n.mlpNorm),
      lin(n.gate, F, C), lin(n.up, F, C), lin(n.down, C, F),
    );
  }
  specs.push(norm(FINAL_NORM));
  if (!isTied(c)) specs.push(lin(LM_HEAD, c.vocabSize, C));
  return specs;
}

/** The layer a parameter (or a piece of one, `name#k`) belongs to; null for the embedding, the final norm and lm_head. */
export function paramLayer(name: string): number | null {
  const m = /^model\.layers\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function countParams(c: ModelConfig): number {
  return paramSpecs(c).reduce((s, p) => s + numel(p.shape), 0);
}
