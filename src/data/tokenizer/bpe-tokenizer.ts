// Our fast BPE tokenizer for the two families Leveret builds and most tokenizer.json files use: SentencePiece-style
// (Mistral: '▁' for spaces, byte fallback) and GPT-2-style byte-level. It reproduces the pipeline of Hugging
// Face's tokenizers step by step (added tokens, normalizer, pre-tokenizer, BPE, byte fallback, fuse_unk) so the
// ids are the same, and is fast because:
//   - merges are looked up by integer id pairs in a hash table, never by building strings;
//   - each word's ids are cached (a word recurs thousands of times in a corpus), and looked up by its range in
//     the text with a hash taken while scanning, so a known word costs no allocation;
//   - a SentencePiece-style text, which the reference hands to BPE as one long word, is cut before every '▁'
//     that follows another character when no merge can cross such a cut (checked on the merges at load), so the
//     cache applies to it too; its normalized form (' ' -> '▁', a '▁' in front) is never built, only read.

import { addedTokenPattern, splitOnAddedTokens, stripAroundAddedTokens } from './added-tokens';
import { type DecodeTables, decodeBpe } from './bpe-decode';
import { type AddedToken, type BpeSpec, type ByteLevelRules, type MetaspaceRules, METASPACE } from './bpe-spec';
import { BpeWordEncoder } from './bpe-word-encoder';
import { GPT2_BYTE_LEVEL_REGEX, matchAll, splitIsolated } from './pretokenize';
import type { Tokenizer, TokenizerJSON } from './tokenizer';
import { HASH_START, hashStep, hashString, WordCache } from './word-cache';

/** Words longer than this are not cached (the reference library uses the same bound). */
const MAX_CACHED_WORD = 256;
const META = 0x2581;

export interface BpeTokenizerOptions {
  readonly name: string;
  readonly spec: BpeSpec;
  readonly bosId: number;
  readonly eosId: number;
  /** Produces the tokenizer.json this tokenizer implements (called by toJSON, so it may build it on demand). */
  readonly json: () => TokenizerJSON;
}

export class BpeTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;

  private readonly spec: BpeSpec;
  private readonly makeJSON: () => TokenizerJSON;
  private readonly words: BpeWordEncoder;
  private readonly decodeTables: DecodeTables;
  /** Added tokens by content, and by normalized content for `normalized` ones (Hugging Face's lookup). */
  private readonly added = new Map<string, AddedToken>();
  private readonly rawPattern: RegExp | null;
  private readonly normalizedPattern: RegExp | null;
  private readonly anyStrip: boolean;
  private readonly normalizer: ((s: string) => string) | null;
  private readonly unkId: number;
  /** SentencePiece family: whether a text may be cut before each '▁' that follows another character. */
  private readonly cutAtMetaspace: boolean;
  private readonly cache = new WordCache();
  /** Byte-level: the split regex in sticky form, so pieces can be found without building match arrays. */
  private readonly sticky: RegExp | null;
  private readonly pieces: string[] = [];

  constructor(opts: BpeTokenizerOptions) {
    const spec = opts.spec;
    this.name = opts.name;
    this.spec = spec;
    this.makeJSON = opts.json;
    this.bosId = opts.bosId;
    this.eosId = opts.eosId;
    let size = spec.idToToken.length;
    for (const t of spec.addedTokens) size = Math.max(size, t.id + 1);
    this.vocabSize = size;

    const normalizer = BpeTokenizer.normalizerOf(spec.rules);
    this.normalizer = normalizer;
    const raw: string[] = [];
    const normalized: string[] = [];
    for (const t of spec.addedTokens) {
      this.added.set(t.content, t);
      if (t.normalized && normalizer !== null) {
        const n = normalizer(t.content);
        normalized.push(n);
        this.added.set(n, t);
      } else {
        raw.push(t.content);
      }
    }
    this.rawPattern = addedTokenPattern(raw);
    this.normalizedPattern = addedTokenPattern(normalized);
    this.anyStrip = spec.addedTokens.some((t) => t.lstrip || t.rstrip);

    // Hugging Face reports a token by its added-token id when its string is an added token's normalized form.
    let remap: Int32Array | null = null;
    for (const [key, tok] of this.added) {
      const id = spec.tokenToId.get(key);
      if (id !== undefined && id !== tok.id) {
        remap ??= Int32Array.from({ length: size }, (_, i) => i);
        remap[id] = tok.id;
      }
    }
    this.unkId = spec.unkToken === null ? -1 : (this.added.get(spec.unkToken)?.id ?? spec.tokenToId.get(spec.unkToken) ?? -1);
    this.words = new BpeWordEncoder(spec, remap, this.unkId);
    this.cutAtMetaspace = spec.rules.kind === 'metaspace' && !this.words.crossesWordStarts;

    const special = new Uint8Array(size);
    const addedPlain = new Uint8Array(size);
    for (const t of spec.addedTokens) {
      if (t.special) special[t.id] = 1;
      else addedPlain[t.id] = 1;
    }
    this.decodeTables = { idToToken: spec.idToToken, rules: spec.rules, special, addedPlain, byteTokenId: this.words.byteTokenId };
    const r = spec.rules;
    const split = r.kind === 'byte-level' ? (r.split === 'gpt2' ? GPT2_BYTE_LEVEL_REGEX : r.split) : null;
    this.sticky = split === null ? null : new RegExp(split.source, split.flags.replace('g', '') + 'y');
  }

  encode(text: string): number[] {
    const out: number[] = [];
    const sections = splitOnAddedTokens(text, this.rawPattern);
    if (this.anyStrip) stripAroundAddedTokens(sections, this.added);
    for (let i = 0; i < sections.length; i++) {
      const section = sections[i];
      if (section.length === 0) continue;
      const tok = this.added.get(section);
      if (tok !== undefined) {
        out.push(tok.id);
        continue;
      }
      if (this.normalizedPattern === null) {
        this.encodeText(section, false, i, out);
        continue;
      }
      // Normalized added tokens exist only when there is a normalizer.
      const norm = this.normalizer!(section);
      if (norm.length === 0) continue;
      const subs = splitOnAddedTokens(norm, this.normalizedPattern);
      if (this.anyStrip) stripAroundAddedTokens(subs, this.added);
      for (const sub of subs) {
        if (sub.length === 0) continue;
        const t = this.added.get(sub);
        if (t !== undefined) out.push(t.id);
        else this.encodeText(sub, true, i, out);
      }
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    return decodeBpe(ids, this.decodeTables);
  }

  toJSON(): TokenizerJSON {
    return this.makeJSON();
  }

  /** The normalizer of the rules as a function, or null when there is none. */
  private static normalizerOf(r: MetaspaceRules | ByteLevelRules): ((s: string) => string) | null {
    if (r.kind === 'metaspace') {
      if (r.normalizer === 'prepend-replace') return (s) => METASPACE + s.replaceAll(' ', METASPACE);
      if (r.normalizer === 'replace') return (s) => s.replaceAll(' ', METASPACE);
      return null;
    }
    const form = r.normalizer;
    return form === null ? null : (s) => s.normalize(form);
  }

  /**
   * Normalizes (unless already done), pre-tokenizes and encodes one stretch of text with no added tokens in it,
   * appending to out.
   */
  private encodeText(text: string, normalized: boolean, sectionIndex: number, out: number[]): void {
    const start = out.length;
    const rules = this.spec.rules;
    if (rules.kind === 'metaspace') this.encodeMetaspaceText(text, normalized, rules, sectionIndex, out);
    else this.encodeByteLevelText(normalized || rules.normalizer === null ? text : text.normalize(rules.normalizer), rules, out);
    // fuse_unk: a run of unknown tokens becomes one.
    if (this.spec.fuseUnk && this.unkId >= 0) {
      let w = start;
      for (let r = start; r < out.length; r++) {
        if (out[r] === this.unkId && w > start && out[w - 1] === this.unkId) continue;
        out[w++] = out[r];
      }
      out.length = w;
    }
  }

  /**
   * The SentencePiece word is text with ' ' as '▁', after one '▁' when the normalizer prepends it or the
   * Metaspace pre-tokenizer does (its scheme allows it and the text does not already start with '▁').
   */
  private encodeMetaspaceText(text: string, normalized: boolean, rules: MetaspaceRules, sectionIndex: number, out: number[]): void {
    let prefix = false;
    if (!normalized) {
      if (rules.normalizer === 'prepend-replace') {
        prefix = true;
      } else if (rules.metaspace !== null) {
        const first = text.charCodeAt(0);
        const allowed = rules.metaspace === 'always' || (rules.metaspace === 'first' && sectionIndex === 0);
        prefix = allowed && first !== 32 && first !== META;
      }
    }
    if (this.cutAtMetaspace && !this.spec.ignoreMerges) {
      this.encodeMetaspaceWords(text, prefix, out);
      return;
    }
    const word = (prefix ? METASPACE : '') + text.replaceAll(' ', METASPACE);
    if (this.spec.ignoreMerges && this.emitWhole(word, out)) return;
    if (!this.cutAtMetaspace) {
      this.encodeWord(word, out, false);
      return;
    }
    let from = 0;
    for (let i = 1; i < word.length; i++) {
      if (word.charCodeAt(i) === META && word.charCodeAt(i - 1) !== META) {
        this.encodeWord(word.slice(from, i), out, false);
        from = i;
      }
    }
    this.encodeWord(from === 0 ? word : word.slice(from), out, false);
  }

  /**
   * Cuts the (virtual) SentencePiece word before each '▁' that follows another character and encodes the parts,
   * hashing each part as it is scanned and building its string only the first time it is seen.
   */
  private encodeMetaspaceWords(text: string, prefix: boolean, out: number[]): void {
    let from = 0;
    let withPrefix = prefix;
    let h = prefix ? hashStep(HASH_START, META) : HASH_START;
    let prevMeta = prefix;
    const n = text.length;
    for (let i = 0; i <= n; i++) {
      let c = i < n ? text.charCodeAt(i) : META;
      if (c === 32) c = META;
      const isMeta = c === META;
      if ((isMeta && !prevMeta && i > 0) || i === n) {
        const len = i - from + (withPrefix ? 1 : 0);
        const hit = len <= MAX_CACHED_WORD ? this.cache.getMetaspace(text, from, i, withPrefix, h) : undefined;
        if (hit !== undefined) {
          for (let k = 0; k < hit.length; k++) out.push(hit[k]);
        } else {
          const word = (withPrefix ? METASPACE : '') + text.slice(from, i).replaceAll(' ', METASPACE);
          const ids = this.words.metaspaceWord(word);
          if (len <= MAX_CACHED_WORD) this.cache.set(word, h, ids);
          for (let k = 0; k < ids.length; k++) out.push(ids[k]);
        }
        from = i;
        withPrefix = false;
        h = HASH_START;
      }
      h = hashStep(h, c);
      prevMeta = isMeta;
    }
  }

  private encodeByteLevelText(text: string, rules: ByteLevelRules, out: number[]): void {
    const gpt2 = rules.split === 'gpt2';
    if (gpt2 && rules.addPrefixSpace && !text.startsWith(' ')) text = ' ' + text;
    if (this.sticky !== null && !this.spec.ignoreMerges && (gpt2 || !rules.addPrefixSpace)) {
      const start = out.length;
      if (this.encodeByteLevelPieces(text, out)) return;
      out.length = start; // the regex left a gap: redo the text the general way
    }
    const pieces = this.pieces;
    pieces.length = 0;
    if (gpt2) matchAll(text, GPT2_BYTE_LEVEL_REGEX, pieces);
    else if (rules.split === null) pieces.push(text);
    else splitIsolated(text, rules.split, pieces);
    const prefix = rules.addPrefixSpace && !gpt2;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      this.encodeWord(prefix && !p.startsWith(' ') ? ' ' + p : p, out, true);
    }
  }

  /**
   * Steps the sticky regex through the text piece by piece (test() builds no match array) and encodes each
   * piece from the cache by its range. Returns false if some position starts no match, which the regexes we
   * know never do; the caller then takes the general path, which handles gaps.
   */
  private encodeByteLevelPieces(text: string, out: number[]): boolean {
    const re = this.sticky!;
    const cache = this.cache;
    let pos = 0;
    while (pos < text.length) {
      re.lastIndex = pos;
      if (!re.test(text)) return false;
      const end = re.lastIndex;
      if (end === pos) return false;
      let h = HASH_START;
      for (let i = pos; i < end; i++) h = hashStep(h, text.charCodeAt(i));
      const hit = end - pos <= MAX_CACHED_WORD ? cache.get(text, pos, end, h) : undefined;
      if (hit !== undefined) {
        for (let k = 0; k < hit.length; k++) out.push(hit[k]);
      } else {
        const word = text.slice(pos, end);
        const ids = this.words.byteLevelWord(word);
        if (end - pos <= MAX_CACHED_WORD) cache.set(word, h, ids);
        for (let k = 0; k < ids.length; k++) out.push(ids[k]);
      }
      pos = end;
    }
    return true;
  }

  /** ignore_merges: a word that is itself a token is emitted whole. */
  private emitWhole(word: string, out: number[]): boolean {
    const id = this.words.wholeWordId(word);
    if (id === undefined) return false;
    out.push(id);
    return true;
  }

  /** Appends the ids of one word (cached), byte-level or SentencePiece-style. */
  private encodeWord(word: string, out: number[], byteLevel: boolean): void {
    if (word.length === 0) return;
    const cacheable = word.length <= MAX_CACHED_WORD;
    const h = cacheable ? hashString(word) : 0;
    if (cacheable) {
      const hit = this.cache.get(word, 0, word.length, h);
      if (hit !== undefined) {
        for (let i = 0; i < hit.length; i++) out.push(hit[i]);
        return;
      }
    }
    if (byteLevel && this.spec.ignoreMerges && this.emitWhole(this.words.byteLevelSpelling(word), out)) return;
    const ids = byteLevel ? this.words.byteLevelWord(word) : this.words.metaspaceWord(word);
    if (cacheable) this.cache.set(word, h, ids);
    for (let i = 0; i < ids.length; i++) out.push(ids[i]);
  }
}
