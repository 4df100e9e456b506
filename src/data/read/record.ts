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

/**
 * Deepest nesting of objects and arrays a record may have. Serialising a record (cleaned.jsonl) and walking
 * it for text are recursive, and a browser worker's stack ends in the low thousands of frames; real
 * documents nest a few levels (serde_json's default limit is 128 too). Deeper records are skipped and reported.
 */
export const MAX_FIELD_DEPTH = 128;

/** Typed arrays (Parquet byte arrays) are leaves: walking them element by element finds nothing to nest. */
function isContainer(v: unknown): v is object {
  return v !== null && typeof v === 'object' && !ArrayBuffer.isView(v);
}

/** How deep `v` nests, counted without recursion and given up past `limit` (returns limit + 1 then). */
export function nestingDepth(v: unknown, limit = MAX_FIELD_DEPTH): number {
  if (!isContainer(v)) return 0;
  let deepest = 0;
  const stack: [object, number][] = [[v, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) { deepest = depth; if (deepest > limit) return deepest; }
    for (const x of Array.isArray(node) ? node : Object.values(node)) if (isContainer(x)) stack.push([x, depth + 1]);
  }
  return deepest;
}

/** Every non-blank string under `v`, in document order, without recursion. */
function stringLeaves(v: unknown, out: string[]): void {
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === 'string') { if (x.trim()) out.push(x); }
    else if (isContainer(x)) {
      const children = Array.isArray(x) ? x : Object.values(x);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }
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
