// Benchmark scores of the current run by step (its "evaluate every N steps" schedule), beside the loss
// charts: one line per task. Rebuilt when the set of tasks changes, since a uPlot's series are fixed.
import uPlot from 'uplot';
import type { Curve, TaskScore } from '../runs/run-record';
import { headlineScore } from '../runs/scores';
import { h } from './dom';

const COLORS = ['#7c3aed', '#ea580c', '#0891b2', '#be123c', '#4d7c0f', '#a16207'];

export class ScoreChart {
  readonly el: HTMLElement;
  private readonly box: HTMLElement;
  private readonly curves = new Map<string, Map<number, number | null>>();
  private chart: uPlot | null = null;
  private tasks = '';

  constructor() {
    this.box = h('figure', { class: 'chart', 'data-testid': 'chart-scores', 'data-points': '0' }, h('figcaption', {}, 'Benchmark score by step'));
    this.el = this.box;
    this.el.hidden = true;
  }

  clear(): void {
    this.curves.clear();
    this.redraw();
  }

  /** One evaluation's scores at `step`. */
  put(step: number, scores: Readonly<Record<string, TaskScore>>): void {
    for (const [task, s] of Object.entries(scores)) {
      const c = this.curves.get(task) ?? new Map<number, number | null>();
      c.set(step, headlineScore(s));
      this.curves.set(task, c);
    }
    this.redraw();
  }

  /** The curves a run record keeps (a restored run's history), replacing what is shown. */
  show(curves: Readonly<Record<string, Curve>> | undefined): void {
    this.curves.clear();
    for (const [task, pts] of Object.entries(curves ?? {})) this.curves.set(task, new Map(pts));
    this.redraw();
  }

  private redraw(): void {
    const tasks = [...this.curves.keys()].sort();
    const steps = [...new Set(tasks.flatMap((t) => [...this.curves.get(t)!.keys()]))].sort((a, b) => a - b);
    const data: uPlot.AlignedData = [steps, ...tasks.map((t) => steps.map((s) => this.curves.get(t)!.get(s) ?? null))];
    this.el.hidden = steps.length === 0;
    this.box.dataset.points = String(steps.length);
    if (this.tasks !== tasks.join('\n') || !this.chart) {
      this.chart?.destroy();
      this.tasks = tasks.join('\n');
      this.chart = new uPlot({
        width: Math.max(240, this.box.clientWidth - 8 || 400), height: 220, legend: { live: true },
        scales: { x: { time: false }, y: { range: [0, 1] } },
        axes: [{ label: 'step', size: 40, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) }, { size: 48 }],
        series: [{ label: 'step' }, ...tasks.map((t, i) => ({
          label: t, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true, points: { show: true, size: 6 },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : v.toFixed(3)),
        }))],
      }, data, this.box);
    } else {
      this.chart.setData(data);
    }
  }
}
