// How deep a parsed JSON value nests, measured without recursion. JSON.parse itself copes with any depth, but
// everything that walks the value afterwards (structuredClone, JSON.stringify, a fingerprint, a library's
// constructor) recurses and dies with "Maximum call stack size exceeded" somewhere around 10,000 levels. Real
// files nest a handful of levels, so a loader checks the depth once, up front, and refuses with a message.

/** Nesting a loader accepts by default: tokenizer.json and the checkpoint files nest under 10 levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * The path of the first place where `value` nests deeper than `limit` (e.g. `normalizer.normalizers[0]...`,
 * cut short), or null when it stays within the limit. Stops at the first such place, so the cost is bounded
 * by the size of the value, never by its depth times anything.
 */
export function tooDeepAt(value: unknown, limit = MAX_JSON_DEPTH): string | null {
  // The common case, a file within the limit, allocates no strings: a 200,000-point loss history is a
  // million values. The path is spelled out only once a fault is known to exist.
  return deepestWithin(value, limit) ? null : pathPastLimit(value, limit);
}

/** True when no object or array sits at depth `limit` or more. Two parallel stacks, no per-value objects. */
function deepestWithin(value: unknown, limit: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (typeof v[i] === 'object' && v[i] !== null) { values.push(v[i]); depths.push(depth + 1); }
    } else {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'object' && x !== null) { values.push(x); depths.push(depth + 1); }
      }
    }
  }
  return true;
}

/** The path to the first value at depth `limit`, its first six steps spelled out. */
function pathPastLimit(value: unknown, limit: number): string {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return path === '' ? '(top level)' : path;
    // Paths grow with depth, so only the first few levels are spelled out.
    const spell = depth < 6;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], depth: depth + 1, path: spell ? `${path}[${i}]` : path });
    } else {
      for (const [k, x] of Object.entries(v)) stack.push({ v: x, depth: depth + 1, path: spell ? (path === '' ? k : `${path}.${k}`) : path });
    }
  }
  return '(top level)';
}
