// The word view of a text that duplicate detection and decontamination share: lower-cased runs of letters
// and digits, so case, spacing and punctuation never hide a copy.

const WORD = /[\p{L}\p{N}]+/gu;

export function normalizedWords(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}
