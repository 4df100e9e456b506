// The tokenizer inside a GGUF file, from the model's tokenizer.json, in the two vocabulary families llama.cpp
// and Leveret share:
//   "llama" (llama.cpp's SentencePiece tokenizer, SPM): Mistral's and Llama 2's '▁' vocabularies with byte
//     fallback. SPM merges by token score, not by a merge list: it repeatedly joins the adjacent pair whose
//     concatenation is a token with the highest score. A token's score here is minus the rank of the first
//     merge that makes it, so SPM picks the merge tokenizer.json's BPE would pick. (For vocabularies
//     converted from a SentencePiece model the merge list holds every pair whose concatenation is a token,
//     ranked by that token, which is what makes the two procedures agree.)
//   "gpt2" (llama.cpp's BPE tokenizer): byte-level vocabularies with their merges as "left right" strings.
//     The pre-tokenizer is named, not stored: llama.cpp's "gpt-2" is GPT-2's regex. Leveret's trainer uses GPT-2's regex
//     with one digit per piece (pretokenize.ts); that gives the same tokens under "gpt-2" for ASCII digits,
//     because the trainer never sees two digits in one piece and so learns no merge that joins a digit to
//     anything but the space before it. (A learned merge across the UTF-8 bytes of two non-ASCII digits is
//     the one case where the two could differ.)
// Token types are llama.cpp's: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
import { checkTokenizerJSON } from '../data/tokenizer/tokenizer-json-check';
import { fastBpeSpec } from '../data/tokenizer/tokenizer-json-reader';
import { TRAINER_SPLIT_PATTERN } from '../data/tokenizer/pretokenize';
import type { BpeSpec } from '../data/tokenizer/bpe-spec';
import type { TokenizerJSON } from '../data/tokenizer/tokenizer';
import { bool, str, u32, type GGUFValue } from './gguf-writer';

export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export class GGUFTokenizerError extends Error {}

export interface GGUFTokenizerInput {
  readonly tokenizerJSON: TokenizerJSON;
  /** Rows of the embedding: a vocabulary padded past the tokenizer gets placeholder tokens up to it. */
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** tokenizer_config.json's chat_template, when the model has one. */
  readonly chatTemplate?: string;
}

const BYTE_TOKEN = /^<0x[0-9A-F]{2}>$/;

/** The tokenizer.ggml.* (and tokenizer.chat_template) entries. */
export function tokenizerMetadata(input: GGUFTokenizerInput): [string, GGUFValue][] {
  let spec: BpeSpec | null;
  try {
    spec = fastBpeSpec(checkTokenizerJSON(input.tokenizerJSON));
  } catch (e) {
    throw new GGUFTokenizerError(`tokenizer.json: ${(e as Error).message}`);
  }
  if (spec === null) {
    throw new GGUFTokenizerError('tokenizer.json: GGUF export handles BPE tokenizers of the SentencePiece (▁, byte fallback) ' +
      'and byte-level families; this one is neither');
  }
  const V = input.vocabSize;
  if (spec.idToToken.length > V) {
    throw new GGUFTokenizerError(`tokenizer.json defines ${spec.idToToken.length} tokens, more than the model's ${V} embedding rows`);
  }
  const tokens: string[] = new Array<string>(V);
  const types = new Int32Array(V);
  const added = new Map(spec.addedTokens.map((t) => [t.id, t]));
  for (let id = 0; id < V; id++) {
    const t = spec.idToToken[id];
    // llama.cpp needs one token per embedding row; the converter pads with "[PAD{id}]" marked unused.
    tokens[id] = t ?? `[PAD${id}]`;
    const a = added.get(id);
    types[id] = t === undefined ? TokenType.UNUSED
      : t === spec.unkToken ? TokenType.UNKNOWN
      : a ? (a.special ? TokenType.CONTROL : TokenType.USER_DEFINED)
      : spec.rules.kind === 'metaspace' && spec.byteFallback && BYTE_TOKEN.test(t) ? TokenType.BYTE
      : TokenType.NORMAL;
  }
  const out: [string, GGUFValue][] = spec.rules.kind === 'metaspace' ? spmEntries(spec, tokens, types) : bpeEntries(spec, input.tokenizerJSON, tokens, types);
  const unk = spec.unkToken === null ? undefined : spec.tokenToId.get(spec.unkToken);
  out.push(
    ['tokenizer.ggml.bos_token_id', u32(input.bosId)],
    ['tokenizer.ggml.eos_token_id', u32(input.eosId)],
    ...(unk === undefined ? [] : [['tokenizer.ggml.unknown_token_id', u32(unk)] as [string, GGUFValue]]),
    // Leveret prompts and tokenizer_config.json say BOS + text, no EOS (tokenizer.json's post-processor).
    ['tokenizer.ggml.add_bos_token', bool(true)],
    ['tokenizer.ggml.add_eos_token', bool(false)],
  );
  if (input.chatTemplate !== undefined) out.push(['tokenizer.chat_template', str(input.chatTemplate)]);
  return out;
}

function spmEntries(spec: BpeSpec, tokens: string[], types: Int32Array): [string, GGUFValue][] {
  if (spec.rules.kind !== 'metaspace') throw new Error('unreachable');
  const scores = new Float32Array(tokens.length);
  const seen = new Uint8Array(tokens.length);
  for (let rank = 0; rank < spec.merges.length / 2; rank++) {
    const made = spec.tokenToId.get(`${spec.idToToken[spec.merges[2 * rank]]}${spec.idToToken[spec.merges[2 * rank + 1]]}`);
    if (made !== undefined && !seen[made]) { seen[made] = 1; scores[made] = -rank; }
  }
  // Tokens no merge makes (single characters, bytes, specials) are never a merge result: their score is unused.
  // llama.cpp puts '▁' in front of the text when add_space_prefix is set, as the Prepend normalizer or a
  // Metaspace pre-tokenizer with prepend_scheme always/first does.
  const { normalizer, metaspace } = spec.rules;
  const prefix = normalizer === 'prepend-replace' || metaspace === 'always' || metaspace === 'first';
  return [
    ['tokenizer.ggml.model', str('llama')],
    ['tokenizer.ggml.pre', str('default')],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: scores }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    ['tokenizer.ggml.add_space_prefix', bool(prefix)],
  ];
}

function bpeEntries(spec: BpeSpec, json: TokenizerJSON, tokens: string[], types: Int32Array): [string, GGUFValue][] {
  if (spec.rules.kind !== 'byte-level') throw new Error('unreachable');
  const { split, normalizer, addPrefixSpace } = spec.rules;
  const pattern = splitPattern(json);
  const gpt2 = split === 'gpt2' || (split instanceof RegExp && pattern === TRAINER_SPLIT_PATTERN);
  if (!gpt2 || normalizer !== null || addPrefixSpace) {
    throw new GGUFTokenizerError(`tokenizer.json: a byte-level tokenizer exports to GGUF when it splits with GPT-2's regex or ` +
      `Leveret's trainer regex, without a normalizer or add_prefix_space (llama.cpp names its pre-tokenizers; ${describe(split, normalizer, addPrefixSpace)})`);
  }
  const merges: string[] = new Array<string>(spec.merges.length / 2);
  for (let k = 0; k < merges.length; k++) merges[k] = `${spec.idToToken[spec.merges[2 * k]]} ${spec.idToToken[spec.merges[2 * k + 1]]}`;
  return [
    ['tokenizer.ggml.model', str('gpt2')],
    ['tokenizer.ggml.pre', str('gpt-2')],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    ['tokenizer.ggml.merges', { type: 'string[]', value: merges }],
  ];
}

/** The Split pre-tokenizer's Regex string, as written in the file. */
function splitPattern(json: TokenizerJSON): string | undefined {
  const pre = json.pre_tokenizer as { type?: string; pretokenizers?: { type?: string; pattern?: { Regex?: string } }[] } | null;
  const split = pre?.type === 'Sequence' ? pre.pretokenizers?.find((p) => p.type === 'Split') : undefined;
  return split?.pattern?.Regex;
}

function describe(split: RegExp | 'gpt2' | null, normalizer: string | null, prefix: boolean): string {
  const parts = [split === null ? 'no split regex' : split === 'gpt2' ? "GPT-2's regex" : `split regex ${split.source}`];
  if (normalizer) parts.push(`normalizer ${normalizer}`);
  if (prefix) parts.push('add_prefix_space');
  return `this one has ${parts.join(', ')}`;
}
