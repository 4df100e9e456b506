// The run's charts (uPlot): one loss chart, training loss smoothed over its faint raw points with validation
// loss on the same axes, against steps or tokens, linear or log; and the learning rate beside it on the same
// x axis. Drag zooms (the hint says so), a double click resets. The settings are kept across reloads
// (chart-settings.ts). Rows are kept by step, so a restored run's history and live steps merge, and redraws are
// batched to one per animation frame however fast steps arrive.
import uPlot from 'uplot';
import { h, labelled } from './dom';
import { byStep, lossData, lrData, type ChartRow, type XAxis } from './chart-series';
import { loadChartSettings, MAX_SMOOTHING, pageStorage, saveChartSettings, type ChartSettings } from './chart-settings';

export type { ChartRow } from './chart-series';

const TRAIN_COLOR = '#2563eb';
const RAW_COLOR = 'rgba(37, 99, 235, 0.25)';
const VAL_COLOR = '#dc2626';
const LR_COLOR = '#059669';
const HEIGHT = 240;

const fmt = (digits: number) => (_u: uPlot, v: number | null) => (v === null || v === undefined ? '–' : v.toFixed(digits));
const xName = (axis: XAxis): string => (axis === 'tokens' ? 'tokens' : 'step');

/** One chart of the pair: its figure, the uPlot (rebuilt when the axis or scale changes) and its data. */
interface Plot {
  box: HTMLElement;
  chart: uPlot | null;
  options(s: ChartSettings, width: number): uPlot.Options;
  data(): uPlot.AlignedData;
  /** The person dragged a range: live steps keep it until a double click. */
  zoomed: boolean;
}

export class LossCharts {
  readonly el: HTMLElement;
  private readonly plots: HTMLElement;
  private readonly placeholder: HTMLElement;
  private readonly rows = new Map<number, ChartRow>();
  private readonly loss: Plot;
  private readonly lr: Plot;
  private settings: ChartSettings;
  private pending = false;

  constructor(private readonly storage: Storage | null = pageStorage()) {
    this.settings = loadChartSettings(storage);
    const box = (testid: string, title: string) => h('figure', { class: 'chart', 'data-testid': testid, 'data-points': '0' }, h('figcaption', {}, title));
    const sorted = () => byStep(this.rows);
    this.loss = {
      box: box('chart-loss', 'Loss'), chart: null, zoomed: false,
      data: () => lossData(sorted(), this.settings.xAxis, this.settings.smoothing),
      options: (s, width) => ({
        ...base(s.xAxis, width),
        scales: { x: { time: false }, y: { distr: s.log ? 3 : 1 } },
        series: [
          { label: xName(s.xAxis), value: fmt(0) },
          { label: 'train loss (raw)', stroke: RAW_COLOR, width: 1, spanGaps: true, points: { show: false }, value: fmt(4) },
          { label: s.smoothing > 0 ? `train loss (smoothed ${s.smoothing.toFixed(2)})` : 'train loss', stroke: TRAIN_COLOR, width: 1.75, spanGaps: true, points: { show: false }, value: fmt(4) },
          { label: 'validation loss', stroke: VAL_COLOR, width: 1.5, spanGaps: true, points: { show: true, size: 6, fill: VAL_COLOR }, value: fmt(4) },
        ],
      }),
    };
    this.lr = {
      box: box('chart-lr', 'Learning rate'), chart: null, zoomed: false,
      data: () => lrData(sorted(), this.settings.xAxis),
      options: (s, width) => ({
        ...base(s.xAxis, width),
        axes: [{ label: xName(s.xAxis), size: 40 }, { size: 64, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => t.toExponential(1)) }],
        series: [{ label: xName(s.xAxis), value: fmt(0) },
          { label: 'learning rate', stroke: LR_COLOR, width: 1.5, spanGaps: true, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : v.toExponential(2)) }],
      }),
    };
    this.placeholder = h('p', { class: 'hint' }, 'The charts fill in as training runs.');
    this.plots = h('div', { class: 'charts' }, this.loss.box, this.lr.box);
    this.plots.hidden = true;
    this.el = h('div', {}, this.placeholder, this.controls(), this.plots);
    for (const p of [this.loss, this.lr]) this.build(p);
    new ResizeObserver(() => this.resize()).observe(this.plots);
  }

  clear(): void {
    this.rows.clear();
    for (const p of [this.loss, this.lr]) p.zoomed = false;
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

  /** The x axis toggle, the smoothing slider, the log toggle and the zoom hint, above both charts. */
  private controls(): HTMLElement {
    const s = this.settings;
    const axis = h('select', { 'data-testid': 'chart-x-axis', onchange: () => this.change({ xAxis: axis.value === 'tokens' ? 'tokens' : 'steps' }) },
      h('option', { value: 'steps' }, 'steps'), h('option', { value: 'tokens' }, 'tokens'));
    axis.value = s.xAxis;
    const shown = h('output', { 'data-testid': 'chart-smoothing-value' }, s.smoothing.toFixed(2));
    const smoothing = h('input', { type: 'range', min: 0, max: MAX_SMOOTHING, step: 0.01, value: String(s.smoothing), 'data-testid': 'chart-smoothing',
      'aria-describedby': 'chart-smoothing-help',
      oninput: () => { shown.textContent = Number(smoothing.value).toFixed(2); this.change({ smoothing: Number(smoothing.value) }); } });
    const log = h('input', { type: 'checkbox', 'data-testid': 'chart-log', onchange: () => this.change({ log: log.checked }) });
    log.checked = s.log;
    const smoothingField = labelled('Smoothing', smoothing);
    smoothingField.classList.add('range');
    smoothingField.append(shown);
    return h('div', { class: 'chart-controls' },
      labelled('x axis', axis), smoothingField, labelled('log scale', log),
      h('small', { class: 'hint', id: 'chart-smoothing-help' }, 'Exponential moving average of the training loss; the raw losses stay faint behind it (0: raw only).'),
      h('small', { class: 'hint', 'data-testid': 'chart-zoom-hint' }, 'Drag across a chart to zoom, double-click to reset.'));
  }

  private change(patch: Partial<ChartSettings>): void {
    const before = this.settings;
    this.settings = { ...before, ...patch };
    saveChartSettings(this.storage, this.settings);
    // A uPlot's scales and series labels are fixed when it is made: a new axis, scale or label means a new chart.
    const rebuild = this.settings.xAxis !== before.xAxis || this.settings.log !== before.log || (before.smoothing > 0) !== (this.settings.smoothing > 0);
    if (this.settings.xAxis !== before.xAxis) this.lr.zoomed = false;
    if (rebuild) { this.loss.zoomed = false; this.build(this.loss); if (this.settings.xAxis !== before.xAxis) this.build(this.lr); }
    this.redraw();
  }

  /** (Re)makes a plot's uPlot for the current settings, with the hooks that track zoom in data-* attributes. */
  private build(p: Plot): void {
    p.chart?.destroy();
    const opts = p.options(this.settings, Math.max(240, Math.floor(p.box.clientWidth) - 8 || 400));
    opts.hooks = {
      setSelect: [(u) => { if (u.select.width > 0) p.zoomed = true; }],
      setScale: [(u, key) => { if (key === 'x') this.mark(p, u); }],
    };
    const chart = new uPlot(opts, p.data(), p.box);
    chart.over.addEventListener('dblclick', () => { p.zoomed = false; this.mark(p, chart); });
    p.chart = chart;
    this.mark(p, chart);
  }

  /** What the chart shows, readable without the canvas: axis, scale, smoothing, zoom and the x range. */
  private mark(p: Plot, u: uPlot): void {
    const d = p.box.dataset;
    d.xAxis = this.settings.xAxis;
    d.log = String(u.scales.y?.distr === 3);
    d.smoothing = String(this.settings.smoothing);
    d.zoomed = String(p.zoomed);
    d.series = u.series.slice(1).map((s) => s.label).join('|');
    d.xMin = String(u.scales.x.min ?? '');
    d.xMax = String(u.scales.x.max ?? '');
  }

  private redraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      const { train, val } = this.counts();
      this.plots.hidden = this.rows.size === 0;
      this.placeholder.hidden = this.rows.size > 0;
      for (const p of [this.loss, this.lr]) {
        if (!p.chart) continue;
        // While zoomed, new steps extend the data but keep the person's range.
        p.chart.setData(p.data(), !p.zoomed);
        p.box.dataset.points = String(train);
        p.box.dataset.valPoints = String(val);
        this.mark(p, p.chart);
      }
    });
  }

  private resize(): void {
    for (const p of [this.loss, this.lr]) {
      if (!p.chart) continue;
      const width = Math.max(240, Math.floor(p.box.clientWidth) - 8);
      if (Math.abs(width - p.chart.width) > 2) p.chart.setSize({ width, height: HEIGHT });
    }
  }
}

function base(axis: XAxis, width: number): Omit<uPlot.Options, 'series'> {
  return {
    width, height: HEIGHT, legend: { live: true },
    axes: [{ label: xName(axis), size: 40 }, { size: 56 }],
    scales: { x: { time: false } },
    cursor: { drag: { x: true, y: false }, sync: { key: 'leveret-run' } },
  };
}
