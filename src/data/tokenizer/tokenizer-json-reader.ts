// Recognises the two BPE families our own tokenizer implements in a checked tokenizer.json and turns the file into
// a BpeSpec; anything else (WordPiece, Unigram, other normalizers or pre-tokenizers, BPE options we do not
// reproduce) gives null and is left to Hugging Face's own library.
//
//   SentencePiece-style BPE: normalizer Prepend('▁') + Replace(' ' -> '▁') (or Replace alone) with no
//     pre-tokenizer, or no normalizer with a Metaspace pre-tokenizer (replacement '▁', prepend_scheme always,
//     first or never, split false). Byte fallback, fuse_unk and unk as the model says.
//   Byte-level BPE: no normalizer or one Unicode form (NFC, NFD, NFKC, NFKD); a ByteLevel pre-tokenizer alone
//     (GPT-2's regex or none), or Split(Regex, Isolated) followed by ByteLevel(use_regex false).
// For a Split regex we take the JavaScript RegExp that @huggingface/tokenizers compiles from the Oniguruma
// pattern, so both implementations cut the text in the same places whatever the pattern.

import { SplitPreTokenizer } from '@huggingface/tokenizers';
import type { BpeSpec, ByteLevelRules, MetaspaceRules, UnicodeForm } from './bpe-spec';
import { METASPACE } from './bpe-spec';
import { type CheckedTokenizerJSON, mergeParts, TokenizerJSONError } from './tokenizer-json-check';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A Sequence's members, or the component itself as a one-item list; [] for null. */
function members(v: unknown, listField: string): Obj[] {
  if (!isObj(v)) return [];
  return v.type === 'Sequence' ? (v[listField] as Obj[]) : [v];
}

const isPrepend = (n: Obj) => n.type === 'Prepend' && n.prepend === METASPACE;
const isSpaceReplace = (n: Obj) =>
  n.type === 'Replace' && isObj(n.pattern) && n.pattern.String === ' ' && n.pattern.Regex === undefined && n.content === METASPACE;

function metaspaceRules(root: Obj): MetaspaceRules | null {
  const norms = members(root.normalizer, 'normalizers');
  let normalizer: MetaspaceRules['normalizer'];
  if (norms.length === 0) normalizer = null;
  else if (norms.length === 1 && isSpaceReplace(norms[0])) normalizer = 'replace';
  else if (norms.length === 2 && norms.some(isPrepend) && norms.some(isSpaceReplace)) normalizer = 'prepend-replace';
  else return null;

  const pre = members(root.pre_tokenizer, 'pretokenizers');
  let metaspace: MetaspaceRules['metaspace'] = null;
  if (pre.length === 1) {
    const p = pre[0];
    const scheme = p.prepend_scheme;
    // Without prepend_scheme (older files) the Rust and JS libraries disagree, and split: true is ignored by
    // the JS one; those files go to the wrapper so we never pick a side.
    if (p.type !== 'Metaspace' || p.replacement !== METASPACE || p.split === true) return null;
    if (p.str_rep !== undefined && p.str_rep !== METASPACE) return null;
    if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') return null;
    metaspace = scheme;
  } else if (pre.length > 1) {
    return null;
  }
  // Exactly one stage turns spaces into '▁'.
  if ((normalizer === null) === (metaspace === null)) return null;
  return { kind: 'metaspace', normalizer, metaspace };
}

function byteLevelRules(root: Obj): ByteLevelRules | null {
  const norms = members(root.normalizer, 'normalizers');
  let normalizer: UnicodeForm | null = null;
  if (norms.length === 1 && ['NFC', 'NFD', 'NFKC', 'NFKD'].includes(norms[0].type as string)) normalizer = norms[0].type as UnicodeForm;
  else if (norms.length !== 0) return null;

  const pre = members(root.pre_tokenizer, 'pretokenizers');
  const byteLevel = pre[pre.length - 1];
  if (byteLevel === undefined || byteLevel.type !== 'ByteLevel') return null;
  const addPrefixSpace = byteLevel.add_prefix_space === true;
  const useRegex = byteLevel.use_regex !== false;
  if (pre.length === 1) return { kind: 'byte-level', normalizer, split: useRegex ? 'gpt2' : null, addPrefixSpace };
  const split = pre[0];
  if (pre.length !== 2 || useRegex || split.type !== 'Split' || split.behavior !== 'Isolated' || split.invert === true) return null;
  if (!isObj(split.pattern) || typeof split.pattern.Regex !== 'string') return null;
  const compiled = compileSplit(split, split.pattern.Regex);
  if (compiled === null) return null;
  return { kind: 'byte-level', normalizer, split: compiled, addPrefixSpace };
}

/** The Split's pattern as the library compiles it; a pattern that does not compile is refused, named. */
function compileSplit(split: Obj, pattern: string): RegExp | null {
  try {
    const compiled = new SplitPreTokenizer(split as never).pattern;
    return compiled === null ? null : new RegExp(compiled.source, compiled.flags);
  } catch (e) {
    throw new TokenizerJSONError(`pre_tokenizer.pretokenizers[0].pattern.Regex ${JSON.stringify(pattern.slice(0, 200))} `
      + `is not a regular expression Leveret can compile (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The BpeSpec of a file in one of our two families, or null. */
export function fastBpeSpec(file: CheckedTokenizerJSON): BpeSpec | null {
  const { root, model } = file;
  // A model without an explicit type is read differently by the Rust and JS libraries: leave it to the wrapper.
  if (model.type !== 'BPE' || file.anySingleWord) return null;
  if (model.dropout !== undefined && model.dropout !== null && model.dropout !== 0) return null;
  if (model.continuing_subword_prefix || model.end_of_word_suffix || model.continuing_subword_suffix) return null;
  const rules = byteLevelRules(root) ?? metaspaceRules(root);
  if (rules === null) return null;

  const vocab = model.vocab as Record<string, number>;
  const tokenToId = new Map<string, number>(Object.entries(vocab));
  const idToToken: (string | undefined)[] = [];
  for (const [tok, id] of tokenToId) idToToken[id] = tok;
  for (const t of file.addedTokens) {
    // An added token that takes over the id of a different vocab string would change what merges spell; the
    // reference library merges by strings, so leave such files to it.
    if (idToToken[t.id] !== undefined && idToToken[t.id] !== t.content) return null;
    tokenToId.set(t.content, t.id);
    idToToken[t.id] = t.content;
  }
  const unkToken = typeof model.unk_token === 'string' ? model.unk_token : null;
  // An unk token missing from the vocabulary gives undefined ids in the reference library; leave it to it.
  if (unkToken !== null && !tokenToId.has(unkToken)) return null;

  const list = model.merges as unknown[];
  const merges = new Int32Array(list.length * 2);
  for (let i = 0; i < list.length; i++) {
    const [a, b] = mergeParts(list[i], i);
    merges[2 * i] = tokenToId.get(a)!;
    merges[2 * i + 1] = tokenToId.get(b)!;
  }
  return {
    tokenToId,
    idToToken,
    merges,
    unkToken,
    byteFallback: model.byte_fallback === true,
    fuseUnk: model.fuse_unk === true,
    ignoreMerges: model.ignore_merges === true,
    addedTokens: file.addedTokens,
    rules,
  };
}
