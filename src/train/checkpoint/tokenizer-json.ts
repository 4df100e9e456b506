// Looks up special-token strings in a Hugging Face tokenizer.json, which tokenizer_config.json names by
// string while the model config names them by id.
import type { TokenizerJSON } from '../../data/tokenizer/tokenizer';

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** The string of token `id`: from added_tokens first (where special tokens live), then the model's
 *  vocabulary (an object token -> id for BPE, WordPiece and WordLevel; a list of [token, score] for Unigram). */
export function tokenString(json: TokenizerJSON, id: number): string | undefined {
  if (Array.isArray(json.added_tokens)) {
    for (const t of json.added_tokens) {
      const r = asRecord(t);
      if (r && r.id === id && typeof r.content === 'string') return r.content;
    }
  }
  const vocab = asRecord(json.model)?.vocab;
  if (Array.isArray(vocab)) {
    const entry: unknown = vocab[id];
    return Array.isArray(entry) && typeof entry[0] === 'string' ? entry[0] : undefined;
  }
  const map = asRecord(vocab);
  if (map) for (const [token, tid] of Object.entries(map)) if (tid === id) return token;
  return undefined;
}

/** The unknown-token string, or null for byte-level vocabularies that never need one. */
export function unkTokenString(json: TokenizerJSON): string | null {
  const model = asRecord(json.model);
  if (typeof model?.unk_token === 'string') return model.unk_token;
  if (typeof model?.unk_id === 'number') return tokenString(json, model.unk_id) ?? null;
  return null;
}
