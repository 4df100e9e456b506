// Structural mutations of a parsed JSON document for the fuzz families: a field somewhere in the tree set to
// a hostile value (wrong type, huge or fractional number, deep nesting, a long list), or removed. The result
// is JSON text, so nesting too deep to stringify is spliced in as text.
import type { Rng } from './family';
import { deepJson, pick } from './mutate';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Values that break readers which trust a field's type or size. */
const HOSTILE: readonly Json[] = [
  null, true, false, 0, -1, 1.5, -0.5, 2147483647, 4294967296, 2 ** 53, 1e308, -1e308, '', 'x', '1', '-1', 'NaN',
  [], [null], [1, 2, 3], [-1, 1.5], {}, { type: 'Sequence' }, { type: 'x' }, { a: 1 },
];

/** Every path (keys and indexes) in the value, up to `limit` of them, breadth first. */
function paths(root: Json, limit = 2000): (string | number)[][] {
  const out: (string | number)[][] = [];
  const queue: { v: Json; path: (string | number)[] }[] = [{ v: root, path: [] }];
  while (queue.length > 0 && out.length < limit) {
    const { v, path } = queue.shift()!;
    if (path.length > 0) out.push(path);
    if (Array.isArray(v)) v.slice(0, 50).forEach((x, i) => queue.push({ v: x, path: [...path, i] }));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v).slice(0, 50)) queue.push({ v: x, path: [...path, k] });
  }
  return out;
}

export interface JsonMutation { label: string; text: string }

/** One field of `root` (a fresh copy is changed) set to a hostile value, deleted, nested deep, or made huge. */
export function mutateJson(rng: Rng, root: Json, prefer: readonly string[] = []): JsonMutation {
  const doc = structuredClone(root);
  const all = paths(doc);
  // Half the time a path under one of the fields the family cares most about.
  const preferred = all.filter((p) => prefer.includes(String(p[0])));
  const path = preferred.length > 0 && rng.nextInt(2) === 0 ? pick(rng, preferred) : pick(rng, all);
  const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k as string], doc) as Record<string, Json>;
  const key = path[path.length - 1] as string;
  const where = path.join('.');
  const how = rng.nextInt(10);
  if (how === 0 && !Array.isArray(parent)) {
    delete parent[key];
    return { label: `${where} deleted`, text: JSON.stringify(doc) };
  }
  if (how === 1) {
    const depth = pick(rng, [65, 5000, 20000]);
    parent[key] = '@DEEP@';
    const text = JSON.stringify(doc).replace('"@DEEP@"', deepJson(depth, pick(rng, ['array', 'object'] as const)));
    return { label: `${where} nested ${depth} deep`, text };
  }
  if (how === 2) {
    const n = pick(rng, [1000, 100_000]);
    parent[key] = Array.from({ length: n }, (_, i) => i);
    return { label: `${where} = a list of ${n} numbers`, text: JSON.stringify(doc) };
  }
  if (how === 3) {
    parent[key] = 'x'.repeat(pick(rng, [1000, 1_000_000]));
    return { label: `${where} = a long string`, text: JSON.stringify(doc) };
  }
  const value = pick(rng, HOSTILE);
  parent[key] = value;
  return { label: `${where} = ${JSON.stringify(value)}`, text: JSON.stringify(doc) };
}
