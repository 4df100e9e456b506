// A benchmark file (JSONL or Parquet, in the Hugging Face dataset's own field names) to task documents,
// through the project's record readers. A row that cannot be read, or is not a document of the task, is
// reported with its file and row and skipped; the rows around it are kept.
import { readRecords } from '../data/read/records';
import { ALL_FIELDS } from '../data/read/record';
import { baseName, detectFormat, type SourceFile } from '../data/source';
import { RowError, type TaskDoc, type TaskFamily } from './tasks/task';

export interface TaskRow {
  readonly doc: TaskDoc;
  /** 1-based line (JSONL) or row (Parquet) of the file. */
  readonly row: number;
}

export interface EvalProblem {
  readonly file: string;
  /** Absent when the whole file is at fault. */
  readonly line?: number;
  readonly message: string;
}

export function formatProblem(p: EvalProblem): string {
  return `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`;
}

/** Rows longer than this are skipped as too long: no benchmark document comes near it. */
const MAX_ROW_BYTES = 16 * 2 ** 20;

export async function readTaskFile(file: SourceFile, task: TaskFamily, problems: (p: EvalProblem) => void): Promise<TaskRow[]> {
  // Every field is wanted, so the readers' text field is ALL_FIELDS: a row passes if it has any string.
  const format = detectFormat(file.name, ALL_FIELDS);
  const name = baseName(file.name);
  if (format.kind !== 'jsonl' && format.kind !== 'parquet') {
    problems({ file: name, message: `a ${task.name} file must be JSONL (.jsonl, .json) or Parquet (.parquet), not ${format.kind}` });
    return [];
  }
  const rows: TaskRow[] = [];
  const records = readRecords(file, format, { maxRecordBytes: MAX_ROW_BYTES }, (p) => problems({
    file: p.file, line: p.line,
    message: p.kind === 'missing-field' ? 'row has no text fields' : p.message,
  }));
  for await (const r of records) {
    try {
      rows.push({ doc: task.fromRow(r.fields ?? {}), row: r.line });
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      problems({ file: r.file, line: r.line, message: `bad ${task.name} row (${task.layout}): ${err.message}` });
    }
  }
  return rows;
}
