// LoRA (Hu et al. 2021) as PEFT defines it: on each targeted linear layer W (out, in), a trainable pair
// A (r, in) and B (out, r) adds s B A x with s = lora_alpha / r, the base weights frozen. A starts
// kaiming-uniform (a = sqrt 5: U(-1/sqrt(in), 1/sqrt(in))), B at zero, so the first forward is the base
// model's exactly. Tensors are named as PEFT saves them for a causal LM (adapter name dropped), so the
// file loads with peft.PeftModel.from_pretrained.
import { headDim, type ModelConfig } from './config';
import { layerParamNames } from './params';

/** PEFT's target_modules names, in the order of a decoder layer. */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = typeof LORA_TARGETS[number];
/** --lora-targets' short names. */
export const SHORT_TARGETS: Readonly<Record<string, LoraTarget>> = {
  q: 'q_proj', k: 'k_proj', v: 'v_proj', o: 'o_proj', gate: 'gate_proj', up: 'up_proj', down: 'down_proj',
};
/** PEFT's default for Llama/Mistral when target_modules is not given. */
export const DEFAULT_LORA_TARGETS: readonly LoraTarget[] = ['q_proj', 'v_proj'];

export interface LoraConfig {
  readonly rank: number;                      // r
  readonly alpha: number;                     // lora_alpha; s = alpha / r
  readonly targets: readonly LoraTarget[];    // in LORA_TARGETS order, no repeats
}

export const loraScale = (l: LoraConfig): number => l.alpha / l.rank;

export function validateLora(l: LoraConfig): LoraConfig {
  if (!Number.isInteger(l.rank) || l.rank < 1) throw new Error(`rank must be a positive integer, got ${l.rank}`);
  if (!(Number.isFinite(l.alpha) && l.alpha > 0)) throw new Error(`alpha must be a positive number, got ${l.alpha}`);
  if (l.targets.length === 0) throw new Error('at least one target module is needed');
  for (const t of l.targets) if (!LORA_TARGETS.includes(t)) throw new Error(`unknown target module ${t} (known: ${LORA_TARGETS.join(', ')})`);
  const targets = LORA_TARGETS.filter((t) => l.targets.includes(t));
  if (targets.length !== l.targets.length) throw new Error(`target modules listed twice: ${l.targets.join(', ')}`);
  return Object.freeze({ rank: l.rank, alpha: l.alpha, targets: Object.freeze(targets) });
}

/** (in, out) of a target module in this model. */
export function targetShape(c: ModelConfig, t: LoraTarget): { in: number; out: number } {
  const C = c.dim, F = c.hiddenDim, q = c.nHeads * headDim(c), kv = c.nKvHeads * headDim(c);
  switch (t) {
    case 'q_proj': return { in: C, out: q };
    case 'k_proj': case 'v_proj': return { in: C, out: kv };
    case 'o_proj': return { in: q, out: C };
    case 'gate_proj': case 'up_proj': return { in: C, out: F };
    case 'down_proj': return { in: F, out: C };
    default: throw new Error(`unknown target module ${String(t)}`);
  }
}

/** The base weight a target adapts, by Hugging Face name. */
export function targetWeight(layer: number, t: LoraTarget): string {
  const n = layerParamNames(layer);
  const by: Record<LoraTarget, string> = {
    q_proj: n.q, k_proj: n.k, v_proj: n.v, o_proj: n.o, gate_proj: n.gate, up_proj: n.up, down_proj: n.down,
  };
  return by[t];
}

/** PEFT's tensor names: base_model.model. + the module path + .lora_A.weight / .lora_B.weight. */
export function loraNames(layer: number, t: LoraTarget): { A: string; B: string } {
  const module = `base_model.model.${targetWeight(layer, t).replace(/\.weight$/, '')}`;
  return { A: `${module}.lora_A.weight`, B: `${module}.lora_B.weight` };
}

export interface LoraSpec {
  readonly name: string;
  readonly shape: readonly [number, number];   // A: [r, in], B: [out, r]
  readonly layer: number;
  readonly target: LoraTarget;
  readonly part: 'A' | 'B';
}

/** Every adapter tensor, layer by layer, targets in layer order, A before B. */
export function loraSpecs(c: ModelConfig, l: LoraConfig): LoraSpec[] {
  const out: LoraSpec[] = [];
  for (let layer = 0; layer < c.nLayers; layer++) {
    for (const target of l.targets) {
      const s = targetShape(c, target), n = loraNames(layer, target);
      out.push({ name: n.A, shape: [l.rank, s.in], layer, target, part: 'A' });
      out.push({ name: n.B, shape: [s.out, l.rank], layer, target, part: 'B' });
    }
  }
  return out;
}

export const countLoraParams = (c: ModelConfig, l: LoraConfig): number =>
  loraSpecs(c, l).reduce((a, s) => a + s.shape[0] * s.shape[1], 0);

/** PEFT's initialisation, seeded: A ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform_, a = sqrt 5), B = 0. */
export function initLora(c: ModelConfig, l: LoraConfig, seed: number): Map<string, Float32Array> {
  let s = (seed * 2654435761) >>> 0 || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const out = new Map<string, Float32Array>();
  for (const spec of loraSpecs(c, l)) {
    const v = new Float32Array(spec.shape[0] * spec.shape[1]);
    if (spec.part === 'A') {
      const bound = 1 / Math.sqrt(spec.shape[1]);
      for (let i = 0; i < v.length; i++) v[i] = (2 * next() - 1) * bound;
    }
    out.set(spec.name, v);
  }
  return out;
}

/**
 * W + s B A for one target (W (out, in) row-major, A (r, in), B (out, r)), summed in double precision:
 * what PEFT's merge_and_unload writes.
 */
export function mergeLora(w: Float32Array, a: Float32Array, b: Float32Array, shape: { in: number; out: number }, rank: number,
  scale: number): Float32Array {
  const out = new Float32Array(w.length);
  const row = new Float64Array(shape.in);
  for (let o = 0; o < shape.out; o++) {
    row.fill(0);
    for (let k = 0; k < rank; k++) {
      const bk = b[o * rank + k];
      if (bk === 0) continue;
      const aRow = k * shape.in;
      for (let i = 0; i < shape.in; i++) row[i] += bk * a[aRow + i];
    }
    const wRow = o * shape.in;
    for (let i = 0; i < shape.in; i++) out[wRow + i] = w[wRow + i] + scale * row[i];
  }
  return out;
}
