// Mistral-7B's vocabulary and merges, read out of the mistral-tokenizer-js package. The package bakes them into
// its single JS file as two base64 string constants:
//   vocab_base64  : UTF-8 text of the 32000 tokens joined by '\n'; line i is the token with id i;
//   merges_binary : little-endian uint16 pairs (left id, right id), one pair per merge, in rank order.
// We import that file as text (Vite's ?raw; the CLI's esbuild plugin does the same) instead of running it, so
// its own tokenizer never initialises, and decode the two constants ourselves.

import packageSource from '../../../node_modules/mistral-tokenizer-js/mistral-tokenizer.js?raw';

export interface MistralData {
  /** id -> token string. */
  readonly vocab: string[];
  /** [left, right] ids per merge, in rank order. */
  readonly merges: Int32Array;
}

function base64Constant(name: string): Uint8Array {
  const m = new RegExp(`const ${name}\\s*=\\s*"([A-Za-z0-9+/=]*)"`).exec(packageSource);
  if (m === null) throw new Error(`mistral-tokenizer-js: constant ${name} not found; has the package changed format?`);
  const bin = atob(m[1]);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function decodeMistralData(): MistralData {
  const vocab = new TextDecoder().decode(base64Constant('vocab_base64')).split('\n');
  if (vocab.length !== 32000) throw new Error(`mistral-tokenizer-js: expected 32000 tokens, found ${vocab.length}`);
  const raw = base64Constant('merges_binary');
  if (raw.length % 4 !== 0) throw new Error('mistral-tokenizer-js: merges_binary is not a whole number of id pairs');
  const merges = new Int32Array(raw.length / 2);
  for (let i = 0; i < merges.length; i++) merges[i] = raw[2 * i] | (raw[2 * i + 1] << 8);
  return { vocab, merges };
}
