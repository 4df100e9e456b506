// The Export section's other formats, beside the checkpoint zip: the run as one GGUF file for llama.cpp (f32,
// f16 or bf16), and the prepared dataset as Megatron-LM data for a cluster (a zip of .bin/.idx per source,
// data-path.txt and README.md). Both are what `npm run export` writes; the workers stream them into OPFS and
// the download reads that file (src/worker/opfs-export.ts).
import { fill, formatCount, h, labelled } from './dom';

export type GGUFDtype = 'f32' | 'f16' | 'bf16';

export interface ExportFormatHandlers {
  /** Writes and downloads the GGUF; `progress(bytes, total)` while it streams. */
  exportGGUF(dtype: GGUFDtype, progress: (bytes: number, total: number) => void): Promise<{ fileName: string; bytes: number }>;
  /** Writes and downloads the Megatron zip of `dataset`; `progress(documents)` while it re-tokenizes. */
  exportCluster(dataset: string, progress: (documents: number) => void): Promise<{ fileName: string; bytes: number; sources: number }>;
}

const DTYPE_WORDS: Record<GGUFDtype, string> = {
  f32: 'f32 (exact, 4 bytes a weight)',
  f16: 'f16 (half the size; what llama.cpp quantizes from)',
  bf16: 'bf16 (half the size, f32 range)',
};

export class ExportFormats {
  readonly root: HTMLElement;
  private readonly dtype: HTMLSelectElement;
  private readonly ggufButton: HTMLButtonElement;
  private readonly clusterButton: HTMLButtonElement;
  private readonly ggufReason: HTMLElement;
  private readonly clusterReason: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly message: HTMLElement;
  private dataset: string | null = null;
  private exportable = false;
  private busy = false;

  constructor(private readonly handlers: ExportFormatHandlers) {
    this.dtype = h('select', { 'data-testid': 'gguf-dtype' },
      ...(Object.keys(DTYPE_WORDS) as GGUFDtype[]).map((d) => h('option', { value: d }, DTYPE_WORDS[d])));
    this.ggufReason = h('span', { class: 'hint blocked', id: 'gguf-blocked-reason', 'data-testid': 'gguf-blocked-reason' });
    this.clusterReason = h('span', { class: 'hint blocked', id: 'cluster-blocked-reason', 'data-testid': 'cluster-blocked-reason' });
    this.ggufButton = h('button', { type: 'button', 'data-testid': 'export-gguf', 'aria-describedby': this.ggufReason.id,
      onclick: () => void this.gguf() }, 'Export GGUF');
    this.clusterButton = h('button', { type: 'button', 'data-testid': 'export-cluster', 'aria-describedby': this.clusterReason.id,
      onclick: () => void this.cluster() }, 'Export for a cluster (.zip)');
    this.progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'export progress', 'data-testid': 'export-progress' });
    this.message = h('p', { class: 'status', role: 'status', 'data-testid': 'export-formats-message' });
    this.root = h('div', { class: 'export-formats', role: 'group', 'aria-label': 'other export formats' });
    fill(this.root,
      h('h3', {}, 'Other formats'),
      h('p', { class: 'help' }, 'GGUF is one file llama.cpp, Ollama and LM Studio load (a LoRA run exports its base with the adapter merged). ' +
        'For a cluster: the prepared data as Megatron-LM indexed datasets, one per source, with the mixture weights as --data-path and a README of the commands to continue there.'),
      h('div', { class: 'buttons' }, labelled('GGUF weights', this.dtype), this.ggufButton, this.ggufReason),
      h('div', { class: 'buttons' }, this.clusterButton, this.clusterReason),
      this.progress, this.message);
    this.sync();
  }

  /** A run exists (trained, paused or loaded): its weights can be written. */
  setExportable(exportable: boolean): void {
    this.exportable = exportable;
    this.sync();
  }

  /** The dataset the Data panel shows as prepared (null: none yet). */
  setDataset(name: string | null): void {
    this.dataset = name;
    this.sync();
  }

  private sync(): void {
    const gguf = this.busy ? 'Wait: an export is being written.' : this.exportable ? null : 'Train, or import a checkpoint, to export its weights.';
    const cluster = this.busy ? 'Wait: an export is being written.' : this.dataset ? null : 'Prepare the data first (Data panel).';
    this.ggufButton.disabled = gguf !== null;
    this.dtype.disabled = gguf !== null;
    this.ggufReason.textContent = gguf ?? '';
    this.ggufReason.hidden = gguf === null;
    this.clusterButton.disabled = cluster !== null;
    this.clusterReason.textContent = cluster ?? '';
    this.clusterReason.hidden = cluster === null;
  }

  private async gguf(): Promise<void> {
    const dtype = this.dtype.value as GGUFDtype;
    await this.run(`Writing the GGUF (${dtype})…`, async () => {
      const r = await this.handlers.exportGGUF(dtype, (bytes, total) => {
        if (!this.busy) return; // a progress message the worker sent before it finished may arrive after
        this.progress.value = total ? bytes / total : 0;
        this.message.textContent = `Writing the GGUF (${dtype}): ${formatCount(bytes)} of ${formatCount(total)} bytes…`;
      });
      return `Exported ${r.fileName} (${formatCount(r.bytes)} bytes): GGUF v3, llama architecture, ${dtype}.`;
    });
  }

  private async cluster(): Promise<void> {
    const dataset = this.dataset;
    if (!dataset) return;
    await this.run('Re-tokenizing cleaned.jsonl into one indexed dataset per source…', async () => {
      const r = await this.handlers.exportCluster(dataset, (documents) => {
        if (!this.busy) return;
        this.message.textContent = `Re-tokenizing cleaned.jsonl: ${formatCount(documents)} documents…`;
      });
      return `Exported ${r.fileName} (${formatCount(r.bytes)} bytes): ${r.sources} indexed dataset${r.sources === 1 ? '' : 's'}, data-path.txt and README.md.`;
    });
  }

  private async run(start: string, action: () => Promise<string>): Promise<void> {
    this.busy = true;
    this.sync();
    this.progress.hidden = false;
    this.progress.value = 0;
    this.say(start);
    let said: [string, boolean];
    try {
      said = [await action(), false];
    } catch (e) {
      said = [e instanceof Error ? e.message : String(e), true];
    } finally {
      this.busy = false;
      this.progress.hidden = true;
      this.sync();
    }
    this.say(...said);
  }

  private say(text: string, error = false): void {
    this.message.textContent = text;
    this.message.classList.toggle('error', error);
    this.message.setAttribute('role', error ? 'alert' : 'status');
  }
}
