// Initial weights as Hugging Face's Mistral initialises them: normal(0, 0.02) for embeddings and linear
// layers, ones for RMSNorm. Each tensor has its own stream derived from (seed, name), so a tensor's values do
// not depend on the others and can be produced one at a time (a 1.1B model never sits whole in memory).
import type { ModelConfig } from './config';
import { numel, paramSpecs, type ParamSpec } from './params';
import { Xoshiro128 } from '../data/rng';

export const INIT_STD = 0.02; // config.json initializer_range

function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A standard normal draw (Box-Muller, one value per pair of uniforms). */
function normal(rng: Xoshiro128): number {
  const u = Math.max(rng.nextFloat(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

export function initTensor(spec: ParamSpec, seed: number): Float32Array {
  const out = new Float32Array(numel(spec.shape));
  if (spec.kind === 'norm') return out.fill(1);
  const rng = new Xoshiro128((Math.imul(seed, 0x9e3779b1) ^ hashName(spec.name)) >>> 0);
  for (let i = 0; i < out.length; i++) out[i] = normal(rng) * INIT_STD;
  return out;
}

/** Every parameter, initialised; for small models (tests, the page's presets). */
export function initParams(c: ModelConfig, seed: number): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  for (const s of paramSpecs(c)) m.set(s.name, initTensor(s, seed));
  return m;
}
