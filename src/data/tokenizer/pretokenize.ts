// The regexes that cut text into pieces before byte-level BPE, and the two ways tokenizer.json applies them.
//
// Our trainer's regex (written into tokenizer.json as a Split pre-tokenizer, Oniguruma syntax as the Rust
// library reads it):
//
//   '(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// It is GPT-2's regex with one change. Alternatives, in order: English contractions ('s 't 'd 'm 'll 've 're);
// a run of letters with at most one space before it; ONE digit with at most one space before it (GPT-2 takes a
// whole run of digits; one digit per piece, as Mistral's SentencePiece model does with split_digits, keeps
// numbers from filling a small vocabulary with arbitrary digit strings and lets the model see place value); a run
// of other symbols with at most one space before it; a run of whitespace not followed by a non-space (so the last
// space before a word goes with the word); any other whitespace run. Every character is covered by some
// alternative, so the pieces always join back into the text.
//
// In JavaScript, \s is not Oniguruma's \s (JS adds U+FEFF and lacks U+0085), so the JS form spells whitespace as
// \p{White_Space}, which is Oniguruma's \s and the translation Hugging Face's JS library applies to Split
// patterns. Tests check that this JS form splits exactly as that library's translation of the Oniguruma form.

export const TRAINER_SPLIT_PATTERN = "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

export const TRAINER_SPLIT_REGEX =
  /'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

/**
 * GPT-2's own regex, as the ByteLevel pre-tokenizer with use_regex: true applies it. Hugging Face's JS library
 * runs it with JavaScript's \s, so we do the same to give the same pieces as that library.
 */
export const GPT2_BYTE_LEVEL_REGEX = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * Split with behavior 'Isolated': every match is a piece and so is every gap between matches. Empty matches make
 * no piece. re must have the 'g' flag; pieces are appended to out.
 */
export function splitIsolated(text: string, re: RegExp, out: string[]): void {
  let prev = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const s = m[0];
    if (s.length === 0) {
      // Step over the empty match by one code point (as String.prototype.matchAll does in 'u' mode).
      const c = text.charCodeAt(re.lastIndex);
      re.lastIndex += re.unicode && c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      if (re.lastIndex > text.length) break;
      if (m.index > prev) {
        out.push(text.slice(prev, m.index));
        prev = m.index;
      }
      continue;
    }
    if (m.index > prev) out.push(text.slice(prev, m.index));
    out.push(s);
    prev = m.index + s.length;
  }
  if (prev < text.length) out.push(text.slice(prev));
}

/** Only the matches of re in text (the ByteLevel pre-tokenizer's own mode); appended to out. */
export function matchAll(text: string, re: RegExp, out: string[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      const c = text.charCodeAt(re.lastIndex);
      re.lastIndex += re.unicode && c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      if (re.lastIndex > text.length) break;
      continue;
    }
    out.push(m[0]);
  }
}
