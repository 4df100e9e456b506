// A source that yields no document is an error, not an empty success: the pipeline says which file gave
// nothing and why, in the terms a person can act on (the columns that do exist, or the file's own problem).
import type { ProblemsReport } from './problem-tally';
import { describeColumns, sniffColumns } from './sniff-columns';
import { baseName, detectFormat, type SourceSpec } from './source';

/** "source "speeches" gave no documents: speeches.csv has no text field "text"; its text columns are "speech"..." */
export async function emptySourceError(spec: SourceSpec, problems: ProblemsReport, maxRecordBytes: number): Promise<string> {
  const why: string[] = [];
  for (const f of spec.files) {
    const name = baseName(f.name);
    const format = spec.format ?? detectFormat(f.name);
    const counts = problems.files.find((p) => p.file === name)?.counts ?? {};
    // A wrong field name shows as missing-field problems (one per record, or one for a CSV header).
    if (format.kind !== 'text' && !spec.task && (counts['missing-field'] ?? 0) > 0) {
      why.push(`${name} has no text field "${format.textField}": ${describeColumns(await sniffColumns(f, format.kind, maxRecordBytes))}`);
      continue;
    }
    const first = problems.list.find((p) => p.file === name);
    const kinds = Object.entries(counts).map(([k, n]) => `${k} ×${n}`).join(', ');
    why.push(first ? `${name}: ${first.kind}: ${first.message}${kinds && kinds !== `${first.kind} ×1` ? ` (${kinds})` : ''}` : `${name}: no document in it`);
  }
  const fix = spec.task ? 'check its task layout or remove it' : 'choose its text field or format, or remove it';
  return `source "${spec.name}" gave no documents: ${why.join('; ')}. Fix it (${fix}) and prepare again.`;
}
