// One document as read from a source, before any cleaning, and how its text is taken from its fields.

export interface RawRecord {
  /** File name (no folders) and 1-based line (or Parquet row) where the record starts. */
  file: string;
  line: number;
  /** The text the rules work on. */
  text: string;
  /** The record's original fields (JSONL, CSV, Parquet), carried into cleaned.jsonl; null for plain text. */
  fields: Record<string, unknown> | null;
}

/** The field spec that takes every string in a record (benchmarks whose fields the user did not name). */
export const ALL_FIELDS = '*';

/** Reads a possibly dotted field path ("meta.body") from a parsed record. */
export function getField(obj: Record<string, unknown>, path: string): unknown {
  if (path in obj) return obj[path];
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function stringLeaves(v: unknown, out: string[]): void {
  if (typeof v === 'string') { if (v.trim()) out.push(v); }
  else if (Array.isArray(v)) for (const x of v) stringLeaves(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stringLeaves(x, out);
}

/**
 * The text of a record under a field spec: one field name (must hold a string), a comma-separated list of
 * fields, or ALL_FIELDS. Lists and ALL_FIELDS join every string they reach (arrays of choices included)
 * with newlines. Returns null when nothing textual is found.
 */
export function extractText(fields: Record<string, unknown>, spec: string): string | null {
  if (spec !== ALL_FIELDS && !spec.includes(',')) {
    const v = getField(fields, spec);
    return typeof v === 'string' ? v : null;
  }
  const parts: string[] = [];
  if (spec === ALL_FIELDS) stringLeaves(fields, parts);
  else for (const f of spec.split(',')) stringLeaves(getField(fields, f.trim()), parts);
  return parts.length > 0 ? parts.join('\n') : null;
}
