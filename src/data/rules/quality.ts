// Incomplete or low-quality samples (HARE removes "semantically incomplete" ones). Four named checks, in the
// order the report lists them; the first that fails names the removal.
import type { RuleOptions } from './defaults';

export type QualityRule = 'too-short' | 'incomplete' | 'symbols' | 'repeated-lines';
export const QUALITY_RULES: readonly QualityRule[] = ['too-short', 'incomplete', 'symbols', 'repeated-lines'];

export interface QualityFailure {
  rule: QualityRule;
  reason: string;
}

// A finished sentence ends in . ! ? … (or their CJK forms), possibly followed by closing quotes or brackets.
const FINISHED = /[.!?…。！？]["'”’»)\]]*\s*$/u;
const LETTER = /\p{L}/u;

export function countWords(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0x2028 || c === 0x3000;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

/** Share of non-space characters that are not letters (digits, punctuation, symbols). */
export function symbolDigitRatio(text: string): number {
  let nonSpace = 0;
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    nonSpace++;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
    else if (c > 127 && !(c >= 0xd800 && c <= 0xdfff) && LETTER.test(text[i])) letters++;
  }
  return nonSpace === 0 ? 1 : (nonSpace - letters) / nonSpace;
}

/** Share of non-empty lines that repeat an earlier line of the same text. */
export function repeatedLineFraction(text: string): number {
  const seen = new Set<string>();
  let lines = 0;
  let repeats = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    lines++;
    if (seen.has(line)) repeats++; else seen.add(line);
  }
  return lines < 2 ? 0 : repeats / lines;
}

export function checkQuality(text: string, opts: RuleOptions['quality']): QualityFailure | null {
  const words = countWords(text);
  if (words < opts.minWords) return { rule: 'too-short', reason: `${words} words < ${opts.minWords}` };
  if (opts.requireEndPunctuation && !FINISHED.test(text)) {
    return { rule: 'incomplete', reason: 'does not end with a finished sentence' };
  }
  const sym = symbolDigitRatio(text);
  if (sym > opts.maxSymbolDigitRatio) {
    return { rule: 'symbols', reason: `${(sym * 100).toFixed(0)}% digits/symbols > ${(opts.maxSymbolDigitRatio * 100).toFixed(0)}%` };
  }
  const rep = repeatedLineFraction(text);
  if (rep > opts.maxRepeatedLineFraction) {
    return { rule: 'repeated-lines', reason: `${(rep * 100).toFixed(0)}% repeated lines > ${(opts.maxRepeatedLineFraction * 100).toFixed(0)}%` };
  }
  return null;
}
