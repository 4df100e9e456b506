// The Data panel: sources (dropped or picked files, plus the default corpus) each with a category, a weight
// and format options; benchmark files; tokenizer; cleaning rules; the Prepare button with its progress bar;
// the report and the cleaned-data downloads. The pipeline itself runs in the data worker.
import * as Comlink from 'comlink';
import type { PipelineProgress, PipelineStage } from '../data/pipeline-options';
import type { PipelineReport } from '../data/report';
import type { TokenizerChoice } from '../data/tokenizer-choice';
import type { ChatTemplateSpec } from '../data/sft/chat-template';
import type { ExportFile } from '../worker/data-api';
import { download, errorText, fill, formatCount, h, labelled, numberInput } from './dom';
import { MAX_BPE_VOCAB, MIN_VOCAB } from './config-words';
import { overRepeated, showRepeats } from './mixture-repeats';
import { reportView } from './report-view';
import { RulesForm } from './rules-form';
import { SourceList } from './source-list';
import { BenchmarkList } from './benchmark-list';
import { ClusterFields } from './cluster-fields';
import { datasetName, prepareRequest, type PrepareSettings, type SourceEntry } from './sources';
import type { Workers } from './workers';

/** What the data depends on from the model side: the vocabulary (tokenizer size) and the training length. */
export interface ModelNeeds {
  vocabSize: number;
  seqLen: number;
  /** Tokens the planned run draws (steps × batch × accumulation × sequence length), for the repeat warnings. */
  plannedTokens?: number;
}

// Share of the progress bar each stage fills (cleaning dominates; a BPE's training is next).
const STAGES: Record<PipelineStage, [number, number]> = {
  benchmarks: [0, 0.05], clean: [0.05, 0.6], tokenizer: [0.6, 0.8], pack: [0.8, 1], done: [1, 1],
};

/** What the page hears from the data panel: Train depends on both. */
/** An imported model's tokenizer as the data step uses it, with the template its SFT sources render through. */
export interface ModelTokenizer {
  json: object;
  label: string;
  stamp: string;
  /** The model's tokenizer_config.json template; null: ChatML. */
  chatTemplate: ChatTemplateSpec | null;
}

export interface DataPanelEvents {
  sourcesChanged(count: number): void;
  /** The tokenizer settings cannot work (null once they can), in the form's words. */
  tokenizerProblem(problem: string | null): void;
  /** The prepared dataset shown (null: none), for the exports made from it. */
  datasetShown?(name: string | null): void;
}

export interface Prepared {
  dataset: string;
  report: PipelineReport;
}

export class DataPanel {
  readonly sources: SourceList;
  private readonly benchmarks: BenchmarkList;
  private readonly rules: RulesForm;
  private readonly clusters: ClusterFields;
  private readonly tokenizerKind: HTMLSelectElement;
  private readonly bpeVocab: HTMLInputElement;
  private readonly tokenizerFile: HTMLInputElement;
  private readonly valFraction: HTMLInputElement;
  private readonly seed: HTMLInputElement;
  private readonly prepareButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly progress: HTMLProgressElement;
  private readonly status: HTMLElement;
  private readonly reportBox: HTMLElement;
  private readonly exports: HTMLElement;
  private readonly tokenizerNote: HTMLElement;
  private readonly prepareReason: HTMLElement;
  /** Why Prepare cannot work yet (the page still loading), by cause; no sources is checked on every sync. */
  private readonly blockers = new Map<string, string>();
  private running: { name: string; promise: Promise<Prepared> } | null = null;
  /** An imported model's tokenizer.json: the only tokenizer while the model is imported (its stamp names the file). */
  private modelTokenizer: ModelTokenizer | null = null;
  private constructed = false;
  private shown: string | null = null;
  private shownReport: PipelineReport | null = null;
  /** Sources too small for their share, and the person's choice for each (mixture-repeats.ts). */
  private readonly repeatsBox: HTMLElement = h('div', { class: 'repeats', 'data-testid': 'mixture-repeats', hidden: true });
  private readonly keptRepeats = new Set<string>();

  constructor(root: HTMLElement, private readonly workers: Workers, private readonly needs: () => ModelNeeds,
    private readonly events: DataPanelEvents = { sourcesChanged: () => undefined, tokenizerProblem: () => undefined }) {
    const changed = () => this.settingsChanged();
    this.sources = new SourceList(() => { this.syncPrepare(); this.events.sourcesChanged(this.sources.list().length); changed(); },
      async (file, kind) => this.workers.data.sniffColumns(await file.load(), kind),
      async (file, kind, req) => this.workers.data.previewLayout(await file.load(), kind,
        { ...req, seed: Number(this.seed.value), ...this.sftTemplate() }));
    this.benchmarks = new BenchmarkList(changed);
    this.rules = new RulesForm(changed);
    this.clusters = new ClusterFields(() => { this.setBlocked('clusters', this.clusters.problem()); changed(); });

    this.tokenizerKind = h('select', { 'data-testid': 'tokenizer-kind', onchange: changed },
      h('option', { value: 'auto' }, 'automatic (follows the model)'),
      h('option', { value: 'bpe' }, 'byte-level BPE learned from these sources'),
      h('option', { value: 'mistral' }, "Mistral's tokenizer (32000)"),
      h('option', { value: 'json' }, 'a tokenizer.json file'));
    this.bpeVocab = numberInput(512, { min: 259, max: 65536, step: 1, 'data-testid': 'bpe-vocab', oninput: changed });
    this.tokenizerFile = h('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'tokenizer-file', onchange: changed });
    this.tokenizerNote = h('small', { class: 'hint', 'data-testid': 'tokenizer-note' });
    this.valFraction = numberInput(0.01, { min: 0, max: 0.5, step: 0.01, 'data-testid': 'val-fraction', oninput: changed });
    this.seed = numberInput(1, { min: 0, step: 1, 'data-testid': 'data-seed', oninput: changed });

    this.prepareButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'prepare-button', onclick: () => void this.prepareClicked() }, 'Prepare data');
    this.prepareReason = h('span', { class: 'hint blocked', id: 'prepare-blocked-reason', 'data-testid': 'prepare-blocked-reason', 'aria-live': 'polite', hidden: true });
    this.prepareButton.setAttribute('aria-describedby', this.prepareReason.id);
    this.cancelButton = h('button', { type: 'button', 'data-testid': 'prepare-cancel', disabled: true, onclick: () => void this.workers.data.cancel() }, 'Cancel');
    this.progress = h('progress', { max: 1, value: 0, 'data-testid': 'prepare-progress', 'aria-label': 'data preparation progress' });
    this.status = h('p', { class: 'status', 'data-testid': 'prepare-status', role: 'status' });
    this.reportBox = h('div', { 'data-testid': 'report-box' });
    this.exports = h('div', { class: 'buttons' },
      h('button', { type: 'button', 'data-testid': 'export-cleaned', onclick: () => void this.exportFile('cleaned.jsonl') }, 'Download cleaned.jsonl'),
      h('button', { type: 'button', 'data-testid': 'export-report', onclick: () => void this.exportFile('report.json') }, 'Download report.json'));
    this.exports.hidden = true;

    fill(root,
      h('h2', {}, '1 · Data'),
      h('h3', {}, 'Sources'),
      this.sources.el,
      h('h3', {}, 'Benchmarks (decontamination)'),
      h('p', { class: 'help' }, 'Training samples that overlap these files (HARE: above 50% of n-grams) are removed.'),
      this.benchmarks.el,
      h('details', { class: 'settings' }, h('summary', {}, 'Tokenizer and validation split'),
        h('div', { class: 'grid' },
          wide(labelled('Tokenizer', this.tokenizerKind)), labelled('BPE vocabulary size', this.bpeVocab),
          labelled('tokenizer.json', this.tokenizerFile),
          labelled('Validation share', this.valFraction, 'fraction of each source held out'),
          labelled('Data seed', this.seed)),
        this.tokenizerNote),
      h('details', { class: 'settings' }, h('summary', {}, 'Cleaning rules'), this.rules.el),
      h('details', { class: 'settings' }, h('summary', {}, 'Topic clusters'), this.clusters.el),
      h('div', { class: 'buttons' }, this.prepareButton, this.cancelButton, this.prepareReason),
      this.progress, this.status, this.reportBox, this.exports);
    this.settingsChanged();
    this.syncPrepare();
    this.constructed = true;
  }

  /** Keeps Prepare off, with the reason beside it, until the cause clears (null). */
  setBlocked(cause: string, reason: string | null): void {
    if (reason === null) this.blockers.delete(cause);
    else this.blockers.set(cause, reason);
    this.syncPrepare();
  }

  private syncPrepare(): void {
    const reason = this.running ? null
      : [...this.blockers.values()][0] ?? (this.sources.list().length === 0 ? 'Add at least one source to prepare.' : null);
    this.prepareButton.disabled = this.running !== null || reason !== null;
    this.prepareReason.textContent = reason ?? '';
    this.prepareReason.hidden = reason === null;
  }

  /** Call when the model's vocabulary or training length changes: the automatic tokenizer follows it. */
  modelChanged(): void {
    this.settingsChanged();
  }

  addSources(list: SourceEntry[]): void {
    this.sources.add(list);
  }

  /**
   * Makes an imported model's tokenizer.json the tokenizer, the choice locked (the model reads only its own
   * ids); null gives the choice back. `stamp` identifies the file, so the dataset's name follows it.
   */
  useModelTokenizer(model: ModelTokenizer | null): void {
    this.modelTokenizer = model;
    this.tokenizerKind.querySelector('option[value="model"]')?.remove();
    if (model) {
      this.tokenizerKind.prepend(h('option', { value: 'model' }, `the model's tokenizer.json (${model.label})`));
      this.tokenizerKind.value = 'model';
    } else {
      this.tokenizerKind.value = 'auto';
    }
    this.tokenizerKind.disabled = model !== null;
    this.settingsChanged();
    this.sources.refreshLayouts();
  }

  /** The tokenizer the pipeline will use, as the settings say. */
  private async tokenizerChoice(): Promise<{ choice: TokenizerChoice; stamp: string }> {
    const kind = this.tokenizerKind.value;
    if (kind === 'model' && this.modelTokenizer) return { choice: { kind: 'json', json: this.modelTokenizer.json }, stamp: this.modelTokenizer.stamp };
    const vocab = this.needs().vocabSize;
    if (kind === 'mistral') return { choice: { kind: 'mistral' }, stamp: '' };
    if (kind === 'bpe') return { choice: { kind: 'bpe', vocabSize: Number(this.bpeVocab.value) }, stamp: '' };
    if (kind === 'json') {
      const f = this.tokenizerFile.files?.[0];
      if (!f) throw new Error('choose a tokenizer.json file, or another tokenizer');
      let json: object;
      try { json = JSON.parse(await f.text()) as object; } catch (e) { throw new Error(`${f.name}: not valid JSON (${errorText(e)})`); }
      return { choice: { kind: 'json', json }, stamp: `${f.name}:${f.size}:${f.lastModified}` };
    }
    // Automatic: HARE's Mistral tokenizer for 32000-vocabulary models, else a BPE learned at the model's size.
    return vocab === 32000 ? { choice: { kind: 'mistral' }, stamp: '' } : { choice: { kind: 'bpe', vocabSize: vocab }, stamp: '' };
  }

  private settingsChanged(): void {
    const kind = this.tokenizerKind.value;
    this.bpeVocab.disabled = kind !== 'bpe';
    this.tokenizerFile.disabled = kind !== 'json';
    const vocab = this.needs().vocabSize;
    const problem = this.tokenizerProblem();
    this.bpeVocab.setAttribute('aria-invalid', String(kind === 'bpe' && problem !== null));
    this.tokenizerNote.classList.toggle('error', problem !== null);
    this.tokenizerNote.textContent = problem ?? (kind === 'model' ? `The imported model's tokenizer.json: the data is tokenized as ${this.modelTokenizer?.label ?? 'the model'} reads it (use a preset instead to choose another).`
      : kind === 'auto'
      ? (vocab === 32000 ? "Mistral's tokenizer, as the model's vocabulary is 32000." : `A byte-level BPE with ${vocab} tokens, the model's vocabulary.`)
      : '');
    this.setBlocked('tokenizer', problem);
    if (this.constructed) this.events.tokenizerProblem(problem); // the page asks tokenizerProblem() once it is built
    this.showRepeatWarnings();
    void this.showExisting();
  }

  /** The repeat warnings for the shown report against the run the config plans now. */
  private showRepeatWarnings(): void {
    const planned = this.needs().plannedTokens;
    const report = this.shownReport;
    const repeats = report && planned ? overRepeated(report.mixture, report.dataset.packLength, planned) : [];
    showRepeats(this.repeatsBox, repeats, planned ?? 0, {
      kept: this.keptRepeats,
      keep: (source) => { this.keptRepeats.add(source); this.showRepeatWarnings(); },
      reweight: (source, weight) => {
        this.sources.setWeight(source, weight);
        this.status.classList.remove('error');
        this.status.textContent = `The weight of ${source} is now ${weight}: prepare again to use it (Train does so by itself).`;
      },
    });
  }

  /** A BPE size the trainer would refuse, said here in the form's words with the fix (null: fine). */
  tokenizerProblem(): string | null {
    const kind = this.tokenizerKind.value;
    if (kind === 'bpe') {
      const v = this.bpeVocab.value.trim() === '' ? NaN : Number(this.bpeVocab.value);
      if (!Number.isInteger(v) || v < MIN_VOCAB || v > MAX_BPE_VOCAB) {
        return `BPE vocabulary size must be a whole number from ${MIN_VOCAB} (256 bytes and 3 special tokens) to ${MAX_BPE_VOCAB}.`;
      }
    }
    const vocab = this.needs().vocabSize;
    if (kind === 'auto' && vocab !== 32000 && vocab > MAX_BPE_VOCAB) {
      return `The automatic tokenizer is a BPE at the model's vocabulary, ${vocab}, above the ${MAX_BPE_VOCAB} a BPE can have: set the vocabulary to at most ${MAX_BPE_VOCAB} (or 32000 for Mistral's), or choose a tokenizer.`;
    }
    return null;
  }

  async settings(): Promise<PrepareSettings> {
    const { choice, stamp } = await this.tokenizerChoice();
    return {
      sources: this.sources.list(), benchmarks: this.benchmarks.list(), rules: this.rules.read(), tokenizer: choice, tokenizerStamp: stamp,
      seqLen: this.needs().seqLen, valFraction: Number(this.valFraction.value), seed: Number(this.seed.value),
      diversity: this.clusters.read(),
      ...this.sftTemplate(),
    };
  }

  /** SFT sources render through the imported model's template while the data is tokenized for it, as
   *  `npm run data` takes it from the model folder; otherwise (and for a model without one) ChatML. */
  private sftTemplate(): { chatTemplate?: ChatTemplateSpec } {
    const t = this.tokenizerKind.value === 'model' ? this.modelTokenizer?.chatTemplate : null;
    return t ? { chatTemplate: t } : {};
  }

  /** Benchmark files for decontamination handed over from elsewhere (the Evaluate panel's "Use for decontamination"). */
  addBenchmarks(files: File[]): void {
    this.benchmarks.addFiles(files);
  }

  /** Shows the report of an already prepared dataset for the current settings (after a reload, say). */
  private async showExisting(): Promise<void> {
    try {
      if (this.running || this.sources.list().length === 0) return;
      const name = await datasetName(await this.settings());
      if (name === this.shown) return;
      const existing = (await this.workers.data.listDatasets()).find((d) => d.name === name && d.manifest);
      if (!existing) { this.clearReport(); return; }
      const report = JSON.parse(await (await this.workers.data.exportFile(name, 'report.json')).text()) as PipelineReport;
      this.showReport(name, report, `Prepared earlier: ${datasetLabel(name, report)} (${formatCount(existing.bytes)} bytes).`);
      try { this.refuseFailed(report); } catch { /* shown in the status; Train and Prepare say it again */ }
    } catch {
      // Settings that cannot name a dataset yet (no tokenizer file chosen): nothing to show.
    }
  }

  private clearReport(): void {
    this.shown = null;
    this.events.datasetShown?.(null);
    this.shownReport = null;
    this.showRepeatWarnings();
    this.status.textContent = '';
    this.status.classList.remove('error');
    this.progress.value = 0;
    this.reportBox.replaceChildren();
    this.exports.hidden = true;
    this.sources.showProblems([]);
  }

  private showReport(name: string, report: PipelineReport, status: string): void {
    this.shown = name;
    this.events.datasetShown?.(name);
    this.shownReport = report;
    this.status.classList.remove('error');
    fill(this.reportBox, reportView(report, this.repeatsBox));
    this.showRepeatWarnings();
    this.exports.hidden = false;
    this.progress.value = 1;
    this.status.textContent = status;
    this.sources.showProblems(report.problems.list, report.problems.files,
      new Map(report.sources.flatMap((s) => (s.error ? [[s.name, s.error] as const] : []))));
  }

  private async prepareClicked(): Promise<void> {
    try {
      await this.ensurePrepared(true);
    } catch {
      // ensurePrepared has already shown the error.
    }
  }

  /** The dataset for the current settings, prepared now unless it already exists (or `force`). */
  async ensurePrepared(force = false): Promise<Prepared> {
    let settings: PrepareSettings;
    try {
      settings = await this.settings();
      if (settings.sources.length === 0) throw new Error('add at least one source');
    } catch (e) {
      this.status.textContent = errorText(e);
      this.status.classList.add('error');
      throw e;
    }
    const name = await datasetName(settings);
    if (this.running?.name === name) return this.running.promise;
    if (this.running) throw new Error('another dataset is being prepared: wait for it or cancel it');
    if (!force) {
      const existing = (await this.workers.data.listDatasets()).find((d) => d.name === name && d.manifest);
      if (existing) {
        const report = JSON.parse(await (await this.workers.data.exportFile(name, 'report.json')).text()) as PipelineReport;
        if (this.shown !== name) this.showReport(name, report, `Using the dataset prepared earlier: ${datasetLabel(name, report)}.`);
        this.refuseFailed(report);
        return { dataset: name, report };
      }
    }
    const promise = this.prepare(name, settings);
    this.running = { name, promise };
    this.syncPrepare();
    try {
      return await promise;
    } finally {
      this.running = null;
      this.syncPrepare();
    }
  }

  private async prepare(name: string, settings: PrepareSettings): Promise<Prepared> {
    this.cancelButton.disabled = false;
    this.status.classList.remove('error');
    this.clearReport();
    this.status.textContent = 'Loading files…';
    this.progress.value = 0;
    const onProgress = (p: PipelineProgress) => {
      const [from, to] = STAGES[p.stage];
      this.progress.value = from + (to - from) * Math.min(1, Math.max(0, p.fraction));
      this.status.textContent = `${p.stage}: ${p.message}`;
    };
    try {
      const req = await prepareRequest(name, settings);
      const report = await this.workers.data.prepare(req, Comlink.proxy(onProgress));
      const problems = report.problems.files.reduce((n, f) => n + f.total, 0);
      const dropped = report.mixture.filter((m) => m.dropped).length;
      this.showReport(name, report, `Prepared ${datasetLabel(name, report)}: ${formatCount(report.totals.tokens)} tokens` +
        (problems ? `; ${formatCount(problems)} input problem${problems === 1 ? '' : 's'} (see below)` : '') +
        (dropped ? `; ${dropped} source${dropped === 1 ? '' : 's'} left out of the mixture (see Mixture)` : '') + '.');
      this.refuseFailed(report);
      return { dataset: name, report };
    } catch (e) {
      this.progress.value = this.shown === name ? 1 : 0; // a failed source still leaves its report to read
      this.status.textContent = `Preparation failed: ${errorText(e)}`;
      this.status.classList.add('error');
      throw e;
    } finally {
      this.cancelButton.disabled = true;
    }
  }

  /** A source that read no document fails the preparation: the report stays shown, the status says which and why. */
  private refuseFailed(report: PipelineReport): void {
    const why = failure(report);
    if (!why) return;
    this.status.textContent = `Preparation failed: ${why}`;
    this.status.classList.add('error');
    throw new Error(why);
  }

  private async exportFile(file: ExportFile): Promise<void> {
    if (!this.shown) return;
    try {
      download(await this.workers.data.exportFile(this.shown, file), file === 'cleaned.jsonl' ? `${this.shown}-cleaned.jsonl` : `${this.shown}-${file}`);
    } catch (e) {
      this.status.textContent = `Download failed: ${errorText(e)}`;
    }
  }
}

/** A field on a row of its own, so a long option's text is not cut off. */
function wide(label: HTMLLabelElement): HTMLLabelElement {
  label.classList.add('wide');
  return label;
}

/** Why a dataset cannot be trained on: the errors of its sources that read no document (null when none). */
function failure(report: PipelineReport): string | null {
  const failed = report.sources.filter((s) => s.error);
  return failed.length ? failed.map((s) => s.error).join(' ') : null;
}

/** A dataset named by its sources, as a person knows it, with the hash that names its folder after it. */
export function datasetLabel(name: string, report: PipelineReport): string {
  const names = report.sources.map((s) => s.name);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(' + ')} + ${names.length - 3} more` : names.join(' + ');
  return `${shown} (${name})`;
}
