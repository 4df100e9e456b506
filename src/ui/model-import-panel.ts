// "Start from a model": a released Hugging Face Llama or Mistral folder dropped or picked, checked in the
// training worker (refusals name the file and field), its weights streamed into the GPU a tensor at a time
// under a progress bar, then its card: family, shape, parameters, stored size, tokenizer and chat template.
// The config and data panels follow the imported model (main.ts wires that); "Use a preset instead" lets go.
import type { ModelCard, TrainEvent } from '../worker/train-api';
import { formatBytes } from '../model/memory';
import { errorText, fill, formatCount, h } from './dom';
import { droppedFiles, pickedFiles, type FolderFiles } from './folder-files';

export interface ModelImportHandlers {
  /** Checks and loads the folder; resolves with its card, rejects with the refusal. */
  importFolder(f: FolderFiles): Promise<ModelCard>;
  forget(): Promise<void>;
}

type Loading = Extract<TrainEvent, { type: 'model-loading' }>;

/** The card's "On the GPU" line: held for chat, freed because a run took the GPU, or never there (no WebGPU). */
function onGpuText(onGpu: boolean, loaded: boolean): string {
  if (onGpu) return 'yes: chat works now, Train fine-tunes it';
  return loaded ? 'no longer: freed for the run, which loaded the weights from the files (chat uses the run\'s weights)'
    : 'no WebGPU here: the weights load when Train starts';
}

export class ModelImportPanel {
  private readonly folderInput: HTMLInputElement;
  private readonly filesInput: HTMLInputElement;
  private readonly folderButton: HTMLButtonElement;
  private readonly filesButton: HTMLButtonElement;
  private readonly zone: HTMLElement;
  private readonly reason: HTMLElement;
  private readonly progressBar: HTMLProgressElement;
  private readonly status: HTMLElement;
  private readonly card: HTMLElement;
  private readonly forgetButton: HTMLButtonElement;
  private blocked: string | null = null;
  /** The weights went into a forward engine at import (false: no WebGPU here). */
  private loadedOnGpu = false;
  private loading = false;

  constructor(root: HTMLElement, private readonly handlers: ModelImportHandlers) {
    const picked = (input: HTMLInputElement) => () => {
      const files = pickedFiles(input.files ?? []);
      input.value = ''; // the same folder can be chosen again
      void this.load(files);
    };
    this.folderInput = h('input', { type: 'file', hidden: true, 'aria-label': 'Choose a model folder', 'data-testid': 'model-folder-input' });
    this.folderInput.webkitdirectory = true;
    this.folderInput.addEventListener('change', picked(this.folderInput));
    this.filesInput = h('input', { type: 'file', multiple: true, hidden: true, 'aria-label': "Choose the folder's files", 'data-testid': 'model-files-input' });
    this.filesInput.addEventListener('change', picked(this.filesInput));
    this.folderButton = h('button', { type: 'button', onclick: () => this.folderInput.click() }, 'Choose a model folder');
    this.filesButton = h('button', { type: 'button', onclick: () => this.filesInput.click() }, "Choose its files");
    this.reason = h('span', { class: 'hint blocked', id: 'model-import-reason', 'data-testid': 'model-import-reason', 'aria-live': 'polite', hidden: true });
    for (const b of [this.folderButton, this.filesButton]) b.setAttribute('aria-describedby', this.reason.id);
    this.zone = h('div', { class: 'drop-zone', 'data-testid': 'model-drop-zone' },
      this.folderInput, this.filesInput, this.folderButton, ' ', this.filesButton,
      h('span', { class: 'hint' }, ' or drop the folder here'));
    const over = (e: DragEvent) => { e.preventDefault(); this.zone.classList.add('over'); };
    this.zone.addEventListener('dragenter', over);
    this.zone.addEventListener('dragover', over);
    this.zone.addEventListener('dragleave', () => this.zone.classList.remove('over'));
    this.zone.addEventListener('drop', (e) => {
      e.preventDefault();
      this.zone.classList.remove('over');
      if (!e.dataTransfer || this.buttonsOff()) return;
      void droppedFiles(e.dataTransfer).then((f) => this.load(f), (err: unknown) => this.fail(`The drop could not be read: ${errorText(err)}`));
    });
    this.progressBar = h('progress', { max: 1, value: 0, hidden: true, 'data-testid': 'model-progress', 'aria-label': 'model loading progress' });
    this.status = h('p', { class: 'status', role: 'status', 'data-testid': 'model-status' });
    this.card = h('div', { class: 'model-card', 'data-testid': 'model-card', hidden: true });
    this.forgetButton = h('button', { type: 'button', 'data-testid': 'model-forget', hidden: true, onclick: () => void this.forget() }, 'Use a preset instead');
    fill(root,
      h('h2', {}, 'Start from a model'),
      h('p', { class: 'help' }, 'Optional: a Hugging Face Llama or Mistral folder (config.json, tokenizer.json, model.safetensors or its shards). ' +
        'Training then continues from its weights, the data is prepared with its tokenizer, and the chat uses its template. ' +
        'The files are read from disk a tensor at a time and never leave this machine.'),
      this.zone, this.reason, this.progressBar, this.status, this.card, h('div', { class: 'buttons' }, this.forgetButton));
    this.sync();
  }

  /** Keeps the pickers off, saying why (the page loading, a run going), until null. */
  setBlocked(reason: string | null): void {
    this.blocked = reason;
    this.sync();
  }

  /** A tensor arrived in GPU buffers (at import, or when a run loads the weights again). */
  progress(e: Loading): void {
    this.progressBar.hidden = false;
    this.progressBar.value = e.totalBytes > 0 ? e.bytes / e.totalBytes : 1;
    this.progressBar.dataset.tensors = String(e.tensors);
    this.status.classList.remove('error');
    this.status.textContent = `Loading ${e.name}: ${Math.round(100 * this.progressBar.value)}% ` +
      `(${formatBytes(e.bytes)} of ${formatBytes(e.totalBytes)}, ${e.tensors} of ${e.totalTensors} tensors)`;
  }

  private buttonsOff(): boolean {
    return this.loading || this.blocked !== null;
  }

  private sync(): void {
    const off = this.buttonsOff();
    this.folderButton.disabled = off;
    this.filesButton.disabled = off;
    this.forgetButton.disabled = off;
    const why = this.loading ? null : this.blocked;
    this.reason.textContent = why ?? '';
    this.reason.hidden = why === null;
  }

  private fail(message: string): void {
    this.status.textContent = message;
    this.status.classList.add('error');
  }

  private async load(f: FolderFiles): Promise<void> {
    if (f.files.length === 0) { this.fail('No files: choose or drop the model folder itself, or its files.'); return; }
    this.loading = true;
    this.sync();
    this.progressBar.hidden = false;
    this.progressBar.value = 0;
    this.status.classList.remove('error');
    this.status.textContent = `Checking ${f.folder} (${f.files.length} files)…`;
    try {
      const card = await this.handlers.importFolder(f);
      this.progressBar.value = 1;
      this.status.textContent = `Loaded ${card.name}` + (f.skipped.length ? ` (left out, in subfolders: ${f.skipped.join(', ')})` : '') + '.';
      this.showCard(card);
    } catch (e) {
      this.progressBar.hidden = true;
      this.fail(`Refused ${f.folder}: ${errorText(e)}`);
    } finally {
      this.loading = false;
      this.sync();
    }
  }

  private showCard(c: ModelCard): void {
    const m = c.config;
    const row = (k: string, v: string) => [h('dt', {}, k), h('dd', {}, v)];
    fill(this.card,
      h('h3', {}, c.name),
      h('dl', {},
        ...row('Family', `${c.className}${c.tied ? ', tied embeddings' : ''} (exported as the same)`),
        ...row('Shape', `${m.nLayers} layers, width ${m.dim}, ${m.nHeads} heads (${m.nKvHeads} key/value), MLP ${m.hiddenDim}, context ${m.contextLength}`),
        ...row('Parameters', `${formatCount(c.parameters)} (${formatBytes(c.storedBytes)} stored as ${c.dtypes.join(', ')})`),
        ...row('Weights', c.weightFiles.join(', ')),
        ...row('Tokenizer', `tokenizer.json: ${c.tokenizer.type}, ${formatCount(c.tokenizer.vocabSize)} tokens (vocabulary ${formatCount(m.vocabSize)}), BOS ${c.tokenizer.bosId}, EOS ${c.tokenizer.eosId}`),
        ...row('Chat template', c.chatTemplate),
        ...row('On the GPU', onGpuText(c.onGpu, c.onGpu))),
      c.warnings.length ? h('ul', { class: 'warnings' }, ...c.warnings.map((w) => h('li', {}, w))) : null);
    this.card.hidden = false;
    this.forgetButton.hidden = false;
    this.loadedOnGpu = c.onGpu;
  }

  /** The chat copy of the weights was freed for a run (or loaded again): the card's "On the GPU" says which. */
  setOnGpu(onGpu: boolean): void {
    const dd = [...this.card.querySelectorAll('dt')].find((dt) => dt.textContent === 'On the GPU')?.nextElementSibling;
    if (dd) dd.textContent = onGpuText(onGpu, this.loadedOnGpu);
  }

  private async forget(): Promise<void> {
    try {
      await this.handlers.forget();
      this.card.hidden = true;
      this.forgetButton.hidden = true;
      this.progressBar.hidden = true;
      this.status.textContent = 'Back to presets: runs start from seeded weights.';
    } catch (e) {
      this.fail(errorText(e));
    }
  }
}
