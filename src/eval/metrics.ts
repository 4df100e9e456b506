// Per-document scores and their aggregates, as the harness computes them:
//   acc      = [argmax ll == gold]                       (ConfigurableTask.process_results)
//   acc_norm = [argmax ll / len(choice) == gold]         len in characters (code points) of doc_to_choice
//   mc2      = Σ p(true) / Σ p(all), p = exp(ll)         (truthfulqa utils.process_results_mc2)
//   stderr   = sample standard deviation / sqrt(n)       (metrics.mean_stderr)
import { pyLen } from './tasks/py-string';

/** The first index of the largest value, as numpy's argmax. */
export function argmax(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

export function predictions(lls: readonly number[], choices: readonly string[]): { pred: number; predNorm: number } {
  return { pred: argmax(lls), predNorm: argmax(lls.map((ll, i) => ll / pyLen(choices[i]))) };
}

/**
 * The normalised probability mass of the true answers. The largest log-likelihood is subtracted before
 * exponentiating: the same number as the harness's exp(ll) / Σ exp(ll), but long answers whose exp(ll)
 * underflows to 0 do not turn it into 0 / 0.
 */
export function mc2(lls: readonly number[], labels: readonly number[]): number {
  const top = Math.max(...lls);
  let all = 0, right = 0;
  lls.forEach((ll, i) => {
    const p = Math.exp(ll - top);
    all += p;
    if (labels[i] === 1) right += p;
  });
  return right / all;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Standard error of the mean; NaN below two values, where the sample deviation is undefined. */
export function meanStderr(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mu = mean(xs);
  const variance = xs.reduce((s, x) => s + (x - mu) ** 2, 0) / (n - 1);
  return Math.sqrt(variance) / Math.sqrt(n);
}
