// Language identification with tinyld: pure JavaScript with no dependencies and no WebAssembly, so it gives
// the same answer in Node and in a browser worker; it covers 60+ languages, is maintained, and classifies a
// 2,000-character sample in well under a millisecond (franc is slower on long text, eld needs a larger
// download for similar accuracy on our samples).
import { detect } from 'tinyld';
import type { RuleOptions } from './defaults';

export interface LanguageResult {
  /** ISO 639-1 code, or 'und' when the sample is too short or tinyld cannot tell. */
  lang: string;
  keep: boolean;
}

function countLetters(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 191) n++;
  }
  return n;
}

export function checkLanguage(text: string, opts: RuleOptions['language']): LanguageResult {
  const sample = text.length > opts.sampleChars ? text.slice(0, opts.sampleChars) : text;
  if (countLetters(sample) < opts.minLetters) return { lang: 'und', keep: true };
  const lang = detect(sample) || 'und';
  // Only a confident detection of another language removes a sample; 'und' stays.
  return { lang, keep: lang === 'und' || opts.keep.includes(lang) };
}
