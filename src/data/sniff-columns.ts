// Which columns of a JSONL, CSV or Parquet file hold text, read from its first records through the ordinary
// readers (so a gzipped CSV or a Parquet file is opened exactly as the pipeline will open it). The page offers
// these when a file is added, and the pipeline names them when a source yields no document: a person whose
// text is in `speech` or `content` learns that, not only that `text` is missing.
import type { InputProblem } from './read/problems';
import { ALL_FIELDS } from './read/record';
import { readRecords } from './read/records';
import { baseName, type SourceFile, type SourceFormat } from './source';

/** Records looked at: enough to see columns that are empty in the first row, few enough to answer at once. */
export const SNIFF_RECORDS = 20;
const PREVIEW_CHARS = 60;

export interface TextColumn {
  name: string;
  /** The column's first non-blank value, cut to a line's width. */
  preview: string;
  /** Records of those read where the column holds a non-blank string. */
  filled: number;
}

export interface SniffResult {
  file: string;
  /** Top-level columns holding strings, the fullest first (ties in file order). */
  columns: TextColumn[];
  /** Every top-level column seen, strings or not, in file order. */
  allColumns: string[];
  records: number;
  /** The first problem met while reading, when no record could be read (why the file shows no columns). */
  problem: string | null;
}

export async function sniffColumns(file: SourceFile, kind: 'jsonl' | 'csv' | 'parquet', maxRecordBytes = 1 << 20): Promise<SniffResult> {
  const format: SourceFormat = { kind, textField: ALL_FIELDS };
  const problems: InputProblem[] = [];
  const seen = new Map<string, TextColumn | null>(); // null: a column seen with no string in it yet
  let records = 0;
  for await (const r of readRecords(file, format, { maxRecordBytes }, (p) => problems.push(p))) {
    records++;
    for (const [name, value] of Object.entries(r.fields ?? {})) {
      const col = seen.get(name) ?? null;
      if (typeof value === 'string' && value.trim() !== '') {
        if (col) col.filled++;
        else seen.set(name, { name, preview: preview(value), filled: 1 });
      } else if (!seen.has(name)) {
        seen.set(name, null);
      }
    }
    if (records >= SNIFF_RECORDS) break; // leaving the loop closes the reader and its file
  }
  const columns = [...seen.values()].filter((c): c is TextColumn => c !== null);
  const order = [...seen.keys()];
  columns.sort((a, b) => b.filled - a.filled || order.indexOf(a.name) - order.indexOf(b.name));
  const first = problems[0];
  return {
    file: baseName(file.name), columns, allColumns: order, records,
    problem: records === 0 && first ? `${first.kind}: ${first.message}` : null,
  };
}

function preview(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= PREVIEW_CHARS ? line : `${line.slice(0, PREVIEW_CHARS)}…`;
}

/** "its text columns are speech, title" / "it has no text column (columns: id, n)" / the reading problem. */
export function describeColumns(s: SniffResult): string {
  if (s.problem) return s.problem;
  if (s.records === 0) return 'no record could be read from it';
  if (s.columns.length > 0) return `its text columns are ${s.columns.map((c) => `"${c.name}"`).join(', ')}`;
  return `it has no column holding text (columns: ${s.allColumns.map((c) => `"${c}"`).join(', ') || 'none'})`;
}
