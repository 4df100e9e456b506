// Web links removed (HARE, appendix A). URLs with a scheme and www. addresses go; a Markdown link keeps its
// visible text. Sentence punctuation that ends a URL stays in the text, so removing a link never makes a
// finished sentence look cut off to the quality rule.

const MARKDOWN_LINK = /\[([^\]\n]{0,300})\]\(\s*(?:(?:https?|ftp):\/\/|www\.)[^)\s]*\s*\)/g;
const URL = /[ \t]?(?:\b(?:https?|ftp):\/\/|\bwww\.)[^\s<>"'`]+/g;
const TRAILING_PUNCT = /[.,;:!?)\]}]+$/;

export interface LinkResult {
  text: string;
  removed: number;
}

export function removeLinks(text: string): LinkResult {
  let removed = 0;
  let out = text.replace(MARKDOWN_LINK, (_m, label: string) => { removed++; return label; });
  out = out.replace(URL, (match: string, offset: number, whole: string) => {
    removed++;
    const tail = TRAILING_PUNCT.exec(match)?.[0] ?? '';
    // A ')' belongs to the URL when the URL opened one (Wikipedia-style links).
    const body = match.slice(0, match.length - tail.length);
    const keepTail = body.includes('(') ? tail.replace(/^\)/, '') : tail;
    if (keepTail) return keepTail;
    const next = whole[offset + match.length];
    const leadingSpace = match.startsWith(' ') || match.startsWith('\t');
    return leadingSpace && next !== undefined && !/\s/.test(next) ? ' ' : '';
  });
  if (removed > 0) out = out.replace(/[ \t]?[(<]\s*[)>]/g, ''); // brackets left empty by a removed link
  return { text: out, removed };
}
