// Benchmark files for decontamination, each with the fields that hold its samples' text.
import { fill, h } from './dom';
import { dropZone } from './drop-zone';
import { ACCEPTED, fileRefOf, newId, type BenchmarkEntry } from './sources';

export class BenchmarkList {
  readonly el: HTMLElement;
  private readonly listEl: HTMLUListElement;
  private entries: BenchmarkEntry[] = [];

  constructor(private readonly onChange: () => void) {
    this.listEl = h('ul', { class: 'benchmarks', 'data-testid': 'benchmark-list' });
    this.el = h('div', {},
      dropZone({ label: 'Add benchmark files…', accept: ACCEPTED, multiple: true, testid: 'benchmark-files', onFiles: (f) => this.addFiles(f) }),
      this.listEl);
  }

  list(): BenchmarkEntry[] {
    return [...this.entries];
  }

  /** Adds files (dropped here, or handed over from the Evaluate panel); a file already listed by name is not added twice. */
  addFiles(files: File[]): void {
    const listed = new Set(this.entries.map((e) => e.file.name));
    files = files.filter((f) => !listed.has(f.name));
    if (files.length === 0) return;
    this.entries.push(...files.map((f) => ({ id: newId(), file: fileRefOf(f), fields: '*' })));
    this.render();
    this.onChange();
  }

  private render(): void {
    fill(this.listEl, ...this.entries.map((b) => {
      const fields = h('input', { type: 'text', value: b.fields, 'aria-label': `text fields of benchmark ${b.file.name}` });
      fields.addEventListener('change', () => { b.fields = fields.value.trim() || '*'; this.onChange(); });
      return h('li', { 'data-testid': 'benchmark-row' }, h('span', {}, b.file.name), ' fields ', fields, ' ',
        h('button', { type: 'button', class: 'small', 'aria-label': `remove benchmark ${b.file.name}`, onclick: () => {
          this.entries = this.entries.filter((e) => e.id !== b.id);
          this.render();
          this.onChange();
        } }, 'Remove'));
    }));
  }
}
