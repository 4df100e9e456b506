// The loss chart's arithmetic (chart-series.ts, chart-settings.ts): TensorBoard/W&B debiased EMA, gaps kept,
// x values on the chosen axis, and stored settings read back field by field.
import { describe, expect, it } from 'vitest';
import { byStep, emaSmooth, lossData, lrData, type ChartRow } from '../../../src/ui/chart-series';
import { CHART_SETTINGS_KEY, DEFAULT_CHART_SETTINGS, loadChartSettings, saveChartSettings } from '../../../src/ui/chart-settings';

describe('emaSmooth', () => {
  it('is debiased: the first point is the first loss, then w·s + (1-w)·x over 1 - w^n', () => {
    const out = emaSmooth([4, 2, 3], 0.5);
    expect(out[0]).toBe(4);
    expect(out[1]).toBeCloseTo((0.5 * 0.5 * 4 + 0.5 * 2) / (1 - 0.25), 12); // 2.6667
    expect(out[2]).toBeCloseTo((0.5 * (0.25 * 4 + 0.5 * 2) + 0.5 * 3) / (1 - 0.125), 12); // 2.7143
  });

  it('leaves gaps as gaps without counting them, and weight 0 returns the raw values', () => {
    expect(emaSmooth([4, null, 2], 0.5)).toEqual([4, null, emaSmooth([4, 2], 0.5)[1]]);
    expect(emaSmooth([4, null, 2, NaN], 0)).toEqual([4, null, 2, null]);
  });

  it('a constant loss stays constant at any weight, and a heavy weight lags a drop', () => {
    for (const w of [0.3, 0.9, 0.99]) for (const v of emaSmooth([5, 5, 5, 5], w)) expect(v).toBeCloseTo(5, 12);
    const s = emaSmooth([...Array(20).fill(6), ...Array(5).fill(2)], 0.9) as number[];
    expect(s[24]).toBeGreaterThan(3);
    expect(s[24]).toBeLessThan(6);
  });
});

describe('the loss and LR series', () => {
  const rows = new Map<number, ChartRow>([
    [2, { tokens: 130, loss: 5, val: 5.2, lr: 1e-3 }],
    [1, { tokens: 65, loss: 6, val: null, lr: 5e-4 }],
    [3, { tokens: 195, loss: null, val: 4.9, lr: null }], // a validation loss alone (a restored run's last point)
  ]);

  it('sorts by step and puts steps or tokens on x, raw and smoothed training loss and validation loss beside them', () => {
    const sorted = byStep(rows);
    expect(lossData(sorted, 'steps', 0.5)).toEqual([[1, 2, 3], [6, 5, null], [6, (0.25 * 6 + 0.5 * 5) / 0.75, null], [null, 5.2, 4.9]]);
    expect(lossData(sorted, 'tokens', 0)[0]).toEqual([65, 130, 195]);
    expect(lrData(sorted, 'tokens')).toEqual([[65, 130], [5e-4, 1e-3]]);
    expect(lrData(sorted, 'steps')[0]).toEqual([1, 2]);
  });
});

describe('chart settings across reloads', () => {
  const store = () => {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => { m.set(k, v); }, m };
  };

  it('reads back what was saved', () => {
    const s = store();
    saveChartSettings(s, { xAxis: 'tokens', smoothing: 0.8, log: true });
    expect(loadChartSettings(s)).toEqual({ xAxis: 'tokens', smoothing: 0.8, log: true });
  });

  it('falls back field by field on a missing, torn or out-of-range value, and without storage', () => {
    const s = store();
    expect(loadChartSettings(s)).toEqual(DEFAULT_CHART_SETTINGS);
    s.m.set(CHART_SETTINGS_KEY, '{"xAxis":"time","smoothing":1.5,"log":true}');
    expect(loadChartSettings(s)).toEqual({ ...DEFAULT_CHART_SETTINGS, log: true });
    s.m.set(CHART_SETTINGS_KEY, '{not json');
    expect(loadChartSettings(s)).toEqual(DEFAULT_CHART_SETTINGS);
    expect(loadChartSettings(null)).toEqual(DEFAULT_CHART_SETTINGS);
    expect(() => saveChartSettings({ setItem: () => { throw new Error('QuotaExceededError'); } }, DEFAULT_CHART_SETTINGS)).not.toThrow();
  });
});
