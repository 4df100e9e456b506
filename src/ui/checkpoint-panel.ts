// The Checkpoints panel: export the run as a zip (Hugging Face folder plus trainer state; for a LoRA run the
// PEFT adapter folder plus trainer state, and the base with the adapter merged as a plain folder), import one to
// resume, the autosave interval and when the last autosave happened, and the offer, after a reload or a
// crash, to resume the autosaved run.
import type { AutosaveInfo } from '../worker/train-api';
import { fill, formatCount, h, labelled, numberInput } from './dom';

export interface CheckpointHandlers {
  exportZip(): Promise<void>;
  /** A LoRA run's base with the adapter merged, as a plain Hugging Face folder zip. */
  exportMerged(): Promise<void>;
  importZip(file: File): Promise<void>;
  autosaveSecondsChanged(seconds: number): void;
  resumeAutosave(run: boolean): Promise<void>;
  discardAutosave(): Promise<void>;
}

const time = (ms: number): string => new Date(ms).toLocaleTimeString();

export class CheckpointPanel {
  /** The resume offer; the page puts it at the top, where it is seen on opening. */
  readonly offer: HTMLElement;
  private readonly exportButton: HTMLButtonElement;
  private readonly mergedButton: HTMLButtonElement;
  private readonly importInput: HTMLInputElement;
  private readonly interval: HTMLInputElement;
  private readonly message: HTMLElement;
  private readonly autosaveStatus: HTMLElement;
  private readonly importReason: HTMLElement;
  private autosaves = 0;
  private offered: AutosaveInfo | null = null;

  constructor(root: HTMLElement, private readonly handlers: CheckpointHandlers) {
    this.exportButton = h('button', { type: 'button', 'data-testid': 'export-checkpoint', disabled: true, onclick: () => void this.run(() => this.handlers.exportZip()) }, 'Export checkpoint (.zip)');
    this.mergedButton = h('button', { type: 'button', 'data-testid': 'export-merged', disabled: true, hidden: true,
      onclick: () => void this.run(() => this.handlers.exportMerged()) }, 'Download merged model (.zip)');
    this.importInput = h('input', { type: 'file', accept: '.zip,application/zip', 'data-testid': 'import-checkpoint', onchange: () => {
      const f = this.importInput.files?.[0];
      this.importInput.value = '';
      if (f) void this.run(() => this.handlers.importZip(f));
    } });
    this.importReason = h('span', { class: 'hint blocked', id: 'import-blocked-reason', 'data-testid': 'import-blocked-reason', hidden: true });
    this.importInput.setAttribute('aria-describedby', this.importReason.id);
    this.interval = numberInput(60, { min: 0, step: 1, 'data-testid': 'autosave-interval',
      oninput: () => this.handlers.autosaveSecondsChanged(this.seconds()) });
    this.message = h('p', { class: 'status', role: 'status', 'data-testid': 'checkpoint-message' });
    this.autosaveStatus = h('p', { class: 'hint', 'data-testid': 'autosave-status' }, 'No autosave yet.');
    this.offer = h('div', { class: 'banner offer', 'data-testid': 'resume-offer', hidden: true, role: 'region', 'aria-label': 'resume an autosaved run' });
    fill(root,
      h('h2', {}, '4 · Export: checkpoints'),
      h('p', { class: 'help' }, 'A checkpoint is a Hugging Face model folder (config.json, model.safetensors, tokenizer files) plus the trainer state, so an import continues the run exactly.'),
      h('div', { class: 'buttons' }, this.exportButton, this.mergedButton, labelled('Import checkpoint (.zip)', this.importInput), this.importReason),
      this.message,
      h('div', { class: 'grid' }, labelled('Autosave every (seconds)', this.interval, '0: only on pause, stop and at the end')),
      this.autosaveStatus);
  }

  seconds(): number {
    return Math.max(0, Math.floor(Number(this.interval.value) || 0));
  }

  setInterval(seconds: number): void {
    this.interval.value = String(seconds);
  }

  /** Import replaces the page's run: off, with the reason, while the page loads or a run is going. */
  setImportBlocked(reason: string | null): void {
    this.importInput.disabled = reason !== null;
    this.importReason.textContent = reason ?? '';
    this.importReason.hidden = reason === null;
  }

  setExportable(exportable: boolean): void {
    this.exportButton.disabled = !exportable;
    this.mergedButton.disabled = !exportable;
  }

  /** A LoRA run exports its adapter, and offers the merge; any other run its whole model. */
  setLora(lora: { base: string } | null): void {
    this.exportButton.textContent = lora ? 'Download adapter (.zip)' : 'Export checkpoint (.zip)';
    this.exportButton.title = lora ? `The PEFT adapter folder (adapter_config.json, adapter_model.safetensors) and its trainer state; it resumes on ${lora.base}` : '';
    this.mergedButton.hidden = lora === null;
    this.mergedButton.title = lora ? `${lora.base} with the adapter merged in: a plain Hugging Face folder of the same family` : '';
  }

  say(text: string, error = false): void {
    this.message.textContent = text;
    this.message.classList.toggle('error', error);
    this.message.setAttribute('role', error ? 'alert' : 'status');
  }

  autosaved(info: AutosaveInfo): void {
    this.autosaves++;
    this.autosaveStatus.dataset.count = String(this.autosaves);
    this.autosaveStatus.textContent = `Autosaved step ${info.step} of ${info.totalSteps} at ${time(info.savedAt)} (${formatCount(info.bytes)} bytes in this browser's private storage).`;
  }

  /** Offers the autosave found on opening; hidden when there is none. */
  showOffer(info: AutosaveInfo | null): void {
    this.offered = info;
    if (!info) { this.offer.hidden = true; return; }
    const finished = info.step >= info.totalSteps;
    const button = (text: string, testid: string, action: () => Promise<void>, cls = '') =>
      h('button', { type: 'button', class: cls, 'data-testid': testid, onclick: async () => {
        for (const b of this.offer.querySelectorAll('button')) b.disabled = true;
        await this.run(action);
        this.offered = null;
        this.offer.hidden = true;
      } }, text);
    fill(this.offer,
      h('p', {}, h('strong', {}, 'An autosaved run was found: '),
        `${info.label} model, step ${info.step} of ${info.totalSteps}, saved ${new Date(info.savedAt).toLocaleString()} (dataset ${info.dataset}).`),
      h('div', { class: 'buttons' },
        finished ? null : button(`Resume training from step ${info.step}`, 'resume-autosave', () => this.handlers.resumeAutosave(true), 'primary'),
        button(finished ? 'Load it' : 'Load it paused', 'load-autosave', () => this.handlers.resumeAutosave(false)),
        button('Discard', 'discard-autosave', () => this.handlers.discardAutosave())));
    this.offer.hidden = false;
  }

  /** The autosave offered on opening while it is neither restored nor discarded. */
  get pendingOffer(): AutosaveInfo | null {
    return this.offered;
  }

  /** Runs an action, showing its error here (checkpoint refusals say what is wrong). */
  private async run(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (e) {
      this.say(e instanceof Error ? e.message : String(e), true);
    }
  }
}
