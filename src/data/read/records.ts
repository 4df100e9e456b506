// One entry point for every format: a source file in, raw records out, problems reported on the side.
// Every file is read under a stall watchdog (stall.ts), so a reader that stops making progress costs that
// file, not the run.
import { baseName, detectFormat, type SourceFile, type SourceFormat } from '../source';
import { errorText, openBytes } from './bytes';
import { csvRecords } from './csv';
import { jsonlRecords } from './jsonl';
import { textLines, type LineStats } from './lines';
import { parquetRecords } from './parquet';
import type { ProblemSink } from './problems';
import type { RawRecord } from './record';
import { DEFAULT_STALL_MS, watchStalls, type Progress } from './stall';
import { textRecords } from './text';

export interface ReadOptions {
  /** Longest line or record held in memory, in bytes; longer ones are skipped and reported. */
  maxRecordBytes: number;
  /** Called with the number of file bytes consumed, for progress. */
  onBytes?: (n: number) => void;
  stats?: LineStats;
  /** A file that yields no record and reads no byte for this long is reported as stuck and skipped. */
  stallMs?: number;
}

export async function* readRecords(file: SourceFile, format: SourceFormat | undefined, opts: ReadOptions,
                                   problems: ProblemSink): AsyncGenerator<RawRecord> {
  const name = baseName(file.name);
  const named: ProblemSink = (p) => problems({ ...p, file: name });
  const progress: Progress = { ticks: 0 };
  const onBytes = opts.onBytes ?? (() => {});
  const counted = (n: number) => { progress.ticks++; onBytes(n); };
  const records = formatRecords(file, name, format ?? detectFormat(file.name), { ...opts, onBytes: counted }, named);
  yield* watchStalls(records, opts.stallMs ?? DEFAULT_STALL_MS, progress, (ms) => named({
    kind: 'stuck', file: name, message: `no progress for ${ms / 1000} s: reading abandoned, records before it kept`,
  }));
}

async function* formatRecords(file: SourceFile, name: string, fmt: SourceFormat, opts: ReadOptions & { onBytes: (n: number) => void },
                              named: ProblemSink): AsyncGenerator<RawRecord> {
  if (fmt.kind === 'parquet') {
    for await (const r of parquetRecords(file, fmt.textField, opts.maxRecordBytes, named, opts.onBytes)) yield { ...r, file: name };
    return;
  }
  let opened;
  try {
    opened = await openBytes(file, named, opts.onBytes);
  } catch (err) {
    named({ kind: 'read-error', file: name, message: errorText(err) });
    return;
  }
  if (!opened) return;
  // CSV records span lines, so its reader sees bad lines too and drops the record around them.
  const lines = textLines(opened, name, opts.maxRecordBytes, named, { stats: opts.stats, keepFaulty: fmt.kind === 'csv' });
  switch (fmt.kind) {
    case 'text': yield* textRecords(lines, name, fmt.split, opts.maxRecordBytes, named); break;
    case 'jsonl': yield* jsonlRecords(lines, name, fmt.textField, named); break;
    case 'csv': yield* csvRecords(lines, name, fmt.textField, opts.maxRecordBytes, named); break;
    default: throw new Error(`unknown format ${JSON.stringify(fmt)}`);
  }
}
