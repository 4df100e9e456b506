// "Generate synthetic text" (HARE's D2), a box in the Data panel: shown once a model is imported (its weights
// in the GPU) and a dataset is prepared. The training worker draws seeds evenly over the dataset's topic
// clusters, prompts the model with a template and appends each sample to a file in the browser's storage;
// Stop keeps what is done and Generate with the same settings resumes. The file then becomes a source with
// category "synthetic" (part D2), so the next Prepare cleans, dedups and decontaminates it like any other.
import { DEFAULT_SYNTH_TEMPLATES } from '../data/synth/prompts';
import { MAX_SYNTH_SAMPLES, type SynthOutcome, type SynthProgress, type SynthRequest } from '../worker/synth-api';
import { MAX_SAMPLE_TOKENS } from '../worker/train-api';
import { errorText, formatCount, h, labelled, numberInput } from './dom';

export interface SynthHandlers {
  generate(req: SynthRequest, onProgress: (p: SynthProgress) => void): Promise<SynthOutcome>;
  cancel(): void;
  /** The output as a source card (replacing the one an earlier, shorter generation of the same file made). */
  addSource(file: File): void;
}

const TEMPLATE_WORDS: Record<string, string> = {
  mixed: 'all four, mixed', textbook: 'textbook passage', student: 'explained to a student', qa: 'question and answer', story: 'short story',
};

export class SynthPanel {
  readonly el: HTMLElement;
  private readonly n = numberInput(100, { min: 1, max: MAX_SYNTH_SAMPLES, step: 1, 'data-testid': 'synth-n' });
  private readonly maxTokens = numberInput(128, { min: 1, max: MAX_SAMPLE_TOKENS, step: 1, 'data-testid': 'synth-max-tokens' });
  private readonly template: HTMLSelectElement;
  private readonly generateButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly bar = h('progress', { max: 1, value: 0, 'data-testid': 'synth-progress', 'aria-label': 'synthetic text progress' });
  private readonly status = h('p', { class: 'status', role: 'status', 'data-testid': 'synth-status' });
  private model: string | null = null;
  private dataset: string | null = null;
  private running = false;
  /** A generation has finished: its result stays shown when the new source unprepares the data. */
  private finished = false;
  private readonly reason = h('span', { class: 'hint blocked', id: 'synth-blocked-reason', 'data-testid': 'synth-blocked-reason', 'aria-live': 'polite', hidden: true });

  constructor(private readonly handlers: SynthHandlers) {
    this.template = h('select', { 'data-testid': 'synth-template' },
      ...['mixed', ...Object.keys(DEFAULT_SYNTH_TEMPLATES)].map((t) => h('option', { value: t }, TEMPLATE_WORDS[t] ?? t)));
    this.generateButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'synth-generate', onclick: () => void this.generate() }, 'Generate');
    this.generateButton.setAttribute('aria-describedby', this.reason.id);
    this.stopButton = h('button', { type: 'button', 'data-testid': 'synth-stop', disabled: true, onclick: () => this.handlers.cancel() }, 'Stop');
    this.el = h('details', { class: 'settings', 'data-testid': 'synth-panel', hidden: true, open: true },
      h('summary', {}, 'Generate synthetic text'),
      h('p', { class: 'help', 'data-testid': 'synth-help' }),
      h('div', { class: 'grid' },
        labelled('Samples', this.n, `1 to ${MAX_SYNTH_SAMPLES}, seeds drawn evenly over the topic clusters (if prepared with them)`),
        labelled('Max tokens per sample', this.maxTokens),
        labelled('Template', this.template)),
      h('div', { class: 'buttons' }, this.generateButton, this.stopButton, this.reason),
      this.bar, this.status);
  }

  /** The imported model whose weights are in the GPU (null: none, or a run freed them). */
  setModel(name: string | null): void { this.model = name; this.sync(); }
  /** The prepared dataset shown in the Data panel (null: none). */
  setDataset(name: string | null): void { this.dataset = name; this.sync(); }

  private sync(): void {
    this.el.hidden = !this.running && (this.model === null || (this.dataset === null && !this.finished));
    // The seeds come from the prepared data: after the synthetic source is added, Prepare makes it again.
    const why = this.dataset === null ? 'Prepare the data (with its new sources) to generate more.' : null;
    this.generateButton.disabled = this.running || why !== null;
    this.reason.textContent = why ?? '';
    this.reason.hidden = why === null;
    const help = this.el.querySelector('[data-testid="synth-help"]');
    if (help) help.textContent = `${this.model ?? 'The model'} continues prompts made from records of the prepared data; the text becomes a "synthetic" source (D2) for the next Prepare. Stop keeps what is done: Generate again with the same settings continues.`;
  }

  private async generate(): Promise<void> {
    if (this.running || !this.dataset) return;
    const req: SynthRequest = { dataset: this.dataset, n: Number(this.n.value), maxTokens: Number(this.maxTokens.value), template: this.template.value,
      temperature: 0.8, topK: 40, seed: 1 };
    this.running = true;
    this.generateButton.disabled = true;
    this.stopButton.disabled = false;
    this.status.classList.remove('error');
    this.bar.value = 0;
    this.status.textContent = 'Drawing seeds and starting the model…';
    const show = (p: Omit<SynthProgress, 'elapsedMs'>) => {
      this.bar.value = p.total ? p.done / p.total : 0;
      this.bar.dataset.done = String(p.done);
      this.status.textContent = `${p.done} / ${p.total} samples · ${formatCount(p.tokens)} tokens · ${p.tokensPerSecond.toFixed(1)} tokens/s`;
    };
    try {
      const r = await this.handlers.generate(req, show);
      show(r);
      if (r.done > 0) this.handlers.addSource(r.file);
      this.status.textContent = `${r.done} / ${r.total} samples · ${formatCount(r.tokens)} tokens · ${r.tokensPerSecond.toFixed(1)} tokens/s` +
        (r.resumed ? ` (${r.resumed} resumed)` : '') +
        (r.cancelled ? '. Stopped: Generate again with the same settings continues.' : '.') +
        (r.done > 0 ? ` Added as the source ${r.file.name.replace(/\.jsonl$/, '')} (synthetic, D2): prepare again to include it.` : '');
    } catch (e) {
      this.status.textContent = `Synthetic text failed: ${errorText(e)}`;
      this.status.classList.add('error');
    } finally {
      this.running = false;
      this.finished = true;
      this.stopButton.disabled = true;
      this.sync();
    }
  }
}
