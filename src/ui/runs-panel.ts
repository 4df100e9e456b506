// The Runs panel: every run kept in this browser (the training worker writes each run's record to OPFS), with
// its name editable in place, its mixture, steps and scores; export one as a small JSON, import one back
// (a bad file is refused by file and field), delete with a question first. The ticked runs are laid side by
// side: their validation-loss curves overlaid, and the comparison table (src/runs/compare.ts, the one
// `npm run compare` prints) with the best value of each column marked, to read whether a mixture helped.
import uPlot from 'uplot';
import { compareRuns } from '../runs/compare';
import { describeMixture } from '../runs/recipe';
import { serializeRun, type RunRecord } from '../runs/run-record';
import { ask } from './confirm-dialog';
import { download, errorText, fill, h } from './dom';
import { dropZone } from './drop-zone';

export interface RunsHandlers {
  rename(id: string, name: string): Promise<RunRecord>;
  remove(id: string): Promise<void>;
  importRun(text: string, fileName: string): Promise<RunRecord>;
}

const COLORS = ['#2563eb', '#dc2626', '#059669', '#7c3aed', '#ea580c', '#0891b2', '#be123c', '#4d7c0f'];

/** A file name for a run's export: its name, kept to safe characters. */
export function runExportName(r: RunRecord): string {
  return `leveret-run-${r.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || r.id}.json`;
}

export class RunsPanel {
  private runs: RunRecord[] = [];
  /** Runs left out of the comparison (unticked); every other run is compared. */
  private readonly hiddenIds = new Set<string>();
  private readonly list: HTMLTableSectionElement;
  private readonly overlay: HTMLElement;
  private readonly table: HTMLElement;
  private readonly message: HTMLElement;
  private readonly status: HTMLElement;
  private chart: uPlot | null = null;

  constructor(root: HTMLElement, private readonly handlers: RunsHandlers) {
    this.list = h('tbody', { 'data-testid': 'runs-list' });
    this.overlay = h('figure', { class: 'chart', 'data-testid': 'runs-overlay', 'data-series': '0' }, h('figcaption', {}, 'Validation loss by step, ticked runs'));
    this.table = h('div', { class: 'compare', 'data-testid': 'runs-compare' });
    this.message = h('div', { class: 'error', role: 'alert', 'data-testid': 'runs-message', hidden: true });
    this.status = h('p', { class: 'status', role: 'status', 'data-testid': 'runs-status' });
    fill(root,
      h('h2', {}, 'Runs'),
      h('p', { class: 'hint' }, 'Every run is kept in this browser with its data recipe, settings, loss curves and scores. ',
        'Tick runs to compare them: did decontamination, a source or a weight help?'),
      h('table', { class: 'runs' },
        h('thead', {}, h('tr', {}, ...['compare', 'name', 'mixture', 'steps', 'scores', ''].map((c) => h('th', { scope: 'col' }, c)))),
        this.list),
      dropZone({ label: 'Import run JSON…', accept: '.json', multiple: true, testid: 'runs-import', onFiles: (f) => void this.importFiles(f) }),
      this.status, this.message,
      h('div', { class: 'charts' }, this.overlay),
      this.table);
    this.render();
  }

  /** The runs the worker keeps, and the files it could not read. */
  show(runs: RunRecord[], problems: string[] = []): void {
    this.runs = runs;
    this.say(problems.length ? `Some saved runs could not be read:\n${problems.join('\n')}` : null);
    this.render();
  }

  /** A run written or imported: replaces its older version, or comes first. */
  upsert(run: RunRecord): void {
    const at = this.runs.findIndex((r) => r.id === run.id);
    if (at >= 0) this.runs[at] = run; else this.runs.unshift(run);
    this.render();
  }

  private say(error: string | null): void {
    this.message.hidden = error === null;
    this.message.textContent = error ?? '';
  }

  private async importFiles(files: File[]): Promise<void> {
    const refused: string[] = [];
    for (const f of files) {
      try {
        const run = await this.handlers.importRun(await f.text(), f.name);
        this.upsert(run);
        this.status.textContent = `Imported ${f.name} as "${run.name}".`;
      } catch (e) {
        refused.push(`Refused ${errorText(e)}`);
      }
    }
    this.say(refused.length ? refused.join('\n') : null);
  }

  private async rename(run: RunRecord, input: HTMLInputElement): Promise<void> {
    const name = input.value.trim();
    if (name === run.name) return;
    try {
      this.upsert(await this.handlers.rename(run.id, name));
      this.status.textContent = `Renamed to "${name}".`;
      this.say(null);
    } catch (e) {
      input.value = run.name; // the old name stays: nothing was changed
      this.say(`Not renamed: ${errorText(e)}`);
    }
  }

  private async remove(run: RunRecord): Promise<void> {
    if (!(await ask({
      title: `Delete "${run.name}"?`,
      lines: [`Its record (recipe, settings, curves, scores) leaves this browser. Export it first to keep a copy; checkpoints and data are not touched.`],
      confirm: `Delete ${run.name}`, cancel: 'Keep it',
    }))) return;
    try {
      await this.handlers.remove(run.id);
      this.runs = this.runs.filter((r) => r.id !== run.id);
      this.status.textContent = `Deleted "${run.name}".`;
      this.render();
    } catch (e) {
      this.say(`Not deleted: ${errorText(e)}`);
    }
  }

  private render(): void {
    fill(this.list, ...this.runs.map((r) => this.row(r)));
    if (this.runs.length === 0) fill(this.list, h('tr', {}, h('td', { colspan: 6, class: 'hint' }, 'No runs yet: train one and it appears here.')));
    const compared = this.runs.filter((r) => !this.hiddenIds.has(r.id));
    this.drawOverlay(compared);
    this.drawTable(compared);
  }

  private row(r: RunRecord): HTMLElement {
    const tick = h('input', { type: 'checkbox', 'aria-label': `compare ${r.name}`, 'data-testid': 'run-compare' });
    tick.checked = !this.hiddenIds.has(r.id);
    tick.addEventListener('change', () => {
      if (tick.checked) this.hiddenIds.delete(r.id); else this.hiddenIds.add(r.id);
      this.render();
    });
    const name = h('input', { type: 'text', value: r.name, maxlength: 500, 'aria-label': `name of run ${r.name}`, 'data-testid': 'run-name' });
    name.addEventListener('change', () => void this.rename(r, name));
    name.addEventListener('keydown', (e) => { if (e.key === 'Enter') name.blur(); if (e.key === 'Escape') { name.value = r.name; name.blur(); } });
    const scores = Object.entries(r.scores).map(([t, s]) => `${t} ${(s.acc_norm ?? s.acc).toFixed(3)}`).join(', ') || '–';
    return h('tr', { 'data-testid': 'run-row', 'data-run-id': r.id },
      h('td', {}, tick), h('td', {}, name), h('td', { 'data-testid': 'run-mixture' }, describeMixture(r.recipe)),
      h('td', {}, String(r.step)), h('td', { 'data-testid': 'run-scores' }, scores),
      h('td', { class: 'buttons' },
        h('button', { type: 'button', class: 'small', 'aria-label': `export ${r.name}`, 'data-testid': 'run-export', onclick: () => {
          download(new Blob([serializeRun(r)], { type: 'application/json' }), runExportName(r));
          this.status.textContent = `Exported "${r.name}" as ${runExportName(r)}.`;
        } }, 'Export'),
        h('button', { type: 'button', class: 'small', 'aria-label': `delete ${r.name}`, 'data-testid': 'run-delete', onclick: () => void this.remove(r) }, 'Delete')));
  }

  private drawOverlay(runs: RunRecord[]): void {
    const withVal = runs.filter((r) => r.curves.val.length > 0);
    const steps = [...new Set(withVal.flatMap((r) => r.curves.val.map(([s]) => s)))].sort((a, b) => a - b);
    const data: uPlot.AlignedData = [steps, ...withVal.map((r) => {
      const at = new Map(r.curves.val);
      return steps.map((s) => at.get(s) ?? null);
    })];
    this.overlay.dataset.series = String(withVal.length);
    this.overlay.hidden = withVal.length === 0;
    this.chart?.destroy();
    this.chart = null;
    if (withVal.length === 0) return;
    this.chart = new uPlot({
      width: Math.max(280, this.overlay.clientWidth - 8 || 560), height: 240, legend: { live: true },
      scales: { x: { time: false } }, axes: [{ label: 'step', size: 40, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) }, { size: 56 }],
      series: [{ label: 'step' }, ...withVal.map((r, i) => ({
        label: r.name, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true, points: { show: true, size: 5 },
        value: (_u: uPlot, v: number | null) => (v === null ? '–' : v.toFixed(4)),
      }))],
    }, data, this.overlay);
  }

  private drawTable(runs: RunRecord[]): void {
    if (runs.length === 0) { fill(this.table); return; }
    const t = compareRuns(runs);
    fill(this.table,
      h('table', { class: 'compare-table' },
        h('thead', {}, h('tr', {}, ...t.columns.map((c) => h('th', { scope: 'col', title: c.better ? `${c.better} is better` : '' }, c.title)))),
        h('tbody', {}, ...t.rows.map((row, i) => h('tr', { 'data-testid': 'compare-row' },
          ...row.cells.map((cell, k) => (t.best[k] === i
            ? h('td', { class: 'best', 'data-testid': 'compare-best', title: 'best of the compared runs' }, h('strong', {}, cell))
            : h('td', {}, cell))))))),
      t.commonValStep !== null ? h('p', { class: 'hint' }, `val loss @${t.commonValStep}: every run's validation loss at the last step all of them reached (a fair comparison). Bold: the best of each column.`) : h('p', { class: 'hint' }, 'Bold: the best of each column.'));
  }
}
