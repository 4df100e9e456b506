// The sources list: one card per source with its name, category, weight and format options, its files, and
// any problem the last preparation found in them (a bad file is named here while the rest are used).
// Cards are built once and updated in place: an edit, or a report arriving, never redraws the list, so
// focus and whatever the person is typing stay where they are.
import type { FileProblems } from '../data/problem-tally';
import type { InputProblem } from '../data/read/problems';
import type { SniffResult } from '../data/sniff-columns';
import type { TextSplit } from '../data/source';
import { fill, formatCount, h, labelled, numberInput } from './dom';
import { showColumnOffer } from './column-offer';
import { LayoutCard, type PreviewLayout } from './layout-card';
import { describeGroup, groupProblems, type ProblemGroup } from './problem-groups';
import { dropZone } from './drop-zone';
import { ACCEPTED, CATEGORIES, fileRefOf, sourceFromFile, type FileRef, type FormatKind, type SourceEntry } from './sources';

/** Reads a file's text columns (the data worker's sniffColumns). */
export type SniffColumns = (file: FileRef, kind: 'jsonl' | 'csv' | 'parquet') => Promise<SniffResult>;

export class SourceList {
  readonly el: HTMLElement;
  private readonly body: HTMLUListElement;
  private readonly empty: HTMLElement;
  private entries: SourceEntry[] = [];
  /** Each card and the slot for its problems, by source id. */
  private readonly cards = new Map<number, { li: HTMLLIElement; problems: HTMLElement; layout: LayoutCard }>();

  constructor(private readonly onChange: () => void, private readonly sniff: SniffColumns | null = null,
    private readonly preview: PreviewLayout | null = null) {
    this.body = h('ul', { class: 'source-list', 'data-testid': 'source-list' });
    this.empty = h('p', { class: 'hint' }, 'No sources: add files to train on.');
    const categories = h('datalist', { id: 'categories' }, ...CATEGORIES.map((c) => h('option', { value: c })));
    this.el = h('div', { class: 'sources' },
      dropZone({ label: 'Add files…', accept: ACCEPTED, multiple: true, testid: 'source-files', onFiles: (f) => this.addFiles(f) }),
      h('p', { class: 'hint' }, 'Text (.txt, .md), JSON Lines, CSV or Parquet, optionally gzipped. Each file becomes a source.'),
      // The page holds added files in this tab only; datasets prepared from them stay (in the browser's storage).
      h('p', { class: 'hint', 'data-testid': 'uploads-note' },
        'Added files stay in this tab only: after a reload, add them again (a dataset prepared from the same files is found again, not rebuilt).'),
      categories,
      this.body,
      this.empty);
    this.syncEmpty();
  }

  list(): SourceEntry[] {
    return [...this.entries];
  }

  add(list: SourceEntry[]): void {
    this.entries.push(...list);
    for (const s of list) {
      const card = this.card(s);
      this.cards.set(s.id, card);
      this.body.appendChild(card.li);
    }
    this.syncEmpty();
    this.onChange();
  }

  addFiles(files: File[]): void {
    const taken = new Set(this.entries.map((e) => e.name));
    const added = files.map((f) => {
      const s = sourceFromFile(fileRefOf(f), taken);
      taken.add(s.name);
      return s;
    });
    this.add(added);
  }

  /** Input problems of the last preparation, grouped, shown on the row of the file they concern; and the
   *  error of a source that read no document, by source name. */
  showProblems(problems: readonly InputProblem[], files: readonly FileProblems[] = [], errors: ReadonlyMap<string, string> = new Map()): void {
    for (const s of this.entries) {
      const card = this.cards.get(s.id);
      if (!card) continue;
      const names = new Set(s.files.map((f) => f.name));
      const mine = groupProblems(problems.filter((p) => names.has(p.file)), files.filter((f) => names.has(f.file)));
      const error = errors.get(s.name);
      fill(card.problems, error ? h('div', { 'data-testid': 'source-failed' }, h('strong', {}, `✖ ${error}`)) : null,
        ...summarize(mine).map((line) => h('div', {}, `⚠ ${line}`)));
      // Present only when there is something to say (a hidden alert would still be found as one).
      if (mine.length === 0 && !error) card.problems.remove();
      else if (!card.problems.isConnected) card.li.appendChild(card.problems);
    }
  }

  /** A weight set from outside the card (the mixture's re-weight button), shown in its field. */
  setWeight(name: string, weight: number): void {
    const s = this.entries.find((e) => e.name === name);
    if (!s) return;
    s.weight = weight;
    const input = this.cards.get(s.id)?.li.querySelector<HTMLInputElement>('[data-testid="source-weight"]');
    if (input) input.value = String(weight);
    this.onChange();
  }

  /**
   * Adds a file as a source of this category, in place of an earlier source of the same name: the page's
   * synthetic text, generated again (resumed), is one source whose file has grown, not a second one.
   */
  putFile(file: File, category: string): SourceEntry {
    const fresh = sourceFromFile(fileRefOf(file), new Set());
    const old = this.entries.find((e) => e.name === fresh.name);
    if (old) {
      this.entries = this.entries.filter((e) => e !== old);
      this.cards.get(old.id)?.li.remove();
      this.cards.delete(old.id);
    }
    const s = { ...fresh, category, weight: old?.weight ?? fresh.weight };
    this.add([s]);
    return s;
  }

  private remove(id: number): void {
    const index = this.entries.findIndex((e) => e.id === id);
    this.entries = this.entries.filter((e) => e.id !== id);
    this.cards.get(id)?.li.remove();
    this.cards.delete(id);
    this.syncEmpty();
    // Focus would fall to <body> with the removed button: give it to the next card's Remove, or the previous one's.
    const next = this.entries[Math.min(index, this.entries.length - 1)];
    const button = next ? this.cards.get(next.id)?.li.querySelector<HTMLButtonElement>('[data-testid="source-remove"]') : null;
    button?.focus();
    this.onChange();
  }

  private syncEmpty(): void {
    this.empty.hidden = this.entries.length > 0;
  }

  private card(s: SourceEntry): { li: HTMLLIElement; problems: HTMLElement; layout: LayoutCard } {
    const set = (apply: () => void) => () => { apply(); this.onChange(); };
    const name = h('input', { type: 'text', value: s.name, 'aria-label': `name of source ${s.name}`, 'data-testid': 'source-name' });
    name.addEventListener('change', set(() => { s.name = name.value.trim() || s.name; name.value = s.name; }));
    const category = h('input', { type: 'text', value: s.category, list: 'categories', 'aria-label': `category of ${s.name}`, 'data-testid': 'source-category' });
    category.addEventListener('change', set(() => { s.category = category.value.trim() || 'other'; layout.showPart(); }));
    const weight = numberInput(s.weight, { min: 0, step: 0.1, 'aria-label': `weight of ${s.name}`, 'data-testid': 'source-weight' });
    weight.addEventListener('change', set(() => { s.weight = Number(weight.value); }));
    const format = h('select', { 'aria-label': `format of ${s.name}`, 'data-testid': 'source-format' },
      ...(['text', 'jsonl', 'csv', 'parquet'] as FormatKind[]).map((k) => h('option', { value: k }, k)));
    format.value = s.kind;
    const field = h('input', { type: 'text', value: s.textField, 'aria-label': `text field of ${s.name}`, 'data-testid': 'source-field' });
    field.addEventListener('change', set(() => { s.textField = field.value.trim(); }));
    const split = h('select', { 'aria-label': `how ${s.name} splits into documents`, 'data-testid': 'source-split' },
      h('option', { value: 'blank-line' }, 'blank line'), h('option', { value: 'line' }, 'each line'), h('option', { value: 'file' }, 'whole file'));
    split.value = s.split;
    split.addEventListener('change', set(() => { s.split = split.value as TextSplit; }));
    const options = h('span', { class: 'source-options' });
    // A task or SFT layout reads every field: the text field and its column offer would only mislead.
    const showOptions = () => fill(options, s.kind === 'text' ? labelled('documents split at', split) : s.layout === 'text' ? labelled('text field', field) : null);
    // Uploaded JSONL, CSV and Parquet files are sniffed for their text columns (the default corpus is known).
    const columns = h('div', { class: 'source-columns', 'data-testid': 'source-columns', hidden: true });
    let sniffed: SniffResult | null = null;
    const showColumns = () => showColumnOffer(columns, s.kind === 'text' || s.layout !== 'text' ? null : sniffed, s.textField, (column) => {
      s.textField = column;
      field.value = column;
      showColumns();
      this.onChange();
    });
    const sniff = () => {
      const kind = s.kind;
      if (!this.sniff || s.origin !== 'upload' || kind === 'text' || s.files.length === 0) { sniffed = null; showColumns(); return; }
      this.sniff(s.files[0], kind).then((r) => { if (s.kind === kind) { sniffed = r; showColumns(); } })
        .catch(() => { /* no offer: the pipeline still names the columns if the field is wrong */ });
    };
    const layout = new LayoutCard(s, s.origin === 'upload' ? this.preview : null, () => { showOptions(); showColumns(); this.onChange(); });
    field.addEventListener('change', showColumns);
    format.addEventListener('change', set(() => { s.kind = format.value as FormatKind; showOptions(); sniff(); layout.refresh(); }));
    showOptions();
    sniff();

    const files = h('div', { class: 'source-files', title: s.description ?? null }, ...s.files.map((f) => h('span', {}, f.name, f.size ? h('small', {}, ` ${formatCount(f.size)} B`) : null)));
    const problems = h('div', { class: 'error source-error', 'data-testid': 'source-error', role: 'alert' });
    const remove = h('button', { type: 'button', class: 'small remove', 'aria-label': `remove ${s.name}`, 'data-testid': 'source-remove', onclick: () => this.remove(s.id) }, 'Remove');
    const li = h('li', { class: 'source', 'data-testid': 'source-row', 'data-name': s.name, 'data-origin': s.origin },
      labelled('source', name), labelled('category', category), labelled('weight', weight), remove,
      labelled('format', format), options, files, columns, layout.el);
    // A renamed source keeps its card; only the names that mention it change.
    name.addEventListener('change', () => {
      li.dataset.name = s.name;
      name.setAttribute('aria-label', `name of source ${s.name}`);
      for (const [el, what] of [[category, 'category of'], [weight, 'weight of'], [format, 'format of'], [field, 'text field of'], [remove, 'remove']] as const) {
        el.setAttribute('aria-label', `${what} ${s.name}`);
      }
      split.setAttribute('aria-label', `how ${s.name} splits into documents`);
      layout.refresh(); // the source's name picks each row's template
    });
    return { li, problems, layout };
  }

  /** Renders every card's preview again (the template SFT rows go through changed with the imported model). */
  refreshLayouts(): void {
    for (const c of this.cards.values()) c.layout.refresh();
  }
}

/** At most three groups: file, kind, count, message and where; then how many more. */
function summarize(groups: readonly ProblemGroup[]): string[] {
  const lines = groups.slice(0, 3).map((g) => describeGroup(g, true));
  const more = groups.slice(3).reduce((n, g) => n + g.count, 0);
  if (more > 0) lines.push(`and ${more} more problems (see the report)`);
  return lines;
}
