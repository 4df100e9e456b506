// The layout part of a JSONL, CSV or Parquet source card: how its rows become text (as they are, through a task
// layout, HARE's D3, or as SFT conversations), the field the data worker found for each of the layout's roles
// (each overridable, as the CLI's LAYOUT,ROLE=FIELD), label names, the part the source counts in, and its first
// rows rendered through the chosen layout's templates. A file whose rows fit a layout and have no column of the
// text field (an ARC file has question/choices/answerKey, no "text") gets that layout by itself: read as text it
// would give no document at all.
import { LAYOUT_ROLES, NLI_LABELS, type TaskLayout } from '../data/tasks/layouts';
import type { LayoutPreview, LayoutPreviewRequest, SourceLayout } from '../worker/data-layout-preview';
import { SOURCE_LAYOUTS } from '../worker/data-layout-preview';
import { fill, h, labelled, uid } from './dom';
import { sourcePart, type FileRef, type SourceEntry } from './sources';

/** Reads a file's first rows through a layout (the data worker's previewLayout; the seed is the panel's). */
export type PreviewLayout = (file: FileRef, kind: 'jsonl' | 'csv' | 'parquet', req: Omit<LayoutPreviewRequest, 'seed'>) => Promise<LayoutPreview>;

const LAYOUT_WORDS: Record<SourceLayout, string> = {
  text: 'text (a field as it is)', mc: 'mc (multiple choice)', qa: 'qa (question answering)', cloze: 'cloze (fill the blank)',
  summary: 'summary', nli: 'nli (entailment)', classification: 'classification', sft: 'sft (chat conversations)',
};

const PART_WORDS = { D1: 'cleaned open data', D2: 'synthetic text', D3: 'task data rendered through templates' } as const;

/** Layouts whose numeric labels need names (mc's are the answer letters). */
const LABELLED: readonly SourceLayout[] = ['mc', 'nli', 'classification'];

export class LayoutCard {
  readonly el: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly note: HTMLElement;
  private readonly roles: HTMLElement;
  private readonly part: HTMLElement;
  private readonly preview: HTMLElement;
  private readonly columnsList: HTMLDataListElement;
  private last: LayoutPreview | null = null;
  /** Answers to older requests are dropped: only the latest layout and fields are shown. */
  private asked = 0;

  constructor(private readonly s: SourceEntry, private readonly read: PreviewLayout | null, private readonly changed: () => void) {
    this.select = h('select', { 'aria-label': `layout of ${s.name}`, 'data-testid': 'source-layout' },
      ...SOURCE_LAYOUTS.map((l) => h('option', { value: l }, LAYOUT_WORDS[l])));
    this.select.value = s.layout;
    this.select.addEventListener('change', () => { this.s.layout = this.select.value as SourceLayout; this.changed(); this.refresh(); });
    this.note = h('p', { class: 'hint', 'data-testid': 'layout-note' });
    this.roles = h('div', { class: 'layout-roles', 'data-testid': 'layout-roles' });
    this.part = h('span', { class: 'source-part', 'data-testid': 'source-part' });
    this.preview = h('div', { class: 'layout-preview', 'data-testid': 'layout-preview' });
    this.columnsList = h('datalist', { id: uid('columns') });
    this.el = h('div', { class: 'source-layout' }, labelled('layout', this.select), this.part, this.note, this.roles, this.preview, this.columnsList);
    this.refresh();
  }

  /** The format or name changed (a template is chosen by the source's name) or the card was just built. */
  refresh(): void {
    const text = this.s.kind === 'text';
    this.el.hidden = text;
    this.showPart();
    if (text || !this.read || this.s.files.length === 0) { this.show(null); return; }
    const ask = ++this.asked;
    const layout = this.s.layout;
    this.read(this.s.files[0], this.s.kind as 'jsonl' | 'csv' | 'parquet', {
      layout: layout === 'text' ? null : layout, fields: this.s.roleFields, labels: this.s.labels, source: this.s.name,
    }).then((p) => {
      if (ask !== this.asked) return;
      // Recognised, and unreadable as text: the layout is taken (said in the note), and rendered at once.
      if (layout === 'text' && this.last === null && p.recognised && !p.columns.includes(this.s.textField)) {
        this.last = p;
        this.s.layout = p.recognised;
        this.select.value = p.recognised;
        this.changed();
        this.refresh();
        return;
      }
      this.show(p);
    }).catch((e: unknown) => {
      if (ask === this.asked) fill(this.preview, h('p', { class: 'error', role: 'alert' }, `⚠ The rows could not be previewed: ${e instanceof Error ? e.message : String(e)}`));
    });
  }

  /** The part and the accessible names follow the source's category and name. */
  showPart(): void {
    const part = sourcePart(this.s);
    this.part.textContent = `Part ${part}: ${PART_WORDS[part]}`;
    this.part.dataset.part = part;
    this.select.setAttribute('aria-label', `layout of ${this.s.name}`);
  }

  private show(p: LayoutPreview | null): void {
    if (p) this.last = p;
    const layout = this.s.layout;
    const recognised = this.last?.recognised ?? null;
    fill(this.columnsList, ...(this.last?.columns ?? []).map((c) => h('option', { value: c })));
    this.note.textContent = recognised === null ? 'Its first row fits no task layout: read as text, or choose a layout.'
      : recognised === layout ? `Recognised as ${layout} from its first row.`
      : `Its first row looks like ${recognised}.`;
    if (layout === 'text' || layout === 'sft' || !p) {
      fill(this.roles);
      if (layout === 'sft' && p) this.showRows(p, `as conversations through the chat template (${p.template ?? 'default (ChatML)'})`);
      else fill(this.preview);
      return;
    }
    this.showRoles(layout, p);
    this.showRows(p, 'through the templates');
  }

  private showRoles(layout: TaskLayout, p: LayoutPreview): void {
    const inputs = LAYOUT_ROLES[layout].map((role) => {
      const found = p.fields[role.name];
      const input = h('input', { type: 'text', value: this.s.roleFields[role.name] ?? '', list: this.columnsList.id,
        placeholder: found ?? (role.optional ? 'none' : 'not found'), 'aria-label': `${role.name} field of ${this.s.name}`,
        'data-testid': 'layout-field', 'data-role': role.name });
      input.addEventListener('change', () => {
        const v = input.value.trim();
        if (v) this.s.roleFields[role.name] = v; else delete this.s.roleFields[role.name];
        this.changed();
        this.refresh();
      });
      return labelled(`${role.name}${role.optional ? ' (optional)' : ''}`, input, found && !this.s.roleFields[role.name] ? `found: ${found}` : undefined);
    });
    let labels: HTMLLabelElement | null = null;
    if (LABELLED.includes(layout)) {
      const input = h('input', { type: 'text', value: this.s.labels.join('|'), placeholder: layout === 'nli' ? NLI_LABELS.join('|') : 'A|B|C',
        'aria-label': `label names of ${this.s.name}`, 'data-testid': 'layout-labels' });
      input.addEventListener('change', () => {
        this.s.labels = input.value.split('|').map((l) => l.trim()).filter(Boolean);
        this.changed();
        this.refresh();
      });
      labels = labelled('label names (index 0 first, | between)', input);
    }
    const missing = p.missing.length
      ? h('p', { class: 'error', role: 'alert', 'data-testid': 'layout-missing' }, `⚠ ${p.file} has no field for ${p.missing.join('; ')}: name it below.`)
      : null;
    fill(this.roles, missing, ...inputs, labels);
  }

  private showRows(p: LayoutPreview, how: string): void {
    fill(this.preview,
      h('p', { class: 'hint' }, `The first ${p.rows.length} rows of ${p.file}, ${how}:`),
      h('ol', {}, ...p.rows.map((r) => h('li', { 'data-testid': 'layout-row', 'data-line': r.line },
        r.error ? h('span', { class: 'error' }, `⚠ line ${r.line}: ${r.error}`) : h('pre', {}, r.text ?? '')))));
  }
}
