// The Run panel: Train / Pause / Resume / Stop, where the run stands (step counter, progress bar with ETA,
// tokens/s, learning rate, losses), the charts, the samples, and a log of every step's loss.
import type { LossPoint } from '../train/checkpoint/trainer-state';
import { tokensPerStep, type TrainConfig } from '../train/config';
import { learningRate } from '../train/schedule';
import type { RunState, SampleSettings, TrainEvent } from '../worker/train-api';
import { fill, formatCount, formatDuration, h, labelled } from './dom';
import { LossCharts } from './loss-charts';
import { SampleBox } from './sample-box';
import { ScoreChart } from './score-chart';

export interface RunHandlers {
  train(): void;
  pause(): void;
  resume(): void;
  stop(): void;
  sampleNow(s: SampleSettings, id: number): Promise<{ text: string; tokens: number; cancelled: boolean }>;
  cancelSample(id: number): void;
  samplingChanged(s: SampleSettings): void;
}

type StepEvent = Extract<TrainEvent, { type: 'step' }>;

const ACTIVE: readonly RunState[] = ['starting', 'running', 'pausing', 'stopping'];
const LOG_ROWS = 1000; // the log shows the latest steps; the charts keep them all

export class RunPanel {
  readonly samples: SampleBox;
  readonly engine: HTMLSelectElement;
  /** Train, Pause, Resume, Stop and why Train is off: the page keeps these in a bar that stays in view. */
  readonly controls: HTMLElement;
  private readonly charts = new LossCharts();
  /** Benchmark scores by step (the Evaluate panel's schedule), beside the loss charts. */
  readonly scores = new ScoreChart();
  private readonly buttons: Record<'train' | 'pause' | 'resume' | 'stop', HTMLButtonElement>;
  private readonly status: HTMLElement;
  private readonly message: HTMLElement;
  private readonly counter: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly eta: HTMLElement;
  private readonly speed: HTMLElement;
  private readonly lr: HTMLElement;
  private readonly loss: HTMLElement;
  private readonly valLoss: HTMLElement;
  private readonly backend: HTMLElement;
  private readonly log: HTMLTableSectionElement;
  private state: RunState = 'idle';
  private step = 0;
  private totalSteps = 0;
  private recentMs: number[] = [];
  /** Why Train cannot work yet, by cause (the page still loading, a refused config, no sources); shown beside it. */
  private readonly blockers = new Map<string, string>();
  private readonly blockedReason: HTMLElement;
  private preparing = false;

  constructor(root: HTMLElement, private readonly handlers: RunHandlers) {
    const button = (key: keyof RunPanel['buttons'], text: string, cls = '') =>
      h('button', { type: 'button', class: cls, 'data-testid': `${key}-button`, onclick: () => this.handlers[key]() }, text);
    this.buttons = { train: button('train', 'Train', 'primary'), pause: button('pause', 'Pause'), resume: button('resume', 'Resume'), stop: button('stop', 'Stop') };
    this.engine = h('select', { 'data-testid': 'engine-select' },
      h('option', { value: 'auto' }, 'WebGPU engine where available'), h('option', { value: 'tfjs' }, 'tfjs reference model (slow)'));
    this.blockedReason = h('span', { class: 'hint blocked', id: 'train-blocked-reason', 'data-testid': 'train-blocked-reason', 'aria-live': 'polite', hidden: true });
    this.buttons.train.setAttribute('aria-describedby', this.blockedReason.id);
    this.status = h('p', { class: 'status', role: 'status', 'data-testid': 'run-status' }, 'No run yet: press Train.');
    this.message = h('p', { class: 'error', role: 'alert', 'data-testid': 'run-message', hidden: true });
    this.counter = h('span', { class: 'counter', 'data-testid': 'step-counter', 'data-step': '0' }, 'step 0');
    this.progress = h('progress', { max: 1, value: 0, 'data-testid': 'run-progress', 'aria-label': 'training progress' });
    this.eta = h('span', { 'data-testid': 'eta' }, '–');
    this.speed = h('span', { 'data-testid': 'tokens-per-second' }, '–');
    this.lr = h('span', { 'data-testid': 'lr-value' }, '–');
    this.loss = h('span', { 'data-testid': 'loss-value' }, '–');
    this.valLoss = h('span', { 'data-testid': 'val-loss-value' }, '–');
    this.backend = h('span', { 'data-testid': 'run-backend' }, '–');
    this.log = h('tbody', { 'data-testid': 'step-log' });
    this.samples = new SampleBox({
      sampleNow: async (s, id) => ({ ...(await this.handlers.sampleNow(s, id)), step: this.step }),
      cancel: (id) => this.handlers.cancelSample(id),
      changed: (s) => this.handlers.samplingChanged(s),
    });
    this.controls = h('div', { class: 'run-controls' },
      h('div', { class: 'buttons' }, this.buttons.train, this.buttons.pause, this.buttons.resume, this.buttons.stop), this.blockedReason);
    const stat = (name: string, value: HTMLElement) => h('div', { class: 'stat' }, h('span', { class: 'stat-name' }, name), value);
    fill(root,
      h('h2', {}, '3 · Train'),
      h('p', { class: 'hint' }, 'Train, Pause, Resume and Stop are in the bar at the top of the page.'),
      h('div', { class: 'buttons' }, labelled('Run on', this.engine)),
      this.status, this.message,
      h('div', { class: 'progress-line' }, this.counter, this.progress, h('span', {}, 'ETA ', this.eta)),
      h('div', { class: 'stats' },
        stat('loss', this.loss), stat('validation loss', this.valLoss), stat('learning rate', this.lr),
        stat('tokens/s', this.speed)),
      h('p', { class: 'hint' }, 'Engine: ', this.backend),
      this.charts.el,
      this.scores.el,
      this.samples.el,
      h('details', { class: 'log' }, h('summary', {}, 'Step log'),
        h('table', {}, h('thead', {}, h('tr', {}, ...['step', 'loss', 'validation', 'lr', 'tokens/s'].map((c) => h('th', { scope: 'col' }, c)))), this.log)));
    this.sync();
  }

  /** The config panel's verdict: a refused config keeps Train off. */
  setConfigOk(ok: boolean): void {
    this.setBlocked('config', ok ? null : 'The settings are refused: see Model & training.');
  }

  /** Keeps Train off, with the reason shown beside it, until the cause clears (null). */
  setBlocked(cause: string, reason: string | null): void {
    if (reason === null) this.blockers.delete(cause);
    else this.blockers.set(cause, reason);
    this.sync();
  }

  /** Data is being prepared for Train: the button waits. */
  setPreparing(preparing: boolean, message?: string): void {
    this.preparing = preparing;
    if (message) this.status.textContent = message;
    this.sync();
  }

  /** A new run, or a restored one with its history: resets the counters and charts. */
  begin(train: TrainConfig, step: number, history: readonly LossPoint[], backend: string): void {
    this.totalSteps = train.steps;
    this.step = step;
    this.recentMs = [];
    this.charts.clear();
    this.scores.clear();
    fill(this.log);
    this.samples.clear();
    this.message.hidden = true;
    this.backend.textContent = backend;
    // Nothing from the previous run stays on show (a restored history refills the losses below).
    for (const el of [this.lr, this.speed, this.valLoss, this.eta]) el.textContent = '–';
    this.sync();
    const perStep = tokensPerStep(train);
    for (const p of history) {
      // Step k was taken at the schedule's position k - 1 (the history stores losses, the schedule gives the rate).
      const lr = p.step > 0 ? learningRate(train, p.step - 1) : null;
      this.charts.put(p.step, { tokens: p.step * perStep, loss: Number.isFinite(p.loss) ? p.loss : null, lr, ...(p.valLoss !== undefined ? { val: p.valLoss } : {}) });
      if (Number.isFinite(p.loss)) this.logRow(p.step, p.loss, null, null);
      if (p.valLoss !== undefined) this.valLoss.textContent = p.valLoss.toFixed(4);
    }
    const last = [...history].reverse().find((p) => Number.isFinite(p.loss));
    this.loss.textContent = last ? last.loss.toFixed(4) : '–';
    this.showStep();
  }

  setState(state: RunState, message: string, step: number): void {
    this.state = state;
    this.step = step;
    this.status.textContent = message;
    if (state !== 'running') this.eta.textContent = state === 'finished' ? 'done' : '–';
    this.showStep();
    this.sync();
  }

  onStep(e: StepEvent): void {
    this.step = e.step;
    this.totalSteps = e.totalSteps;
    this.recentMs.push(e.ms);
    if (this.recentMs.length > 20) this.recentMs.shift();
    const meanMs = this.recentMs.reduce((a, b) => a + b, 0) / this.recentMs.length;
    this.eta.textContent = formatDuration(((e.totalSteps - e.step) * meanMs) / 1000);
    this.speed.textContent = formatCount(Math.round(e.tokensPerSecond));
    this.lr.textContent = e.lr.toExponential(2);
    this.loss.textContent = e.loss.toFixed(4);
    this.charts.put(e.step, { tokens: e.tokens, loss: e.loss, lr: e.lr });
    this.logRow(e.step, e.loss, e.lr, e.tokensPerSecond);
    this.showStep();
  }

  onEval(step: number, tokens: number, valLoss: number): void {
    this.valLoss.textContent = valLoss.toFixed(4);
    this.charts.put(step, { tokens, val: valLoss });
    const row = this.log.querySelector(`tr[data-step="${step}"]`);
    if (row) { row.setAttribute('data-val-loss', String(valLoss)); (row.children[2] as HTMLElement).textContent = valLoss.toFixed(4); }
  }

  /** A problem the person must read: divergence, a refused start, a failed call. */
  showMessage(text: string): void {
    this.message.textContent = text;
    this.message.hidden = false;
  }

  get currentStep(): number { return this.step; }

  /** The run, when Resume can continue it (paused, or stopped with steps left). */
  continuable(): { step: number; totalSteps: number } | null {
    return this.resumable() ? { step: this.step, totalSteps: this.totalSteps } : null;
  }

  private resumable(): boolean {
    return (this.state === 'paused' || this.state === 'stopped') && this.step < this.totalSteps;
  }

  private logRow(step: number, loss: number, lr: number | null, speed: number | null): void {
    this.log.querySelector(`tr[data-step="${step}"]`)?.remove();
    this.log.prepend(h('tr', { 'data-testid': 'step-log-row', 'data-step': String(step), 'data-loss': String(loss) },
      h('td', {}, String(step)), h('td', {}, loss.toFixed(4)), h('td', {}, ''),
      h('td', {}, lr === null ? '' : lr.toExponential(2)), h('td', {}, speed === null ? '' : formatCount(speed))));
    while (this.log.children.length > LOG_ROWS) this.log.lastElementChild?.remove();
  }

  private showStep(): void {
    this.counter.textContent = this.totalSteps ? `step ${this.step} / ${this.totalSteps}` : `step ${this.step}`;
    this.counter.dataset.step = String(this.step);
    this.progress.value = this.totalSteps ? this.step / this.totalSteps : 0;
  }

  private sync(): void {
    const active = ACTIVE.includes(this.state);
    this.buttons.train.disabled = active || this.blockers.size > 0 || this.preparing;
    // While the page loads, that is the reason (no sources yet is only a symptom of it).
    const reason = active || this.preparing ? null : this.blockers.get('loading') ?? [...this.blockers.values()][0] ?? null;
    this.blockedReason.textContent = reason ?? '';
    this.blockedReason.hidden = reason === null;
    this.buttons.pause.disabled = this.state !== 'running';
    // A paused or stopped run keeps its weights and data cursor: it can go on while it has steps left.
    const resumable = this.resumable();
    this.buttons.resume.disabled = !(this.state === 'pausing' || resumable);
    // The button to press next is the primary one: Resume while a run can continue, Train otherwise.
    this.buttons.resume.classList.toggle('primary', resumable);
    this.buttons.train.classList.toggle('primary', !resumable);
    this.buttons.stop.disabled = !(this.state === 'running' || this.state === 'pausing' || this.state === 'paused');
    this.engine.disabled = active;
    this.samples.setAvailable(this.state !== 'idle' && this.state !== 'starting' && this.state !== 'failed');
  }
}
