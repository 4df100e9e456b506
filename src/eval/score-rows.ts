// How one loglikelihood request becomes one row of the model's input, exactly as lm-evaluation-harness's HF
// model builds it (`_loglikelihood_tokens`): the whole sequence is left-truncated to its last
// contextLength + 1 tokens, the model reads all but the last, and the continuation's tokens are the last
// targets. Shared by the engine and reference scorers, and unit-tested on its own, so both score the same
// positions by construction.
import type { LoglikRequest } from './scorer';

export interface ScoreRow {
  /** whole[:-1]: the n model inputs (1 <= n <= contextLength). */
  readonly inputs: Int32Array;
  /** whole[1:]: the token predicted at each input position (n). */
  readonly targets: Int32Array;
  /**
   * First scored position: positions scoreFrom..n-1 predict the continuation. Normally n - len(continuation);
   * when the continuation alone is longer than the context window, its first tokens have nothing before them
   * in the window and are not scored (the harness would slice past the start there), so scoreFrom is 0.
   */
  readonly scoreFrom: number;
}

function checkTokens(name: string, tokens: readonly number[], vocabSize: number): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!Number.isInteger(t) || t < 0 || t >= vocabSize) {
      throw new Error(`${name} token ${t} at position ${i} is outside the vocabulary [0, ${vocabSize})`);
    }
  }
}

export function scoreRow(r: LoglikRequest, contextLength: number, vocabSize: number): ScoreRow {
  if (r.continuation.length === 0) throw new Error('a loglikelihood request needs at least one continuation token');
  checkTokens('context', r.context, vocabSize);
  checkTokens('continuation', r.continuation, vocabSize);
  const total = r.context.length + r.continuation.length;
  // An empty context with a one-token continuation leaves nothing to predict from: the task must put BOS
  // (or EOT, as the harness does) in front. Refused rather than scored as 0.
  if (total < 2) throw new Error('a request needs at least two tokens in all (put BOS in the context)');
  const whole = Int32Array.from([...r.context, ...r.continuation]).subarray(Math.max(0, total - (contextLength + 1)));
  const n = whole.length - 1;
  return {
    inputs: whole.slice(0, n),
    targets: whole.slice(1),
    scoreFrom: n - Math.min(r.continuation.length, n),
  };
}
