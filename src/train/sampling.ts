// Text from the model: greedy, or temperature with top-k, one token at a time. The choice of a token
// (pickToken) and the loop around it (decodeLoop) are shared by every generator: the engine's KV-cache
// Generator (src/engine/generator.ts) and ForwardGenerator below, a full forward per token over the backend's
// nextLogits (the tfjs fallback, and sequences longer than a generator's planned length). Both draw from the
// same seeded xoshiro128, so a sample is reproducible and equal across the two for the same logits.
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

/**
 * The k most likely token ids, most likely first, equal logits in id order: exactly what a stable sort of all
 * ids by descending logit followed by slice(0, k) gives. One pass over the vocabulary keeps the best k so far
 * in order; most ids fail the first comparison with the k-th best (a 32000-id comparator sort per token cost
 * 55 ms in `npm run bench`). Logits are assumed finite.
 */
export function topKIds(logits: Float32Array, k: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    if (ids.length === k && !(z > logits[ids[k - 1]])) continue;  // an equal logit loses to the earlier id
    let at = ids.length === k ? k - 1 : ids.length;
    while (at > 0 && logits[ids[at - 1]] < z) at--;               // after every kept id with a logit >= z
    if (ids.length === k) ids.pop();
    ids.splice(at, 0, i);
  }
  return ids;
}

/** Chooses the next token from logits (V). */
export function pickToken(logits: Float32Array, o: Pick<SampleOptions, 'temperature' | 'topK'>, rng: Xoshiro128): number {
  if (o.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  const ids = o.topK > 0 && o.topK < logits.length ? topKIds(logits, o.topK) : Array.from(logits.keys());
  let max = -Infinity;
  for (const i of ids) max = Math.max(max, logits[i]);
  const weights = ids.map((i) => Math.exp((logits[i] - max) / o.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rng.nextFloat() * total;
  for (let k = 0; k < ids.length; k++) { r -= weights[k]; if (r <= 0) return ids[k]; }
  return ids[ids.length - 1];
}

export interface GenerateOptions {
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly topK: number;
  readonly seed: number;
  /** Tokens that end the generation when chosen (not included): EOS, a chat turn's end. */
  readonly stopIds?: readonly number[];
  /** Read before each forward: once aborted, the generation ends there, keeping the tokens so far. */
  readonly signal?: { readonly aborted: boolean };
}

export interface GenerateResult {
  /** The new tokens, without the prompt or the stop token. */
  readonly ids: number[];
  readonly reason: 'length' | 'stop' | 'cancelled';
}

/** Called after each new token with it and every new token so far. */
export type OnToken = (id: number, ids: readonly number[]) => void;

/** Something that continues a prompt token by token. */
export interface TokenGenerator {
  /** Longest prompt + new tokens it accepts (Infinity: it slides a window over the model's context). */
  readonly maxLen: number;
  generate(promptIds: readonly number[], o: GenerateOptions, onToken?: OnToken): Promise<GenerateResult>;
}

/** The loop every generator runs: `first()` gives the logits after the prompt, `next(id)` after one more token. */
export async function decodeLoop(o: GenerateOptions, onToken: OnToken | undefined,
  first: () => Promise<Float32Array>, next: (id: number) => Promise<Float32Array>): Promise<GenerateResult> {
  const rng = new Xoshiro128(o.seed);
  const stop = new Set(o.stopIds ?? []);
  const ids: number[] = [];
  if (o.maxNewTokens <= 0) return { ids, reason: 'length' };
  if (o.signal?.aborted) return { ids, reason: 'cancelled' };
  let logits = await first();
  for (;;) {
    const id = pickToken(logits, o, rng);
    if (stop.has(id)) return { ids, reason: 'stop' };
    ids.push(id);
    onToken?.(id, ids);
    if (ids.length >= o.maxNewTokens) return { ids, reason: 'length' };
    if (o.signal?.aborted) return { ids, reason: 'cancelled' };
    logits = await next(id);
  }
}

/** A full forward per token over `logitsAfter` (which sees the whole sequence so far and may slide a window). */
export class ForwardGenerator implements TokenGenerator {
  readonly maxLen = Infinity;

  constructor(private readonly logitsAfter: (ids: readonly number[]) => Promise<Float32Array>) {}

  generate(promptIds: readonly number[], o: GenerateOptions, onToken?: OnToken): Promise<GenerateResult> {
    const seq = [...promptIds];
    return decodeLoop(o, onToken, () => this.logitsAfter(seq), (id) => { seq.push(id); return this.logitsAfter(seq); });
  }
}

/**
 * The backend's KV-cache generator when the prompt and `maxNewTokens` fit it, else a full forward per token
 * (which slides over the backend's context, as sampling always has).
 */
export async function generatorFor(backend: TrainBackend, promptLength: number, maxNewTokens: number): Promise<TokenGenerator> {
  const g = await backend.generator?.();
  return g && promptLength + maxNewTokens <= g.maxLen ? g : new ForwardGenerator((ids) => backend.nextLogits(ids));
}

/** Continues `prompt` by up to maxTokens tokens, stopping at EOS. */
export async function generate(backend: TrainBackend, tokenizer: Tokenizer, prompt: string, o: SampleOptions = DEFAULT_SAMPLE):
  Promise<{ text: string; ids: number[] }> {
  const promptIds = [tokenizer.bosId, ...tokenizer.encode(prompt)];
  const g = await generatorFor(backend, promptIds.length, o.maxTokens);
  const r = await g.generate(promptIds, { ...o, maxNewTokens: o.maxTokens, stopIds: [tokenizer.eosId] });
  return { text: tokenizer.decode(r.ids), ids: r.ids };
}
