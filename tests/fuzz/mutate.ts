// Byte- and text-level mutations shared by the fuzz families: each takes a valid input and a seeded rng and
// returns a malformed one with a label saying what was done, so a failing case can be rebuilt by hand.
import type { Rng } from './family';

export interface Mutation { label: string; bytes: Uint8Array }

const enc = new TextEncoder();
export const utf8 = (s: string): Uint8Array => enc.encode(s);

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.nextInt(items.length)];
}

/** Set one byte to a random value (or 0, or 0xff). */
export function flipByte(rng: Rng, bytes: Uint8Array): Mutation {
  const out = bytes.slice();
  if (out.length === 0) return { label: 'empty', bytes: out };
  const at = rng.nextInt(out.length);
  const v = pick(rng, [0, 0xff, rng.nextInt(256)]);
  out[at] = v;
  return { label: `byte ${at} set to ${v}`, bytes: out };
}

/** Cut the input at a random point. */
export function truncate(rng: Rng, bytes: Uint8Array): Mutation {
  const at = bytes.length === 0 ? 0 : rng.nextInt(bytes.length);
  return { label: `truncated at ${at} of ${bytes.length}`, bytes: bytes.slice(0, at) };
}

/** Insert random bytes (sometimes invalid UTF-8, NULs or a stray quote) at a random point. */
export function insertJunk(rng: Rng, bytes: Uint8Array): Mutation {
  const at = rng.nextInt(bytes.length + 1);
  const n = 1 + rng.nextInt(16);
  const junk = new Uint8Array(n);
  for (let i = 0; i < n; i++) junk[i] = pick(rng, [0, 0x22, 0x0a, 0x0d, 0x5c, 0x7b, 0xc3, 0xff, 0x80, rng.nextInt(256)]);
  const out = new Uint8Array(bytes.length + n);
  out.set(bytes.subarray(0, at), 0);
  out.set(junk, at);
  out.set(bytes.subarray(at), at + n);
  return { label: `${n} junk bytes at ${at}`, bytes: out };
}

/** Append random bytes after the end. */
export function appendJunk(rng: Rng, bytes: Uint8Array): Mutation {
  const n = 1 + rng.nextInt(64);
  const out = new Uint8Array(bytes.length + n);
  out.set(bytes, 0);
  for (let i = 0; i < n; i++) out[bytes.length + i] = rng.nextInt(256);
  return { label: `${n} junk bytes appended`, bytes: out };
}

/** Repeat a slice of the input many times (long lines, huge fields). */
export function repeatSlice(rng: Rng, bytes: Uint8Array, maxTimes = 2000): Mutation {
  if (bytes.length === 0) return { label: 'empty', bytes };
  const a = rng.nextInt(bytes.length);
  const b = Math.min(bytes.length, a + 1 + rng.nextInt(32));
  const times = 2 + rng.nextInt(maxTimes);
  const piece = bytes.subarray(a, b);
  const out = new Uint8Array(bytes.length + piece.length * times);
  out.set(bytes.subarray(0, b), 0);
  for (let i = 0; i < times; i++) out.set(piece, b + i * piece.length);
  out.set(bytes.subarray(b), b + times * piece.length);
  return { label: `bytes ${a}..${b} repeated ${times} times`, bytes: out };
}

/** One of the generic byte mutations, chosen by the rng. */
export function anyByteMutation(rng: Rng, bytes: Uint8Array): Mutation {
  const m = pick(rng, [flipByte, truncate, insertJunk, appendJunk, repeatSlice]);
  return m(rng, bytes);
}

/** JSON nested `depth` deep in arrays or objects: `[[[...]]]` or `{"a":{"a":...}}`. */
export function deepJson(depth: number, kind: 'array' | 'object' = 'array'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
