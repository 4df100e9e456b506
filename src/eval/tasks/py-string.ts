// Python's str.capitalize (3.8 and later), which the harness's HellaSwag preprocessing applies to ctx_b:
// the first character in title case, every other character in lower case. JavaScript has no title case,
// so the few characters whose title case differs from their upper case are listed here.
const TITLE: Record<string, string> = {
  'ß': 'Ss', 'Ǆ': 'ǅ', 'ǅ': 'ǅ', 'ǆ': 'ǅ', 'Ǉ': 'ǈ', 'ǈ': 'ǈ', 'ǉ': 'ǈ', 'Ǌ': 'ǋ', 'ǋ': 'ǋ', 'ǌ': 'ǋ',
  'Ǳ': 'ǲ', 'ǲ': 'ǲ', 'ǳ': 'ǲ', 'ﬀ': 'Ff', 'ﬁ': 'Fi', 'ﬂ': 'Fl', 'ﬃ': 'Ffi', 'ﬄ': 'Ffl', 'ﬅ': 'St', 'ﬆ': 'St',
};

export function pyCapitalize(s: string): string {
  if (s === '') return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return (TITLE[first] ?? first.toUpperCase()) + s.slice(first.length).toLowerCase();
}

/** Python's len(): code points, not UTF-16 units (acc_norm divides by it). */
export function pyLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
