// JSON Lines: one object per line, the document in a chosen (possibly dotted) field.
import type { TextLine } from './lines';
import type { ProblemSink } from './problems';
import { extractText, MAX_FIELD_DEPTH, nestingDepth, type RawRecord } from './record';

export async function* jsonlRecords(lines: AsyncIterable<TextLine>, file: string, textField: string,
                                    problems: ProblemSink): AsyncGenerator<RawRecord> {
  for await (const l of lines) {
    if (l.text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(l.text);
    } catch (err) {
      problems({ kind: 'malformed-json', file, line: l.line, message: err instanceof Error ? err.message : String(err) });
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems({ kind: 'not-object', file, line: l.line, message: 'line is valid JSON but not an object' });
      continue;
    }
    const depth = nestingDepth(value);
    if (depth > MAX_FIELD_DEPTH) {
      problems({ kind: 'too-deep', file, line: l.line, message: `fields nest over ${MAX_FIELD_DEPTH} levels deep` });
      continue;
    }
    const fields = value as Record<string, unknown>;
    const text = extractText(fields, textField);
    if (text === null) {
      problems({ kind: 'missing-field', file, line: l.line, message: `no string field "${textField}"` });
      continue;
    }
    yield { file, line: l.line, text, fields };
  }
}
