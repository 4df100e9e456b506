// Text from the current weights, streamed: each token's text goes to the page as it comes, and a cancel
// between two tokens ends the sample there (what came so far is kept). The decoding is train/sampling's
// pickToken with the same seeded generator, so a streamed sample equals `generate`'s for the same settings.
import { Xoshiro128 } from '../data/rng';
import type { Trainer } from '../train/trainer';
import { pickToken } from '../train/sampling';
import { MAX_SAMPLE_TOKENS, type SampleSettings } from './train-api';

export interface SampleResult {
  text: string;
  tokens: number;
  cancelled: boolean;
}

export function checkSampleSettings(s: SampleSettings): void {
  if (!Number.isInteger(s.maxTokens) || s.maxTokens < 1 || s.maxTokens > MAX_SAMPLE_TOKENS) {
    throw new Error(`Tokens must be a whole number from 1 to ${MAX_SAMPLE_TOKENS}, got ${s.maxTokens}`);
  }
  if (!(s.temperature >= 0 && s.temperature <= 5)) throw new Error(`Temperature must be from 0 (greedy) to 5, got ${s.temperature}`);
  if (!Number.isInteger(s.topK) || s.topK < 0) throw new Error(`Top-k must be a whole number, 0 or more, got ${s.topK}`);
}

/**
 * Continues the prompt token by token until maxTokens, EOS or `cancelled()`; `progress` hears the text so
 * far after each token (a byte-level tokenizer may end it mid-character: the page holds that back).
 */
export async function streamSample(trainer: Trainer, s: SampleSettings, progress: (text: string, tokens: number) => void,
  cancelled: () => boolean): Promise<SampleResult> {
  checkSampleSettings(s);
  const tok = trainer.tokenizer;
  const rng = new Xoshiro128(s.seed);
  const ids = [tok.bosId, ...tok.encode(s.prompt)];
  const generated: number[] = [];
  while (generated.length < s.maxTokens) {
    if (cancelled()) return { text: tok.decode(generated), tokens: generated.length, cancelled: true };
    const next = pickToken(await trainer.backend.nextLogits(ids), s, rng);
    if (next === tok.eosId) break;
    ids.push(next);
    generated.push(next);
    progress(tok.decode(generated), generated.length);
  }
  return { text: tok.decode(generated), tokens: generated.length, cancelled: false };
}
