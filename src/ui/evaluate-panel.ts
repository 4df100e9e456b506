// The Evaluate panel: benchmark files dropped here (JSONL or Parquet in the datasets' own fields, read by the
// training worker, which reports bad rows by file and row), a task, few-shot count and document limit for
// them, scoring of the current run's weights with a progress bar and Cancel, the scores as a table and bars,
// and the `npm run eval -- --out` JSON to download. The same tasks can be scored every N steps while a run
// trains. Beside each file: whether the current run's data was decontaminated against it.
import type { EvalReport } from '../eval/report';
import { TASKS } from '../eval/task-registry';
import type { DataRecipe } from '../runs/run-record';
import type { EvalOutcome, EvalSchedule, EvalTaskFile, EvalTaskRequest, TaskFileCheck, TrainEvent } from '../worker/train-api';
import { download, errorText, fill, h, labelled, numberInput } from './dom';
import { dropZone } from './drop-zone';
import { scoreBars, scoreTable } from './score-view';

export interface EvaluateHandlers {
  check(files: EvalTaskFile[]): Promise<TaskFileCheck[]>;
  evaluate(tasks: EvalTaskRequest[], id: number): Promise<EvalOutcome>;
  cancel(id: number): void;
  scheduleChanged(s: EvalSchedule): void;
  /** Adds the file to the Data panel's benchmarks, for decontaminating the next preparation. */
  decontaminate(file: File): void;
}

interface Entry {
  id: number;
  file: File;
  task: string;
  shots: number;
  on: boolean;
  check: TaskFileCheck | null;
}

/** A task family for a file by its name (arc_easy for "ARC-Easy-test.jsonl"); `mc` when nothing matches. */
export function guessTask(fileName: string): string {
  const n = fileName.toLowerCase();
  if (n.includes('arc')) return n.includes('easy') ? 'arc_easy' : 'arc_challenge';
  for (const [word, task] of [['hellaswag', 'hellaswag'], ['winogrande', 'winogrande'], ['mmlu', 'mmlu'], ['truthful', 'truthfulqa_mc2'], ['piqa', 'piqa']] as const) {
    if (n.includes(word)) return task;
  }
  return 'mc';
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const TYPE_ACCEPT = '.jsonl,.json,.parquet,.gz';
type ScoringEvent = Extract<TrainEvent, { type: 'scoring' }>;

export class EvaluatePanel {
  private entries: Entry[] = [];
  private nextId = 1;
  private evalId = 0;
  private running: number | null = null;
  private recipe: DataRecipe | null = null;
  private noRun: string | null = 'Train a run (or restore one) to score it.';
  private report: EvalReport | null = null;
  private readonly list: HTMLUListElement;
  private readonly limit: HTMLInputElement;
  private readonly every: HTMLInputElement;
  private readonly during: HTMLInputElement;
  private readonly runButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly downloadButton: HTMLButtonElement;
  private readonly progressBar: HTMLProgressElement;
  private readonly status: HTMLElement;
  private readonly reason: HTMLElement;
  private readonly message: HTMLElement;
  private readonly problems: HTMLElement;
  private readonly results: HTMLElement;

  constructor(root: HTMLElement, private readonly handlers: EvaluateHandlers) {
    this.list = h('ul', { class: 'eval-tasks', 'data-testid': 'eval-task-list' });
    this.limit = numberInput(50, { min: 1, step: 1, 'data-testid': 'eval-limit' });
    this.limit.value = '';
    this.limit.placeholder = 'all';
    this.during = h('input', { type: 'checkbox', 'data-testid': 'eval-during' });
    this.every = numberInput(50, { min: 1, step: 1, 'data-testid': 'eval-every' });
    for (const el of [this.during, this.every, this.limit]) el.addEventListener('change', () => this.scheduleChanged());
    this.runButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'evaluate-button', onclick: () => void this.run() }, 'Evaluate');
    this.cancelButton = h('button', { type: 'button', 'data-testid': 'evaluate-cancel', onclick: () => this.cancel() }, 'Cancel');
    this.downloadButton = h('button', { type: 'button', 'data-testid': 'eval-download', onclick: () => this.downloadReport() }, 'Download results JSON');
    this.progressBar = h('progress', { max: 1, value: 0, 'aria-label': 'evaluation progress', 'data-testid': 'eval-progress' });
    this.status = h('p', { class: 'status', role: 'status', 'data-testid': 'eval-status' });
    this.reason = h('span', { class: 'hint blocked', id: 'evaluate-blocked-reason', 'data-testid': 'evaluate-blocked-reason', 'aria-live': 'polite' });
    this.runButton.setAttribute('aria-describedby', this.reason.id);
    this.message = h('p', { class: 'error', role: 'alert', 'data-testid': 'eval-message', hidden: true });
    this.problems = h('div', { 'data-testid': 'eval-problems' });
    this.results = h('div', { class: 'eval-results' });
    fill(root,
      h('h2', {}, 'Evaluate'),
      h('p', { class: 'hint' }, 'Benchmark files in lm-evaluation-harness layouts (',
        TASKS.map((t) => t.name).join(', '), '), scored on the current run\'s weights as the harness scores them.'),
      dropZone({ label: 'Add benchmark files…', accept: TYPE_ACCEPT, multiple: true, testid: 'eval-files', onFiles: (f) => void this.addFiles(f) }),
      this.list,
      h('div', { class: 'grid' },
        labelled('Documents per task', this.limit, 'the first N of each file (empty: all)'),
        labelled('Score during training', this.during, 'the ticked files, every N steps'),
        labelled('Every N steps', this.every)),
      h('div', { class: 'buttons' }, this.runButton, this.cancelButton, this.downloadButton, this.reason),
      this.progressBar, this.status, this.message, this.problems, this.results);
    this.sync();
  }

  /** Whether there are weights to score (null: a run is loaded), with the reason when not. */
  setRunAvailable(reason: string | null): void {
    this.noRun = reason;
    this.sync();
  }

  /** The current run's data recipe: says beside each file whether that data was decontaminated against it. */
  setRunRecipe(recipe: DataRecipe | null): void {
    this.recipe = recipe;
    this.render();
  }

  /** The tasks for scoring during training, or everySteps 0 when it is off. */
  schedule(): EvalSchedule {
    const every = Number(this.every.value);
    const on = this.during.checked && Number.isInteger(every) && every >= 1;
    return { everySteps: on ? every : 0, tasks: on ? this.requests() : [] };
  }

  /** A 'scoring' event: the progress bar follows the evaluation on demand and the scheduled ones alike. */
  progress(e: ScoringEvent): void {
    if (!e.auto && e.id !== this.running) return;
    this.progressBar.value = (e.taskIndex + (e.total > 0 ? e.done / e.total : 0)) / Math.max(1, e.tasks);
    this.status.textContent = `${e.auto ? 'Scheduled evaluation: ' : ''}scoring ${e.task} (${e.taskIndex + 1} of ${e.tasks}): ${e.done} of ${e.total} requests`;
  }

  private requests(): EvalTaskRequest[] {
    const on = this.entries.filter((e) => e.on && (e.check === null || e.check.rows > 0));
    const n = Number(this.limit.value);
    const limit = this.limit.value.trim() !== '' && Number.isInteger(n) && n >= 1 ? n : null;
    return on.map((e) => ({ key: this.keyOf(e, on), task: e.task, file: e.file, shots: e.shots, limit }));
  }

  /** The task's name, or "task (file)" when two ticked files are of one task. */
  private keyOf(e: Entry, among: readonly Entry[]): string {
    return among.filter((o) => o.task === e.task).length > 1 ? `${e.task} (${e.file.name})` : e.task;
  }

  private scheduleChanged(): void {
    this.handlers.scheduleChanged(this.schedule());
  }

  private async addFiles(files: File[]): Promise<void> {
    const added = files.map((file) => {
      const task = guessTask(file.name);
      return { id: this.nextId++, file, task, shots: 0, on: true, check: null };
    });
    this.entries.push(...added);
    this.render();
    await Promise.all(added.map((e) => this.check(e)));
    this.scheduleChanged();
  }

  /** Has the worker read the file as its task: documents found and bad rows shown beside it. */
  private async check(e: Entry): Promise<void> {
    e.check = null;
    this.render();
    try {
      [e.check] = await this.handlers.check([{ key: String(e.id), task: e.task, file: e.file }]);
    } catch (err) {
      e.check = { key: String(e.id), rows: 0, problems: [`${e.file.name}: ${errorText(err)}`] };
    }
    this.render();
  }

  private render(): void {
    fill(this.list, ...this.entries.map((e) => this.row(e)));
    this.sync();
  }

  private row(e: Entry): HTMLElement {
    const name = e.file.name;
    const on = h('input', { type: 'checkbox', 'aria-label': `score ${name}`, 'data-testid': 'eval-task-on' });
    on.checked = e.on;
    on.addEventListener('change', () => { e.on = on.checked; this.sync(); this.scheduleChanged(); });
    const task = h('select', { 'aria-label': `task of ${name}`, 'data-testid': 'eval-task-select' },
      ...TASKS.map((t) => h('option', { value: t.name, title: t.layout }, t.name)));
    task.value = e.task;
    task.addEventListener('change', () => { e.task = task.value; void this.check(e).then(() => this.scheduleChanged()); });
    const shots = numberInput(e.shots, { min: 0, step: 1, 'aria-label': `few-shot examples for ${name}`, 'data-testid': 'eval-task-shots', class: 'narrow' });
    shots.addEventListener('change', () => {
      const v = Number(shots.value);
      if (Number.isInteger(v) && v >= 0) e.shots = v; else shots.value = String(e.shots);
      this.scheduleChanged();
    });
    const c = e.check;
    const info = c === null ? 'reading…'
      : c.rows > 0 ? `${c.rows} documents${c.problems.length ? `, ${plural(c.problems.length, 'row')} skipped` : ''}`
      : 'no usable rows';
    const layout = TASKS.find((t) => t.name === e.task)?.layout ?? '';
    const note = this.recipe && !this.recipe.decontaminatedAgainst.includes(name)
      ? h('span', { class: 'warning', 'data-testid': 'eval-decontam-note' }, 'not used for decontamination of the current run')
      : this.recipe ? h('span', { class: 'hint', 'data-testid': 'eval-decontam-note' }, 'the current run was decontaminated against it') : null;
    return h('li', { 'data-testid': 'eval-task-row', 'data-file': name },
      h('div', { class: 'eval-task-head' }, on, h('strong', {}, name), task, labelled('shots', shots),
        h('button', { type: 'button', class: 'small', 'aria-label': `use ${name} for decontamination`, title: 'add it to the Data panel\'s benchmarks: the next preparation removes training text that overlaps it', onclick: () => this.handlers.decontaminate(e.file) }, 'Use for decontamination'),
        h('button', { type: 'button', class: 'small', 'aria-label': `remove ${name}`, onclick: () => {
          this.entries = this.entries.filter((o) => o.id !== e.id);
          this.render();
          this.scheduleChanged();
        } }, 'Remove')),
      h('div', { class: 'hint' }, `${info} · fields ${layout} `, note),
      c && c.problems.length ? h('ul', { class: 'problems', 'data-testid': 'eval-file-problems' },
        ...c.problems.slice(0, 5).map((p) => h('li', {}, p)), c.problems.length > 5 ? h('li', {}, `…and ${c.problems.length - 5} more`) : null) : null);
  }

  private sync(): void {
    const busy = this.running !== null;
    const ready = this.requests().length > 0;
    this.runButton.disabled = busy || !ready || this.noRun !== null;
    this.cancelButton.disabled = !busy;
    this.downloadButton.disabled = this.report === null;
    this.reason.textContent = busy ? '' : this.noRun ?? (ready ? '' : 'Add a benchmark file (and tick it) to score the run on.');
    this.reason.hidden = this.reason.textContent === '';
  }

  private async run(): Promise<void> {
    const tasks = this.requests();
    if (tasks.length === 0 || this.running !== null) return;
    const id = ++this.evalId;
    this.running = id;
    this.message.hidden = true;
    this.progressBar.value = 0;
    this.status.textContent = `Scoring ${tasks.map((t) => t.key).join(', ')}…`;
    this.sync();
    try {
      const out = await this.handlers.evaluate(tasks, id);
      this.report = out.report;
      this.progressBar.value = 1;
      this.status.textContent = `Scored the weights at step ${out.step}; the scores are kept with the run (see Runs).`;
      this.status.dataset.done = String(Number(this.status.dataset.done ?? 0) + 1); // evaluations finished, for tests
      this.showProblems(out.problems);
      fill(this.results, scoreTable(out.report.tasks), scoreBars(out.report.tasks));
    } catch (err) {
      const text = errorText(err);
      if (/evaluation cancelled/.test(text)) {
        this.status.textContent = 'Cancelled: nothing was recorded.';
      } else {
        this.status.textContent = 'Not scored (the reason is below).';
        this.message.textContent = `Evaluation failed: ${text}`;
        this.message.hidden = false;
      }
    } finally {
      this.running = null;
      this.sync();
    }
  }

  private cancel(): void {
    if (this.running === null) return;
    this.handlers.cancel(this.running);
    this.status.textContent = 'Cancelling after the current batch…';
  }

  private showProblems(problems: string[]): void {
    fill(this.problems, problems.length ? h('details', {}, h('summary', {}, `${plural(problems.length, 'row')} skipped`),
      h('ul', { class: 'problems' }, ...problems.slice(0, 50).map((p) => h('li', {}, p)))) : null);
  }

  private downloadReport(): void {
    if (!this.report) return;
    // The same shape as `npm run eval -- --out FILE` (src/eval/report.ts).
    download(new Blob([JSON.stringify(this.report) + '\n'], { type: 'application/json' }), 'leveret-eval.json');
  }
}
