// A model's text made safe to show: a young model emits control characters and, with a byte-level
// tokenizer, byte sequences that are not UTF-8 (decoded as U+FFFD). Neither is shown raw: controls become
// their visible Control Pictures (␇), broken bytes one marked ⍰, each with a title saying what it was;
// newlines and tabs stay. The text only ever reaches the DOM as text nodes.

export type Piece =
  | { kind: 'text'; text: string }
  | { kind: 'control'; text: string; title: string }
  | { kind: 'invalid'; text: string; title: string };

const hex = (c: number): string => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

/** Visible stand-in for a C0 control, DEL or a C1 control. */
function picture(c: number): string {
  if (c < 0x20) return String.fromCharCode(0x2400 + c);
  if (c === 0x7f) return '\u2421';
  return '\u2426'; // C1 controls have no pictures of their own: one substitute form
}

export function samplePieces(text: string): Piece[] {
  const out: Piece[] = [];
  let plain = '';
  const flush = () => { if (plain) out.push({ kind: 'text', text: plain }); plain = ''; };
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\n' || ch === '\t') { plain += ch; continue; }
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
      flush();
      out.push({ kind: 'control', text: picture(c), title: `control character ${hex(c)}` });
    } else if (c === 0xfffd) {
      flush();
      const last = out[out.length - 1];
      // A run of broken bytes is one mark.
      if (last?.kind !== 'invalid') out.push({ kind: 'invalid', text: '⍰', title: 'bytes that are not valid UTF-8 (the model has not learned whole characters yet)' });
    } else {
      plain += ch;
    }
  }
  flush();
  return out;
}

/** While a sample streams, its last token may end mid-character: hold those trailing U+FFFD back. */
export const streamingText = (text: string): string => text.replace(/\uFFFD+$/, '');
