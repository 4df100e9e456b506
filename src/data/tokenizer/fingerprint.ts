// A short, stable name for "which vocabulary and merges": checkpoints store it so that resuming with a different
// tokenizer is refused instead of silently training on scrambled ids.
//
// It hashes the `model` part of the tokenizer.json in a canonical form: object keys sorted, merges written as
// [left, right] pairs whichever of the two formats the file used, and options left at their default (null,
// false, '') omitted, so the same tokenizer saved by different versions of the tools keeps its fingerprint.

import type { Tokenizer } from './tokenizer';

const cache = new WeakMap<Tokenizer, string>();

function canonical(v: unknown, out: string[]): void {
  if (Array.isArray(v)) {
    out.push('[');
    v.forEach((x, i) => {
      if (i > 0) out.push(',');
      canonical(x, out);
    });
    out.push(']');
  } else if (typeof v === 'object' && v !== null) {
    const obj = v as Record<string, unknown>;
    out.push('{');
    Object.keys(obj)
      .sort()
      .forEach((k, i) => {
        if (i > 0) out.push(',');
        out.push(JSON.stringify(k), ':');
        canonical(obj[k], out);
      });
    out.push('}');
  } else {
    out.push(JSON.stringify(v) ?? 'null');
  }
}

function canonicalModel(model: Record<string, unknown>): string {
  const m: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(model)) {
    if (v === null || v === false || v === '' || v === undefined) continue;
    m[k] = v;
  }
  if (Array.isArray(m.merges)) {
    m.merges = m.merges.map((x) => (typeof x === 'string' ? x.split(' ') : x));
  }
  const out: string[] = [];
  canonical(m, out);
  return out.join('');
}

/** Two independent 32-bit FNV-1a style hashes of the UTF-16 units, as 16 hex digits. */
function hash64(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
  const hex = (h: number) => ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, '0');
  return hex(h1) + hex(h2);
}

/** 'bpe-' / 'wordpiece-' ... followed by 16 hex digits, the same for every tokenizer with the same model part. */
export function tokenizerFingerprint(tok: Tokenizer): string {
  const hit = cache.get(tok);
  if (hit !== undefined) return hit;
  const model = tok.toJSON().model;
  if (typeof model !== 'object' || model === null) throw new Error(`tokenizer ${tok.name}: its tokenizer.json has no model`);
  const m = model as Record<string, unknown>;
  const type = typeof m.type === 'string' ? m.type.toLowerCase() : 'model';
  const fp = `${type}-${hash64(canonicalModel(m))}`;
  cache.set(tok, fp);
  return fp;
}
