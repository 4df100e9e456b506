// One entry point for every format: a source file in, raw records out, problems reported on the side.
import { baseName, detectFormat, type SourceFile, type SourceFormat } from '../source';
import { openBytes } from './bytes';
import { csvRecords } from './csv';
import { jsonlRecords } from './jsonl';
import { textLines, type LineStats } from './lines';
import { parquetRecords } from './parquet';
import type { ProblemSink } from './problems';
import type { RawRecord } from './record';
import { textRecords } from './text';

export interface ReadOptions {
  /** Longest line or record held in memory, in bytes; longer ones are skipped and reported. */
  maxRecordBytes: number;
  /** Called with the number of file bytes consumed, for progress. */
  onBytes?: (n: number) => void;
  stats?: LineStats;
}

export async function* readRecords(file: SourceFile, format: SourceFormat | undefined, opts: ReadOptions,
                                   problems: ProblemSink): AsyncGenerator<RawRecord> {
  const fmt = format ?? detectFormat(file.name);
  const name = baseName(file.name);
  const onBytes = opts.onBytes ?? (() => {});
  const named: ProblemSink = (p) => problems({ ...p, file: name });
  if (fmt.kind === 'parquet') {
    for await (const r of parquetRecords(file, fmt.textField, opts.maxRecordBytes, named, onBytes)) yield { ...r, file: name };
    return;
  }
  let opened;
  try {
    opened = await openBytes(file, named, onBytes);
  } catch (err) {
    named({ kind: 'read-error', file: name, message: err instanceof Error ? err.message : String(err) });
    return;
  }
  if (!opened) return;
  const lines = textLines(opened, name, opts.maxRecordBytes, named, opts.stats);
  switch (fmt.kind) {
    case 'text': yield* textRecords(lines, name, fmt.split, opts.maxRecordBytes, named); break;
    case 'jsonl': yield* jsonlRecords(lines, name, fmt.textField, named); break;
    case 'csv': yield* csvRecords(lines, name, fmt.textField, opts.maxRecordBytes, named); break;
    default: throw new Error(`unknown format ${JSON.stringify(fmt)}`);
  }
}
