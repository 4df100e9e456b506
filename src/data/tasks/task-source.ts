// Reading a task source: its rows come out of the ordinary readers (read/, every string field, the original
// fields kept) and go in as rendered text, so cleaning, cross-source dedup, the length cap and
// decontamination treat them like any other record. cleaned.jsonl keeps each row's fields, the rendered
// text in `_text` and the template used in `_template` (0-based, into the report's task.templates).
import { RowError } from '../../eval/tasks/task';
import type { ProblemSink } from '../read/problems';
import { ALL_FIELDS, type RawRecord } from '../read/record';
import { readRecords, type ReadOptions } from '../read/records';
import { detectFormat, type SourceFile, type SourceFormat, type SourceSpec } from '../source';
import { TaskRenderer, type TaskReport } from './renderer';

/** Reads one file of source `si` into raw records; the clean pass calls this in place of readRecords. */
export type RecordReader = (si: number, file: SourceFile, format: SourceFormat, opts: ReadOptions,
                            problems: ProblemSink) => AsyncGenerator<RawRecord>;

/** A task file is read with every field (JSONL, CSV, Parquet); a plain-text file has no fields to render. */
export function taskFileFormat(source: string, fileName: string): SourceFormat {
  const f = detectFormat(fileName, ALL_FIELDS);
  if (f.kind === 'text') throw new Error(`task source "${source}": ${fileName} is plain text; a task layout needs JSONL, CSV or Parquet rows`);
  return f;
}

/** The sources as the pipeline reads them: a task source's format takes every field, so its text key is `_text`. */
export function withTaskFormats(sources: readonly SourceSpec[]): SourceSpec[] {
  return sources.map((s) => {
    if (!s.task) return s;
    for (const f of s.files) taskFileFormat(s.name, f.name);
    return { ...s, format: taskFileFormat(s.name, s.files[0].name) };
  });
}

/** The reader for all sources (task sources rendered) and, after the pass, each task source's report. */
export function taskReader(sources: readonly SourceSpec[], seed: number): { read: RecordReader; reports: () => (TaskReport | null)[] } {
  const renderers = sources.map((s) => (s.task ? new TaskRenderer(s.task, s.name, seed) : null));
  async function* read(si: number, file: SourceFile, format: SourceFormat, opts: ReadOptions, problems: ProblemSink): AsyncGenerator<RawRecord> {
    const renderer = renderers[si];
    if (!renderer) { yield* readRecords(file, format, opts, problems); return; }
    const layout = sources[si].task!.layout;
    for await (const raw of readRecords(file, taskFileFormat(sources[si].name, file.name), opts, problems)) {
      if (!raw.fields) continue;
      try {
        const { text, template } = renderer.render(raw.fields, raw.file, raw.line);
        yield { ...raw, text, fields: { ...raw.fields, _template: template } };
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        problems({ kind: 'missing-field', file: raw.file, line: raw.line, message: `${layout} row: ${e.message}` });
      }
    }
  }
  return { read, reports: () => renderers.map((r) => r?.report ?? null) };
}
