// Shared pieces of the tokenizer tests: the corpora, Hugging Face's library as the reference, and strings that
// tend to break tokenizers.
import { readFileSync } from 'node:fs';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { Tokenizer } from '../../../src/data/tokenizer/tokenizer';

export const CORPORA = ['moby-dick.jsonl', 'sotu.jsonl'] as const;

/** The `text` field of every record of ../shared/data/<file>. */
export function corpusTexts(file: string): string[] {
  return readFileSync(new URL(`../../../../shared/data/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { text: string }).text);
}

/** @huggingface/tokenizers on our tokenizer.json, after a trip through JSON text as a file would take. */
export function reference(tok: Tokenizer): (text: string) => number[] {
  const hf = new HfTokenizer(JSON.parse(JSON.stringify(tok.toJSON())), {});
  return (text) => hf.encode(text, { add_special_tokens: false }).ids;
}

/** @huggingface/tokenizers' decoder for our tokenizer.json, special tokens skipped and no clean-up. */
export function referenceDecode(tok: Tokenizer): (ids: number[]) => string {
  const hf = new HfTokenizer(JSON.parse(JSON.stringify(tok.toJSON())), {});
  return (ids) => (ids.length === 0 ? '' : hf.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }));
}

/** Where two id lists first differ, with context, or null when equal. */
export function firstDifference(ours: number[], theirs: number[]): string | null {
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    if (ours[i] !== theirs[i]) {
      return `at token ${i} of ${ours.length}/${theirs.length}: ours ${JSON.stringify(ours.slice(Math.max(0, i - 3), i + 5))}, reference ${JSON.stringify(theirs.slice(Math.max(0, i - 3), i + 5))}`;
    }
  }
  return null;
}

/** Every record's ids compared; returns the mismatches (record index and where), the token count and the time. */
export function compareOnTexts(
  texts: readonly string[],
  ours: (t: string) => number[],
  theirs: (t: string) => number[],
): { mismatches: string[]; tokens: number } {
  const mismatches: string[] = [];
  let tokens = 0;
  texts.forEach((t, i) => {
    const a = ours(t);
    tokens += a.length;
    const d = firstDifference(a, theirs(t));
    if (d !== null) mismatches.push(`record ${i}: ${d}`);
  });
  return { mismatches, tokens };
}

/** Strings around the edges: whitespace of every kind, scripts, emoji, marks, broken UTF-16, specials, digits. */
export const TRICKY: readonly string[] = [
  '',
  ' ',
  '   ',
  '   leading spaces',
  'trailing spaces   ',
  'multiple   spaces    inside',
  '\n',
  ' \n',
  '\n\n\n',
  'line one\nline two\n',
  'windows\r\nline\r\n',
  '\t',
  'a\tb\t\tc',
  '\ttabs\t\t\t\tout here',
  'vertical\u000Btab and form\u000Cfeed',
  'emoji 🦙🐋 and a family 👩‍👩‍👧 and flags 🇫🇷',
  '镇 日本語のテキスト 한국어 中文字符',
  'combining: e\u0301 n\u0303 a\u0300\u0301\u0302 and precomposed é ñ',
  'invalid \uD800 high and \uDC00 low surrogates',
  'ends with a lone high surrogate \uD83D',
  '\uDFFF',
  'digits 1234567890 3.14159 1,000,000 and 2024-06-17',
  "contractions: don't I'll we've they're she'd I'm it's",
  "CAPS DON'T 'S 'T",
  'UPPER lower MiXeD',
  'zero\u200Bwidth space',
  'no-break\u00A0space and narrow\u202Fone',
  'next\u0085line',
  'byte order\uFEFFmark',
  '\uFEFFleading mark',
  'ideographic\u3000space',
  'en\u2002quad\u2003em',
  'url https://example.com/a?b=c&d=e#f',
  '---------- ========== __________ ..........',
  'x'.repeat(300),
  'ab'.repeat(1500),
  'word '.repeat(200),
  'العربية من اليمين',
  'Ελληνικά και Кириллица',
  'tiếng Việt có dấu',
  'mixed\u0000null\u0001controls\u007f',
  '\u{10FFFF}\u{E000}private use',
  '▁ metaspace ▁▁ chars a▁b',
];

/** Strings holding the text of a special token; encode turns those into the special ids. */
export const WITH_SPECIAL_TEXT: readonly string[] = [
  '<s> special </s> tokens <unk>',
  'a<s>b',
  '</s></s>',
  '<s>',
  'text then </s>',
  'almost <s special and </ s>',
];

/** s with every lone surrogate replaced by U+FFFD, as UTF-8 encoding does. */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
