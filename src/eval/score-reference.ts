// The Scorer on the tfjs reference model: the ground truth the engine scorer is tested against (on tfjs's
// CPU backend) and the fallback where WebGPU is missing. Deliberately plain: one request at a time at its own
// length, no padding and no batching, so a padding or batching fault in the engine cannot hide here.
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../model/config';
import { paramSpecs } from '../model/params';
import { referenceLogits, type TensorMap } from '../model/reference';
import { scoreRow } from './score-rows';
import type { LoglikRequest, LoglikResult, Scorer } from './scorer';

/** The first index of the largest value (torch.argmax's rule for ties). */
export function firstArgmax(row: ArrayLike<number>, from = 0, to = row.length): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (row[i] > row[best]) best = i;
  return best - from;
}

export class ReferenceScorer implements Scorer {
  readonly contextLength: number;
  private readonly params: TensorMap = {};

  constructor(readonly config: ModelConfig, weights: ReadonlyMap<string, Float32Array>) {
    this.contextLength = config.contextLength;
    for (const s of paramSpecs(config)) {
      const data = weights.get(s.name);
      if (!data) throw new Error(`missing parameter ${s.name}`);
      this.params[s.name] = tf.tensor(data, [...s.shape]);
    }
  }

  async score(requests: readonly LoglikRequest[], onProgress?: (done: number, total: number) => void): Promise<LoglikResult[]> {
    const V = this.config.vocabSize, out: LoglikResult[] = [];
    for (const r of requests) {
      const row = scoreRow(r, this.contextLength, V);
      const n = row.inputs.length, k = n - row.scoreFrom;
      // Only the scored positions' logits leave the backend: (k, V) raw logits and their log-softmax.
      const [logits, logp] = tf.tidy(() => {
        const all = referenceLogits(this.config, this.params, tf.tensor2d(row.inputs, [1, n], 'int32'));
        const scored = tf.slice(all, [row.scoreFrom, 0], [k, V]);
        return [scored, tf.logSoftmax(scored, -1)];
      });
      const [lv, pv] = await Promise.all([logits.data(), logp.data()]);
      logits.dispose();
      logp.dispose();
      let loglik = 0, isGreedy = true;   // summed in double precision
      for (let j = 0; j < k; j++) {
        const t = row.targets[row.scoreFrom + j];
        loglik += pv[j * V + t];
        if (firstArgmax(lv, j * V, (j + 1) * V) !== t) isGreedy = false;
      }
      out.push({ loglik, isGreedy });
      onProgress?.(out.length, requests.length);
    }
    return out;
  }

  dispose(): void {
    for (const t of Object.values(this.params)) t.dispose();
  }
}

export function createReferenceScorer(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>): ReferenceScorer {
  return new ReferenceScorer(config, weights);
}
