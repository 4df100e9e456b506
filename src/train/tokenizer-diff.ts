// Says how two tokenizers differ, for refusing a model whose tokenizer is not the one the data was prepared
// with: "vocabulary 267 vs 32000; token 3 is "!" vs "<0x00>"" tells the user which files disagree and how,
// where two fingerprints alone would not.
import { tokenizerFingerprint } from '../data/tokenizer/fingerprint';
import type { Tokenizer, TokenizerJSON } from '../data/tokenizer/tokenizer';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** id -> token string, from the model's vocabulary (object or Unigram list) and the added tokens. */
function tokensById(json: TokenizerJSON): string[] {
  const out: string[] = [];
  const model = isRecord(json.model) ? json.model : {};
  if (Array.isArray(model.vocab)) {
    model.vocab.forEach((e, i) => { if (Array.isArray(e) && typeof e[0] === 'string') out[i] = e[0]; });
  } else if (isRecord(model.vocab)) {
    for (const [token, id] of Object.entries(model.vocab)) if (typeof id === 'number' && Number.isInteger(id) && id >= 0) out[id] = token;
  }
  if (Array.isArray(json.added_tokens)) {
    for (const t of json.added_tokens) if (isRecord(t) && typeof t.id === 'number' && typeof t.content === 'string') out[t.id] = t.content;
  }
  return out;
}

const merges = (json: TokenizerJSON): string[] => {
  const m = isRecord(json.model) && Array.isArray(json.model.merges) ? json.model.merges : [];
  return m.map((x) => (Array.isArray(x) ? x.join(' ') : String(x)));
};

/** Empty when both tokenizers give the same ids (same fingerprint); otherwise each difference found, first ones first. */
export function tokenizerDifferences(actual: Tokenizer, expected: Tokenizer): string[] {
  if (tokenizerFingerprint(actual) === tokenizerFingerprint(expected)) return [];
  const out: string[] = [];
  const a = actual.toJSON(), e = expected.toJSON();
  const typeOf = (j: TokenizerJSON) => (isRecord(j.model) ? String(j.model.type ?? 'unknown') : 'none');
  if (typeOf(a) !== typeOf(e)) out.push(`model type ${typeOf(a)} vs ${typeOf(e)}`);
  if (actual.vocabSize !== expected.vocabSize) out.push(`vocabulary of ${actual.vocabSize} vs ${expected.vocabSize} tokens`);
  if (actual.bosId !== expected.bosId) out.push(`BOS id ${actual.bosId} vs ${expected.bosId}`);
  if (actual.eosId !== expected.eosId) out.push(`EOS id ${actual.eosId} vs ${expected.eosId}`);
  const ta = tokensById(a), te = tokensById(e);
  const n = Math.min(ta.length, te.length);
  for (let id = 0; id < n; id++) {
    if (ta[id] !== te[id]) { out.push(`token ${id} is ${JSON.stringify(ta[id] ?? null)} vs ${JSON.stringify(te[id] ?? null)}`); break; }
  }
  const ma = merges(a), me = merges(e);
  if (ma.length !== me.length) out.push(`${ma.length} vs ${me.length} merges`);
  else {
    const k = ma.findIndex((m, i) => m !== me[i]);
    if (k >= 0) out.push(`merge ${k} is "${ma[k]}" vs "${me[k]}"`);
  }
  // Same tokens and merges but another fingerprint: an option of the model part (byte_fallback, unk...) differs.
  if (out.length === 0) out.push(`model options differ (fingerprint ${tokenizerFingerprint(actual)} vs ${tokenizerFingerprint(expected)})`);
  return out;
}
