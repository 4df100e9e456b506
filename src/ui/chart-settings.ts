// How the person last set the loss chart (x axis, smoothing, log scale), kept in localStorage so a reload
// shows the chart the way they read it. A missing, old or hand-edited value falls back field by field.
import type { XAxis } from './chart-series';

export interface ChartSettings {
  xAxis: XAxis;
  /** EMA weight, 0 (raw) to MAX_SMOOTHING. */
  smoothing: number;
  log: boolean;
}

export const CHART_SETTINGS_KEY = 'leveret.lossChart';
/** W&B's slider stops at 0.99: past it the line lags the run by hundreds of steps. */
export const MAX_SMOOTHING = 0.99;
export const DEFAULT_CHART_SETTINGS: ChartSettings = { xAxis: 'steps', smoothing: 0.6, log: false };

/** The settings stored under CHART_SETTINGS_KEY, each field checked; defaults where absent or wrong. */
export function loadChartSettings(storage: Pick<Storage, 'getItem'> | null): ChartSettings {
  let stored: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(CHART_SETTINGS_KEY) ?? '{}');
    if (parsed && typeof parsed === 'object') stored = parsed as Record<string, unknown>;
  } catch {
    // a torn or foreign value: the defaults
  }
  const d = DEFAULT_CHART_SETTINGS;
  const s = stored.smoothing;
  return {
    xAxis: stored.xAxis === 'tokens' || stored.xAxis === 'steps' ? stored.xAxis : d.xAxis,
    smoothing: typeof s === 'number' && s >= 0 && s <= MAX_SMOOTHING ? s : d.smoothing,
    log: typeof stored.log === 'boolean' ? stored.log : d.log,
  };
}

export function saveChartSettings(storage: Pick<Storage, 'setItem'> | null, s: ChartSettings): void {
  try {
    storage?.setItem(CHART_SETTINGS_KEY, JSON.stringify(s));
  } catch {
    // storage full or refused (private mode): the chart still works, the choice is not kept
  }
}

/** localStorage where the page may use it (a sandboxed frame throws on the getter). */
export function pageStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
