// Text from the current weights, streamed: each token's text goes to the page as it comes, and a cancel
// between two tokens ends the sample there (what came so far is kept). The decoding is train/sampling's
// decodeLoop with the same seeded generator, through the backend's KV cache when the sample fits it (one
// position per token), else a full forward per token; a streamed sample equals `generate`'s either way.
import type { Trainer } from '../train/trainer';
import { generatorFor } from '../train/sampling';
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
  const promptIds = [tok.bosId, ...tok.encode(s.prompt)];
  const gen = await generatorFor(trainer.backend, promptIds.length, s.maxTokens);
  const signal = { get aborted() { return cancelled(); } };
  const r = await gen.generate(promptIds, { ...s, maxNewTokens: s.maxTokens, stopIds: [tok.eosId], signal },
    (_, ids) => progress(tok.decode([...ids]), ids.length));
  return { text: tok.decode(r.ids), tokens: r.ids.length, cancelled: r.reason === 'cancelled' };
}
