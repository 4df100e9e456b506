// Length caps (HARE: about 2k tokens for long samples, 512 for short). The tokenizer may not exist yet
// (BPE is trained on the cleaned text), so lengths here are estimates from the UTF-8 size. A sample over
// its cap is split, at paragraph breaks where possible, then sentence ends, then spaces.

/** UTF-8 byte length without encoding the string. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

export function estimateTokens(text: string, bytesPerToken: number): number {
  return Math.ceil(utf8Length(text) / bytesPerToken);
}

/** Splits `text` into pieces of at most maxTokens (estimated), each trimmed and non-empty, in order. */
export function splitByLength(text: string, maxTokens: number, bytesPerToken: number): string[] {
  const maxBytes = Math.max(1, Math.floor(maxTokens * bytesPerToken));
  if (utf8Length(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  packUnits(text.split(/\n[ \t]*\n/), '\n\n', maxBytes, pieces, 0);
  return pieces.map((p) => p.trim()).filter((p) => p.length > 0);
}

// Coarse to fine: paragraphs, sentences, words, then a hard cut by characters.
const FINER: ((s: string) => string[])[] = [
  (s) => s.split(/(?<=[.!?…]["'”’)\]]*)\s+/u),
  (s) => s.split(/\s+/),
];
const JOINERS = [' ', ' '];

function packUnits(units: string[], joiner: string, maxBytes: number, out: string[], level: number): void {
  let cur = '';
  let curBytes = 0;
  const joinBytes = utf8Length(joiner);
  for (const unit of units) {
    const u = utf8Length(unit);
    if (u > maxBytes) {
      if (cur) { out.push(cur); cur = ''; curBytes = 0; }
      if (level < FINER.length) packUnits(FINER[level](unit), JOINERS[level], maxBytes, out, level + 1);
      else hardCut(unit, maxBytes, out);
      continue;
    }
    if (cur && curBytes + joinBytes + u > maxBytes) { out.push(cur); cur = ''; curBytes = 0; }
    cur = cur ? cur + joiner + unit : unit;
    curBytes += (curBytes ? joinBytes : 0) + u;
  }
  if (cur) out.push(cur);
}

/** Cuts by code points (never inside a surrogate pair), each piece at most maxBytes of UTF-8. */
function hardCut(s: string, maxBytes: number, out: string[]): void {
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    const units = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
    const b = utf8Length(s.slice(i, i + units));
    if (bytes + b > maxBytes && i > start) { out.push(s.slice(start, i)); start = i; bytes = 0; }
    bytes += b;
    i += units;
  }
  if (start < s.length) out.push(s.slice(start));
}
