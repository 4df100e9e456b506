// Ids back to text for our BPE tokenizers, the way the decoders in their tokenizer.json do it: special tokens
// are dropped; SentencePiece-style tokens have '▁' read as a space, '<0xXX>' tokens read as raw bytes, and the
// one space the leading '▁' stands for removed; byte-level tokens are read back through the byte alphabet,
// except added tokens, which are text. Bytes that do not form valid UTF-8 become U+FFFD.

import type { ByteLevelRules, MetaspaceRules } from './bpe-spec';
import { METASPACE } from './bpe-spec';
import { CHAR_TO_BYTE, utf8Encode } from './byte-alphabet';

export interface DecodeTables {
  readonly idToToken: readonly (string | undefined)[];
  readonly rules: MetaspaceRules | ByteLevelRules;
  /** 1 for special added tokens (dropped), per id. */
  readonly special: Uint8Array;
  /** 1 for added tokens that are not special (kept as text), per id. */
  readonly addedPlain: Uint8Array;
  /** '<0xXX>' token id of each byte, or -1. */
  readonly byteTokenId: Int32Array;
}

// ignoreBOM keeps a leading U+FEFF that was in the text instead of swallowing it.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function prependsMetaspace(r: MetaspaceRules): boolean {
  return r.normalizer === 'prepend-replace' || r.metaspace === 'always' || r.metaspace === 'first';
}

/** The byte a '<0xXX>' token stands for, or -1 for any other token. */
function fallbackByte(t: DecodeTables, id: number, tok: string): number {
  if (tok.length !== 6 || !tok.startsWith('<0x') || tok[5] !== '>') return -1;
  const v = parseInt(tok.slice(3, 5), 16);
  return Number.isNaN(v) || t.byteTokenId[v] !== id ? -1 : v;
}

export function decodeBpe(ids: ArrayLike<number>, t: DecodeTables): string {
  const rules = t.rules;
  const names = t.idToToken;
  let bytes = new Uint8Array(Math.max(64, ids.length * 8));
  let scratch = new Uint8Array(64);
  let n = 0;
  const parts: string[] = [];
  const flush = () => {
    if (n > 0) parts.push(utf8Decoder.decode(bytes.subarray(0, n)));
    n = 0;
  };
  const append = (s: string) => {
    const [enc, len] = utf8Encode(s, scratch);
    scratch = enc;
    bytes.set(enc.subarray(0, len), n);
    n += len;
  };
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    const tok = names[id];
    if (tok === undefined || t.special[id] === 1) continue;
    if (rules.kind === 'byte-level' && t.addedPlain[id] === 1) {
      flush();
      parts.push(tok);
      continue;
    }
    if (bytes.length - n < tok.length * 3 + 4) {
      const grown = new Uint8Array((bytes.length + tok.length * 3) * 2);
      grown.set(bytes.subarray(0, n));
      bytes = grown;
    }
    if (rules.kind === 'metaspace') {
      const b = fallbackByte(t, id, tok);
      if (b >= 0) bytes[n++] = b;
      else append(tok.replaceAll(METASPACE, ' '));
      continue;
    }
    for (let i = 0; i < tok.length; i++) {
      const c = tok.charCodeAt(i);
      const b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
      if (b >= 0) {
        bytes[n++] = b;
      } else {
        // Not a byte-alphabet character (only in hand-made vocabularies): keep it as UTF-8 text.
        const ch = String.fromCodePoint(tok.codePointAt(i)!);
        i += ch.length - 1;
        append(ch);
      }
    }
  }
  flush();
  const text = parts.join('');
  return rules.kind === 'metaspace' && prependsMetaspace(rules) && text.startsWith(' ') ? text.slice(1) : text;
}
