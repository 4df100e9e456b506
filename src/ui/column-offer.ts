// The text columns a JSONL, CSV or Parquet file was found to hold (sniffed by the data worker when the file
// is added), offered on its source card as buttons with a preview of each. When the text field names no
// column of the file, the card says so before Prepare, instead of a run of 0 documents after it.
import type { SniffResult } from '../data/sniff-columns';
import { describeColumns } from '../data/sniff-columns';
import { fill, h } from './dom';

/** A field spec that is not one plain column (a dotted path, a list, every field) is the person's own: not checked. */
const plainColumn = (field: string): boolean => field !== '*' && !/[.,]/.test(field);

/** Fills `slot` with the offer for `result`; `pick` is called with the column chosen. */
export function showColumnOffer(slot: HTMLElement, result: SniffResult | null, field: string, pick: (column: string) => void): void {
  if (!result) { fill(slot); slot.hidden = true; return; }
  slot.hidden = false;
  const missing = plainColumn(field) && !result.columns.some((c) => c.name === field);
  const buttons = result.columns.map((c) => h('button', {
    type: 'button', class: 'small column', 'data-testid': 'source-column', 'data-column': c.name, 'aria-pressed': String(c.name === field),
    title: `use "${c.name}" as the text field`, onclick: () => pick(c.name),
  }, h('strong', {}, c.name), h('span', { class: 'preview' }, ` “${c.preview}”`)));
  if (result.columns.length === 0) {
    fill(slot, h('p', { class: 'error', 'data-testid': 'source-columns-note', role: 'alert' }, `⚠ ${result.file}: ${describeColumns(result)}.`));
    return;
  }
  fill(slot,
    missing
      ? h('p', { class: 'error', 'data-testid': 'source-columns-note', role: 'alert' },
        `⚠ ${result.file} has no text column "${field}". Pick the column that holds the text:`)
      : h('p', { class: 'hint', 'data-testid': 'source-columns-note' }, `Text columns in ${result.file}:`),
    h('div', { class: 'column-buttons' }, ...buttons));
}
