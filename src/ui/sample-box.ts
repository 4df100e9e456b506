// Text from the model while it trains: a prompt, greedy or temperature / top-k sampling, "Sample now", and
// automatic samples every N steps; the newest sample on top, each labelled with its step. A sample on demand
// streams in token by token and can be stopped; the fields refuse values past their limits, saying which
// and why, before anything is asked of the worker; model text is shown through samplePieces, never raw.
import { MAX_SAMPLE_TOKENS, type SampleSettings } from '../worker/train-api';
import { errorText, fill, h, labelled, numberInput } from './dom';
import { samplePieces, streamingText } from './sample-text';

export interface SampleHandlers {
  sampleNow(s: SampleSettings, id: number): Promise<{ text: string; step: number; tokens: number; cancelled: boolean }>;
  cancel(id: number): void;
  /** The automatic sample settings changed (only ever called with valid settings). */
  changed(s: SampleSettings): void;
}

/** A field's rule: a problem in the field's own words (with the fix), or null. */
type Check = (v: number) => string | null;
const wholeFrom = (name: string, min: number, max = Infinity, why = ''): Check => (v) =>
  Number.isInteger(v) && v >= min && v <= max ? null
    : `${name} must be a whole number ${max === Infinity ? `of ${min} or more` : `from ${min} to ${max}`}${why}.`;

const MAX_SHOWN = 20;

export class SampleBox {
  readonly el: HTMLElement;
  private readonly prompt: HTMLTextAreaElement;
  private readonly mode: HTMLSelectElement;
  private readonly temperature: HTMLInputElement;
  private readonly topK: HTMLInputElement;
  private readonly maxTokens: HTMLInputElement;
  private readonly every: HTMLInputElement;
  private readonly nowButton: HTMLButtonElement;
  private readonly problems: HTMLElement;
  private readonly output: HTMLOListElement;
  private readonly checks: [HTMLInputElement, Check][];
  private available = false;
  private samples = 0;
  private nextId = 1;
  private lastValid!: SampleSettings;
  /** The sample on demand streaming now: its id and where its text goes. */
  private live: { id: number; text: HTMLElement; meta: HTMLElement; cancel: HTMLButtonElement; max: number } | null = null;

  constructor(private readonly handlers: SampleHandlers) {
    const changed = () => {
      this.syncMode();
      if (this.validate()) this.handlers.changed(this.read());
    };
    this.prompt = h('textarea', { rows: 2, 'data-testid': 'sample-prompt', oninput: changed });
    this.prompt.value = 'Call me';
    this.mode = h('select', { 'data-testid': 'sample-mode', onchange: changed },
      h('option', { value: 'sample' }, 'temperature / top-k'), h('option', { value: 'greedy' }, 'greedy'));
    this.temperature = numberInput(0.8, { min: 0, max: 5, step: 0.05, 'data-testid': 'sample-temperature', oninput: changed });
    this.topK = numberInput(40, { min: 0, step: 1, 'data-testid': 'sample-topk', oninput: changed });
    this.maxTokens = numberInput(48, { min: 1, max: MAX_SAMPLE_TOKENS, step: 1, 'data-testid': 'sample-max-tokens', oninput: changed });
    this.every = numberInput(50, { min: 0, step: 1, 'data-testid': 'sample-every', oninput: changed });
    this.checks = [
      [this.temperature, (v) => (v >= 0 && v <= 5 ? null : 'Temperature must be from 0 (greedy) to 5.')],
      [this.topK, wholeFrom('Top-k', 0)],
      [this.maxTokens, wholeFrom('Tokens', 1, MAX_SAMPLE_TOKENS, ': a sample holds the training worker until it ends')],
      [this.every, wholeFrom('Every N steps', 0)],
    ];
    this.nowButton = h('button', { type: 'button', 'data-testid': 'sample-now', disabled: true, onclick: () => void this.sampleNow() }, 'Sample now');
    this.problems = h('div', { class: 'error', 'data-testid': 'sample-problems', role: 'alert', hidden: true });
    this.output = h('ol', { class: 'samples', reversed: true, 'data-testid': 'sample-output', 'aria-live': 'polite' });
    this.el = h('section', { class: 'sample-box', 'aria-label': 'samples' },
      h('h3', {}, 'Samples'),
      labelled('Prompt', this.prompt),
      h('div', { class: 'grid' },
        labelled('Decoding', this.mode), labelled('Temperature', this.temperature, '0: greedy, up to 5'), labelled('Top-k', this.topK, '0: all tokens'),
        labelled('Tokens', this.maxTokens, `1 to ${MAX_SAMPLE_TOKENS}`), labelled('Every N steps', this.every, '0: only on demand')),
      this.problems,
      h('div', { class: 'buttons' }, this.nowButton),
      this.output);
    this.syncMode();
    this.validate();
  }

  /** The settings for automatic samples: the fields', or the last valid ones while a field is refused. */
  settings(): SampleSettings {
    return this.validate() ? this.read() : { ...this.lastValid, seed: this.samples + 1 };
  }

  private read(): SampleSettings {
    const greedy = this.mode.value === 'greedy';
    return {
      prompt: this.prompt.value,
      maxTokens: Number(this.maxTokens.value),
      temperature: greedy ? 0 : Number(this.temperature.value),
      topK: Number(this.topK.value),
      seed: this.samples + 1,
      everySteps: Number(this.every.value),
    };
  }

  /** Sampling needs weights: on while a run (or a restored checkpoint) exists. */
  setAvailable(available: boolean): void {
    this.available = available;
    this.syncButton();
  }

  setEvery(steps: number): void {
    this.every.value = String(steps);
  }

  show(step: number, prompt: string, text: string, auto: boolean): void {
    this.samples++;
    const body = h('span', { class: 'sample-body' });
    showText(body, text);
    this.add(h('li', { 'data-testid': 'sample-item', 'data-step': String(step) },
      h('div', { class: 'sample-meta' }, `step ${step}${auto ? ' · automatic' : ''}`),
      h('p', { class: 'sample-text' }, h('span', { class: 'prompt' }, prompt), body)));
  }

  /** A token of the sample on demand arrived: its text so far. */
  progress(id: number, text: string, tokens: number): void {
    if (this.live?.id !== id) return;
    showText(this.live.text, streamingText(text));
    this.live.meta.textContent = `sampling… ${tokens} / ${this.live.max} tokens`;
  }

  clear(): void {
    fill(this.output);
  }

  /** Checks every field, marks the bad ones and says what to change; true when all pass. */
  private validate(): boolean {
    const problems: string[] = [];
    for (const [input, check] of this.checks) {
      const problem = input.disabled ? null : check(input.value.trim() === '' ? NaN : Number(input.value));
      input.setAttribute('aria-invalid', String(problem !== null));
      if (problem) problems.push(problem);
    }
    fill(this.problems, ...problems.map((p) => h('div', {}, p)));
    this.problems.hidden = problems.length === 0;
    this.syncButton();
    if (problems.length === 0) this.lastValid = this.read();
    return problems.length === 0;
  }

  private syncButton(): void {
    this.nowButton.disabled = !this.available || this.live !== null || !this.problems.hidden;
  }

  private syncMode(): void {
    const greedy = this.mode.value === 'greedy';
    this.temperature.disabled = greedy;
    this.topK.disabled = greedy;
  }

  private add(item: HTMLLIElement): void {
    this.output.prepend(item);
    while (this.output.children.length > MAX_SHOWN) this.output.lastElementChild?.remove();
  }

  private async sampleNow(): Promise<void> {
    if (!this.validate()) return;
    const s = this.read();
    const id = this.nextId++;
    const meta = h('div', { class: 'sample-meta' }, `sampling… 0 / ${s.maxTokens} tokens`);
    const text = h('span', { class: 'sample-body' });
    const cancel = h('button', { type: 'button', class: 'small', 'data-testid': 'sample-cancel', onclick: () => {
      cancel.disabled = true;
      this.handlers.cancel(id);
    } }, 'Stop sampling');
    const item = h('li', { 'data-testid': 'sample-item', 'data-live': 'true' }, h('div', { class: 'sample-head' }, meta, cancel),
      h('p', { class: 'sample-text' }, h('span', { class: 'prompt' }, s.prompt), text));
    this.add(item);
    this.live = { id, text, meta, cancel, max: s.maxTokens };
    this.syncButton();
    try {
      const r = await this.handlers.sampleNow(s, id);
      this.samples++;
      showText(text, r.text);
      item.dataset.step = String(r.step);
      item.dataset.tokens = String(r.tokens);
      meta.textContent = `step ${r.step}${r.cancelled ? ` · stopped after ${r.tokens} of ${s.maxTokens} tokens` : ''}`;
    } catch (e) {
      item.classList.add('error');
      meta.textContent = `Sampling failed: ${errorText(e)}`;
    } finally {
      delete item.dataset.live;
      cancel.remove();
      this.live = null;
      this.syncButton();
    }
  }
}

/** Model text into `el` as text nodes and marked pieces (controls, broken bytes), never as HTML. */
export function showText(el: HTMLElement, text: string): void {
  fill(el, ...samplePieces(text).map((p) => p.kind === 'text' ? p.text
    : h('span', { class: p.kind === 'control' ? 'ctrl' : 'bad-bytes', title: p.title }, p.text)));
}
