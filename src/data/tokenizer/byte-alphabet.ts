// The GPT-2 byte-level alphabet: each of the 256 byte values is shown as one printable Unicode character, so a
// byte-level BPE can store its tokens as ordinary strings in tokenizer.json. Bytes that are already printable
// Latin-1 ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves; the other 68 (controls, space, soft hyphen...) are
// given the code points 256, 257, ... in byte order. This is the mapping every byte-level tokenizer.json assumes
// (its ByteLevel pre-tokenizer and decoder), so it is fixed data, not a choice.

function isSelfPrintable(b: number): boolean {
  return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

/** BYTE_TO_CHAR[b]: the character that stands for byte b. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const out: string[] = new Array<string>(256);
  let next = 256;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(isSelfPrintable(b) ? b : next++);
  return out;
})();

/** CHAR_TO_BYTE[code]: the byte a byte-level character stands for, or -1 (indexed by UTF-16 code, all < 324). */
export const CHAR_TO_BYTE: Int16Array = (() => {
  const out = new Int16Array(324).fill(-1);
  for (let b = 0; b < 256; b++) out[BYTE_TO_CHAR[b].charCodeAt(0)] = b;
  return out;
})();

/**
 * Writes the UTF-8 bytes of s into out (grown as needed) and returns [buffer, length]. A lone surrogate becomes
 * EF BF BD (U+FFFD), as TextEncoder does; that is what every tokenizer.json implementation feeds its BPE.
 */
export function utf8Encode(s: string, out: Uint8Array<ArrayBuffer>): [Uint8Array<ArrayBuffer>, number] {
  if (out.length < s.length * 3) out = new Uint8Array(s.length * 3 + 16);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          out[n++] = 0xf0 | (c >> 18);
          out[n++] = 0x80 | ((c >> 12) & 63);
          out[n++] = 0x80 | ((c >> 6) & 63);
          out[n++] = 0x80 | (c & 63);
          continue;
        }
        c = 0xfffd;
      }
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    }
  }
  return [out, n];
}
