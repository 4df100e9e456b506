// The one interface between benchmark tasks (which build requests as token ids, exactly as
// lm-evaluation-harness does) and whatever computes log-likelihoods (the WebGPU engine, the tfjs reference).

/** One loglikelihood request: the continuation's tokens scored after the context's. */
export interface LoglikRequest {
  /** Context tokens (BOS first when the task asks for it). May be empty only if the continuation is not. */
  readonly context: readonly number[];
  /** Continuation tokens: at least one. */
  readonly continuation: readonly number[];
}

export interface LoglikResult {
  /** Sum over the continuation tokens of log p(token | everything before it). */
  readonly loglik: number;
  /** Whether every continuation token is the argmax at its position (the harness's `is_greedy`). */
  readonly isGreedy: boolean;
}

/**
 * Scores requests. As the harness does, a request longer than `contextLength + 1` tokens is truncated from
 * the left (the first tokens of the context drop out) so that the model sees its last `contextLength`
 * inputs; the continuation is never truncated unless it alone is longer than the context.
 */
export interface Scorer {
  readonly contextLength: number;
  score(requests: readonly LoglikRequest[], onProgress?: (done: number, total: number) => void): Promise<LoglikResult[]>;
}
