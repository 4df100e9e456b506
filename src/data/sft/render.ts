// A conversation through the chat template into pieces of text, each learned (the assistant's turns) or not
// (everything else), and into token ids with a per-token learn flag. The assistant spans are found by
// rendering prefix by prefix, as TRL's assistant-only loss does: for the k-th message, an assistant's,
//   before = render(messages[:k], add_generation_prompt = true)    ends with the assistant header
//   after  = render(messages[:k+1], add_generation_prompt = false)  ends with its end-of-turn marker
// and the learned span is after[before.length:], which must sit where it is in the whole rendering. Each piece
// is encoded on its own and the ids concatenated, so every span boundary is a token boundary (at the cost of
// ids that can differ, at a boundary, from encoding the whole text at once).
import type { Tokenizer } from '../tokenizer/tokenizer';
import type { ChatTemplate } from './chat-template';
import { SftRowError, type ChatMessage } from './layouts';

export interface Piece {
  text: string;
  learn: boolean;
}

export function renderPieces(template: ChatTemplate, messages: readonly ChatMessage[]): Piece[] {
  const render = (upTo: number, gen: boolean) => {
    try { return template.render(messages.slice(0, upTo), gen); } catch (e) { throw new SftRowError(`the chat template refused it: ${(e as Error).message}`); }
  };
  const full = render(messages.length, false);
  const pieces: Piece[] = [];
  let at = 0;
  messages.forEach((m, k) => {
    if (m.role !== 'assistant') return;
    const before = render(k, true), after = render(k + 1, false);
    if (!after.startsWith(before) || !full.startsWith(after) || before.length < at) {
      throw new SftRowError(`the chat template does not render message ${k} as a continuation of the messages before it, so its span cannot be found`);
    }
    if (before.length > at) pieces.push({ text: full.slice(at, before.length), learn: false });
    if (after.length > before.length) pieces.push({ text: full.slice(before.length, after.length), learn: true });
    at = after.length;
  });
  if (at < full.length) pieces.push({ text: full.slice(at), learn: false });
  return pieces;
}

export interface TokenizedExample {
  ids: number[];
  /** 1 where the token is one the model learns to predict (inside an assistant span), else 0. */
  learn: Uint8Array;
}

/**
 * Ids of the pieces, concatenated, with EOS appended (and learned, as the last thing the assistant says)
 * unless the rendering already ends with the template's EOS text.
 */
export function tokenizePieces(tok: Tokenizer, pieces: readonly Piece[], eosText: string): TokenizedExample {
  const ids: number[] = [], learn: number[] = [];
  for (const p of pieces) {
    const piece = tok.encode(p.text);
    for (const id of piece) { ids.push(id); learn.push(p.learn ? 1 : 0); }
  }
  const rendered = pieces.map((p) => p.text).join('');
  if (!(eosText && rendered.trimEnd().endsWith(eosText))) { ids.push(tok.eosId); learn.push(1); }
  return { ids, learn: Uint8Array.from(learn) };
}
