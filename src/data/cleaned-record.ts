// cleaned.jsonl: one kept record per line with its original fields (an `id` stays an `id`), its text after
// masking in the field it came from, and underscore-prefixed fields the pipeline adds (so they never clash
// with the user's): _source, _file, _line, and _part when a long record was split by the length cap.
// Plain-text sources have a `text` field; sources whose text joined several fields keep it in `_text`.
import { ALL_FIELDS } from './read/record';
import type { RawRecord } from './read/record';
import type { SourceFormat } from './source';

export const CLEANED_FILE = 'cleaned.jsonl';

/** The key of a cleaned line that holds its text. */
export function cleanedTextKey(format: SourceFormat): string {
  if (format.kind === 'text') return 'text';
  return format.textField === ALL_FIELDS || format.textField.includes(',') ? '_text' : format.textField;
}

function setField(obj: Record<string, unknown>, path: string, value: unknown): void {
  if (path in obj || !path.includes('.')) { obj[path] = value; return; }
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    cur = (cur[k] = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as object) } : {}) as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}

export function cleanedLine(raw: RawRecord, textKey: string, text: string, source: string,
                            part: number | null): string {
  const out: Record<string, unknown> = raw.fields ? { ...raw.fields } : {};
  setField(out, textKey, text);
  out._source = source;
  out._file = raw.file;
  out._line = raw.line;
  if (part !== null) out._part = part;
  return `${JSON.stringify(out)}\n`;
}

/** Reads a cleaned line's text back (the packing pass, BPE training). */
export function cleanedText(obj: Record<string, unknown>, textKey: string): string {
  if (textKey in obj) return String(obj[textKey]);
  let cur: unknown = obj;
  for (const k of textKey.split('.')) cur = (cur as Record<string, unknown>)?.[k];
  return typeof cur === 'string' ? cur : '';
}
