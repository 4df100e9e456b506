// Text from the model: greedy, or temperature with top-k, one token at a time from the backend's logits.
import { Xoshiro128 } from '../data/rng';
import type { Tokenizer } from '../data/tokenizer/tokenizer';
import type { TrainBackend } from './backend';

export interface SampleOptions {
  readonly maxTokens: number;
  /** 0 picks the most likely token every time (greedy). */
  readonly temperature: number;
  /** Sample only among the k most likely tokens (0: all). */
  readonly topK: number;
  readonly seed: number;
}

export const DEFAULT_SAMPLE: SampleOptions = { maxTokens: 64, temperature: 0.8, topK: 40, seed: 1 };

/** Chooses the next token from logits (V). */
export function pickToken(logits: Float32Array, o: Pick<SampleOptions, 'temperature' | 'topK'>, rng: Xoshiro128): number {
  if (o.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  let ids = Array.from(logits.keys());
  if (o.topK > 0 && o.topK < ids.length) ids = ids.sort((a, b) => logits[b] - logits[a]).slice(0, o.topK);
  let max = -Infinity;
  for (const i of ids) max = Math.max(max, logits[i]);
  const weights = ids.map((i) => Math.exp((logits[i] - max) / o.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rng.nextFloat() * total;
  for (let k = 0; k < ids.length; k++) { r -= weights[k]; if (r <= 0) return ids[k]; }
  return ids[ids.length - 1];
}

/** Continues `prompt` by up to maxTokens tokens, stopping at EOS. */
export async function generate(backend: TrainBackend, tokenizer: Tokenizer, prompt: string, o: SampleOptions = DEFAULT_SAMPLE):
  Promise<{ text: string; ids: number[] }> {
  const rng = new Xoshiro128(o.seed);
  const ids = [tokenizer.bosId, ...tokenizer.encode(prompt)];
  const generated: number[] = [];
  for (let i = 0; i < o.maxTokens; i++) {
    const next = pickToken(await backend.nextLogits(ids), o, rng);
    if (next === tokenizer.eosId) break;
    ids.push(next);
    generated.push(next);
  }
  return { text: tokenizer.decode(generated), ids: generated };
}
