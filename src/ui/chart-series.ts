// What the loss chart draws, apart from drawing it: the x values for the chosen axis (steps or tokens) and the
// smoothed training loss beside the raw one. Pure functions, so the smoothing and the axis are tested in Node.

export type XAxis = 'steps' | 'tokens';

/** One step's values as the chart keeps them (null: not measured at that step). */
export interface ChartRow {
  tokens: number;
  loss: number | null;
  val: number | null;
  lr: number | null;
}

/**
 * Exponential moving average with TensorBoard's and W&B's debiasing: s_k = w·s_{k-1} + (1-w)·x_k, divided by
 * 1 - w^n over the n points seen, so the line starts at the first loss instead of climbing from 0. Gaps (null,
 * a step with only a validation loss) stay gaps and do not count; weight 0 returns the values unchanged.
 */
export function emaSmooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  let s = 0, n = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    s = w * s + (1 - w) * v;
    n++;
    return w === 0 ? v : s / (1 - w ** n);
  });
}

/** Rows sorted by step: the one order every series is drawn in. */
export function byStep(rows: ReadonlyMap<number, ChartRow>): [number, ChartRow][] {
  return [...rows.entries()].sort((a, b) => a[0] - b[0]);
}

/** The x value of a row on the chosen axis. */
export const xOf = (axis: XAxis, step: number, row: ChartRow): number => (axis === 'tokens' ? row.tokens : step);

/** The loss chart's data: x, raw training loss (drawn faint), smoothed training loss, validation loss. */
export function lossData(rows: readonly [number, ChartRow][], axis: XAxis, smoothing: number): [number[], (number | null)[], (number | null)[], (number | null)[]] {
  const raw = rows.map(([, r]) => r.loss);
  return [rows.map(([s, r]) => xOf(axis, s, r)), raw, emaSmooth(raw, smoothing), rows.map(([, r]) => r.val)];
}

/** The learning-rate chart's data on the same axis (steps that carry a rate only). */
export function lrData(rows: readonly [number, ChartRow][], axis: XAxis): [number[], (number | null)[]] {
  const kept = rows.filter(([, r]) => r.lr !== null);
  return [kept.map(([s, r]) => xOf(axis, s, r)), kept.map(([, r]) => r.lr)];
}
