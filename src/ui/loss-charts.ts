// The run's charts (uPlot): training and validation loss against steps and against tokens, and the learning
// rate. Rows are kept by step, so a restored run's history and live steps merge, and redraws are batched
// to one per animation frame however fast steps arrive.
import uPlot from 'uplot';
import { h } from './dom';

export interface ChartRow {
  tokens: number;
  loss: number | null;
  val: number | null;
  lr: number | null;
}

const TRAIN_COLOR = '#2563eb';
const VAL_COLOR = '#dc2626';
const LR_COLOR = '#059669';

function lossSeries(): uPlot.Series[] {
  return [
    { label: 'train loss', stroke: TRAIN_COLOR, width: 1.5, spanGaps: true, points: { show: false } },
    { label: 'validation loss', stroke: VAL_COLOR, width: 1.5, spanGaps: true, points: { show: true, size: 6, fill: VAL_COLOR } },
  ];
}

const fmt = (digits: number) => (_u: uPlot, v: number | null) => (v === null || v === undefined ? '–' : v.toFixed(digits));

export class LossCharts {
  readonly el: HTMLElement;
  private readonly plots: HTMLElement;
  private readonly placeholder: HTMLElement;
  private readonly rows = new Map<number, ChartRow>();
  private readonly charts: { chart: uPlot; box: HTMLElement; data: () => uPlot.AlignedData }[] = [];
  private pending = false;

  constructor() {
    const box = (testid: string, title: string) => h('figure', { class: 'chart', 'data-testid': testid, 'data-points': '0' }, h('figcaption', {}, title));
    const byStep = box('chart-loss-step', 'Loss by step');
    const byTokens = box('chart-loss-tokens', 'Loss by tokens');
    const lr = box('chart-lr', 'Learning rate');
    this.placeholder = h('p', { class: 'hint' }, 'The charts fill in as training runs.');
    this.plots = h('div', { class: 'charts' }, byStep, byTokens, lr);
    this.plots.hidden = true;
    this.el = h('div', {}, this.placeholder, this.plots);
    const base = (xLabel: string): Partial<uPlot.Options> => ({
      width: 400, height: 220, legend: { live: true },
      axes: [{ label: xLabel, size: 40 }, { size: 56 }],
      scales: { x: { time: false } },
      cursor: { drag: { x: true, y: false } },
    });
    const sorted = () => [...this.rows.entries()].sort((a, b) => a[0] - b[0]);
    this.add(byStep, {
      ...base('step'), series: [{ label: 'step', value: fmt(0) }, ...lossSeries().map((s) => ({ ...s, value: fmt(4) }))],
    } as uPlot.Options, () => {
      const r = sorted();
      return [r.map(([s]) => s), r.map(([, v]) => v.loss), r.map(([, v]) => v.val)];
    });
    this.add(byTokens, {
      ...base('tokens'), series: [{ label: 'tokens', value: fmt(0) }, ...lossSeries().map((s) => ({ ...s, value: fmt(4) }))],
    } as uPlot.Options, () => {
      const r = sorted();
      return [r.map(([, v]) => v.tokens), r.map(([, v]) => v.loss), r.map(([, v]) => v.val)];
    });
    this.add(lr, {
      ...base('step'), series: [{ label: 'step', value: fmt(0) }, { label: 'learning rate', stroke: LR_COLOR, width: 1.5, spanGaps: true, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : v.toExponential(2)) }],
      axes: [{ label: 'step', size: 40 }, { size: 64, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => t.toExponential(1)) }],
    } as uPlot.Options, () => {
      const r = sorted().filter(([, v]) => v.lr !== null);
      return [r.map(([s]) => s), r.map(([, v]) => v.lr)];
    });
    new ResizeObserver(() => this.resize()).observe(this.plots);
  }

  private add(box: HTMLElement, opts: uPlot.Options, data: () => uPlot.AlignedData): void {
    const chart = new uPlot(opts, data(), box);
    this.charts.push({ chart, box, data });
  }

  clear(): void {
    this.rows.clear();
    this.redraw();
  }

  /** Adds or merges one step's values (missing fields stay as they were). */
  put(step: number, values: Partial<ChartRow> & { tokens: number }): void {
    const row = this.rows.get(step) ?? { tokens: values.tokens, loss: null, val: null, lr: null };
    this.rows.set(step, { ...row, ...values });
    this.redraw();
  }

  /** Points drawn so far: training losses, validation losses. */
  counts(): { train: number; val: number } {
    let train = 0, val = 0;
    for (const r of this.rows.values()) { if (r.loss !== null) train++; if (r.val !== null) val++; }
    return { train, val };
  }

  private redraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      const { train, val } = this.counts();
      this.plots.hidden = this.rows.size === 0;
      this.placeholder.hidden = this.rows.size > 0;
      for (const c of this.charts) {
        c.chart.setData(c.data());
        c.box.dataset.points = String(train);
        c.box.dataset.valPoints = String(val);
      }
    });
  }

  private resize(): void {
    for (const c of this.charts) {
      const width = Math.max(240, Math.floor(c.box.clientWidth) - 8);
      if (Math.abs(width - c.chart.width) > 2) c.chart.setSize({ width, height: 220 });
    }
  }
}
