// Text from the model while it trains: a prompt, greedy or temperature / top-k sampling, "Sample now", and
// automatic samples every N steps; the newest sample on top, each labelled with its step.
import { errorText, fill, h, labelled, numberInput } from './dom';
import type { SampleSettings } from '../worker/train-api';

export class SampleBox {
  readonly el: HTMLElement;
  private readonly prompt: HTMLTextAreaElement;
  private readonly mode: HTMLSelectElement;
  private readonly temperature: HTMLInputElement;
  private readonly topK: HTMLInputElement;
  private readonly maxTokens: HTMLInputElement;
  private readonly every: HTMLInputElement;
  private readonly nowButton: HTMLButtonElement;
  private readonly output: HTMLOListElement;
  private samples = 0;

  constructor(private readonly handlers: { sampleNow(s: SampleSettings): Promise<{ text: string; step: number }>; changed(s: SampleSettings): void }) {
    const changed = () => { this.syncMode(); this.handlers.changed(this.settings()); };
    this.prompt = h('textarea', { rows: 2, 'data-testid': 'sample-prompt', oninput: changed });
    this.prompt.value = 'Call me';
    this.mode = h('select', { 'data-testid': 'sample-mode', onchange: changed },
      h('option', { value: 'sample' }, 'temperature / top-k'), h('option', { value: 'greedy' }, 'greedy'));
    this.temperature = numberInput(0.8, { min: 0.05, max: 5, step: 0.05, 'data-testid': 'sample-temperature', oninput: changed });
    this.topK = numberInput(40, { min: 0, step: 1, 'data-testid': 'sample-topk', oninput: changed });
    this.maxTokens = numberInput(48, { min: 1, max: 1024, step: 1, 'data-testid': 'sample-max-tokens', oninput: changed });
    this.every = numberInput(50, { min: 0, step: 1, 'data-testid': 'sample-every', oninput: changed });
    this.nowButton = h('button', { type: 'button', 'data-testid': 'sample-now', disabled: true, onclick: () => void this.sampleNow() }, 'Sample now');
    this.output = h('ol', { class: 'samples', reversed: true, 'data-testid': 'sample-output', 'aria-live': 'polite' });
    this.el = h('section', { class: 'sample-box', 'aria-label': 'samples' },
      h('h3', {}, 'Samples'),
      labelled('Prompt', this.prompt),
      h('div', { class: 'grid' },
        labelled('Decoding', this.mode), labelled('Temperature', this.temperature), labelled('Top-k', this.topK, '0: all tokens'),
        labelled('Tokens', this.maxTokens), labelled('Every N steps', this.every, '0: only on demand')),
      h('div', { class: 'buttons' }, this.nowButton),
      this.output);
    this.syncMode();
  }

  settings(): SampleSettings {
    const greedy = this.mode.value === 'greedy';
    return {
      prompt: this.prompt.value,
      maxTokens: Math.max(1, Math.floor(Number(this.maxTokens.value) || 1)),
      temperature: greedy ? 0 : Math.max(0.01, Number(this.temperature.value) || 0.8),
      topK: Math.max(0, Math.floor(Number(this.topK.value) || 0)),
      seed: this.samples + 1,
      everySteps: Math.max(0, Math.floor(Number(this.every.value) || 0)),
    };
  }

  /** Sampling needs weights: on while a run (or a restored checkpoint) exists. */
  setAvailable(available: boolean): void {
    this.nowButton.disabled = !available;
  }

  setEvery(steps: number): void {
    this.every.value = String(steps);
  }

  show(step: number, prompt: string, text: string, auto: boolean): void {
    this.samples++;
    const item = h('li', { 'data-testid': 'sample-item', 'data-step': String(step) },
      h('div', { class: 'sample-meta' }, `step ${step}${auto ? ' · automatic' : ''}`),
      h('p', { class: 'sample-text' }, h('span', { class: 'prompt' }, prompt), text));
    this.output.prepend(item);
    while (this.output.children.length > 20) this.output.lastElementChild?.remove();
  }

  clear(): void {
    fill(this.output);
  }

  private syncMode(): void {
    const greedy = this.mode.value === 'greedy';
    this.temperature.disabled = greedy;
    this.topK.disabled = greedy;
  }

  private async sampleNow(): Promise<void> {
    const s = this.settings();
    this.nowButton.disabled = true;
    try {
      const { text, step } = await this.handlers.sampleNow(s);
      this.show(step, s.prompt, text, false);
    } catch (e) {
      this.output.prepend(h('li', { class: 'error' }, `Sampling failed: ${errorText(e)}`));
    } finally {
      this.nowButton.disabled = false;
    }
  }
}
