// Splitting text around added tokens ('<s>', '</s>', '<|endoftext|>'...) the way Hugging Face's tokenizers do
// before normalization and BPE: at each position the longest token that starts there wins, scanning left to
// right; the pieces between matches are ordinary text. lstrip/rstrip tokens also eat the whitespace beside them.

import type { AddedToken } from './bpe-spec';

/** A matcher for a set of added-token strings, or null when there are none. */
export function addedTokenPattern(contents: readonly string[]): RegExp | null {
  const words = [...new Set(contents.filter((c) => c.length > 0))];
  if (words.length === 0) return null;
  // A regex alternation takes the first alternative that matches at the leftmost position, so listing longer
  // strings first gives the longest match there, which is what a trie walk gives. No 'u' flag: the search steps
  // by UTF-16 unit like the reference splitter.
  words.sort((a, b) => b.length - a.length);
  return new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
}

/** text cut into ordinary pieces and matched tokens, in order; empty pieces are left out. */
export function splitOnAddedTokens(text: string, pattern: RegExp | null): string[] {
  if (pattern === null) return [text];
  const out: string[] = [];
  let start = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (m.index > start) out.push(text.slice(start, m.index));
    out.push(m[0]);
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** Applies lstrip/rstrip of matched tokens to their neighbours, in place (pieces may become empty). */
export function stripAroundAddedTokens(pieces: string[], byContent: ReadonlyMap<string, AddedToken>): void {
  for (let i = 0; i < pieces.length; i++) {
    const tok = byContent.get(pieces[i]);
    if (!tok) continue;
    if (tok.lstrip && i > 0) pieces[i - 1] = pieces[i - 1].trimEnd();
    if (tok.rstrip && i < pieces.length - 1) pieces[i + 1] = pieces[i + 1].trimStart();
  }
}
