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
import { BpeMerger } from './bpe-merge';
import { type AddedToken, type BpeSpec, type ByteLevelRules, type MetaspaceRules, METASPACE } from './bpe-spec';
import { BYTE_TO_CHAR, CHAR_TO_BYTE, utf8Encode } from './byte-alphabet';
import { MergeTable } from './merge-table';
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
  private readonly merger: BpeMerger;
  /** Added tokens by content, and by normalized content for `normalized` ones (Hugging Face's lookup). */
  private readonly added = new Map<string, AddedToken>();
  private readonly rawPattern: RegExp | null;
  private readonly normalizedPattern: RegExp | null;
  private readonly anyStrip: boolean;
  private readonly normalizer: ((s: string) => string) | null;
  /** Single-character tokens: BMP by UTF-16 code, the rest by code point. */
  private readonly bmpCharId = new Int32Array(65536).fill(-1);
  private readonly astralCharId = new Map<number, number>();
  /** Byte-level: the id of each byte's alphabet character. Byte fallback: the id of '<0xXX>'. */
  private readonly byteCharId = new Int32Array(256).fill(-1);
  private readonly byteTokenId = new Int32Array(256).fill(-1);
  private readonly unkId: number;
  /** Ids Hugging Face reports differently from the vocab (a vocab string equal to a normalized added token). */
  private readonly remap: Int32Array | null;
  private readonly special: Uint8Array;
  private readonly addedPlain: Uint8Array;
  /** SentencePiece family: whether a text may be cut before each '▁' that follows another character. */
  private readonly cutAtMetaspace: boolean;
  private readonly cache = new WordCache();
  /** Byte-level: the split regex in sticky form, so pieces can be found without building match arrays. */
  private readonly sticky: RegExp | null;
  private symbols = new Int32Array(1024);
  private bytes = new Uint8Array(1024);
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

    let remap: Int32Array | null = null;
    for (const [key, tok] of this.added) {
      const id = spec.tokenToId.get(key);
      if (id !== undefined && id !== tok.id) {
        remap ??= Int32Array.from({ length: size }, (_, i) => i);
        remap[id] = tok.id;
      }
    }
    this.remap = remap;

    this.special = new Uint8Array(size);
    this.addedPlain = new Uint8Array(size);
    for (const t of spec.addedTokens) {
      if (t.special) this.special[t.id] = 1;
      else this.addedPlain[t.id] = 1;
    }

    for (const [tok, id] of spec.tokenToId) {
      if (tok.length === 1) this.bmpCharId[tok.charCodeAt(0)] = id;
      else if (tok.length === 2 && tok.codePointAt(0)! > 0xffff) this.astralCharId.set(tok.codePointAt(0)!, id);
    }
    for (let b = 0; b < 256; b++) {
      this.byteCharId[b] = spec.tokenToId.get(BYTE_TO_CHAR[b]) ?? -1;
      this.byteTokenId[b] = spec.tokenToId.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`) ?? -1;
    }
    this.unkId = spec.unkToken === null ? -1 : (this.added.get(spec.unkToken)?.id ?? spec.tokenToId.get(spec.unkToken) ?? -1);

    const count = spec.merges.length / 2;
    const mergedIds = new Int32Array(count);
    let crossesMetaspace = false;
    for (let k = 0; k < count; k++) {
      const s = spec.idToToken[spec.merges[2 * k]]! + spec.idToToken[spec.merges[2 * k + 1]]!;
      const id = spec.tokenToId.get(s);
      if (id === undefined) throw new Error(`merge ${k} makes "${s}", which is not in the vocabulary`);
      mergedIds[k] = id;
      if (!crossesMetaspace && /[^\u2581]\u2581/u.test(s)) crossesMetaspace = true;
    }
    this.cutAtMetaspace = spec.rules.kind === 'metaspace' && !crossesMetaspace;
    this.merger = new BpeMerger(new MergeTable(spec.merges, mergedIds));
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
    const rules = this.spec.rules;
    const names = this.spec.idToToken;
    let bytes = new Uint8Array(Math.max(64, ids.length * 8));
    let n = 0;
    const parts: string[] = [];
    const flush = () => {
      if (n > 0) parts.push(utf8Decoder.decode(bytes.subarray(0, n)));
      n = 0;
    };
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      const tok = names[id];
      if (tok === undefined || this.special[id] === 1) continue;
      if (rules.kind === 'byte-level' && this.addedPlain[id] === 1) {
        // The ByteLevel decoder passes added tokens through as text instead of reading them as bytes.
        flush();
        parts.push(tok);
        continue;
      }
      if (bytes.length - n < tok.length * 3 + 4) {
        const grown = new Uint8Array((bytes.length + tok.length * 3) * 2);
        grown.set(bytes.subarray(0, n));
        bytes = grown;
      }
      if (rules.kind === 'metaspace') {
        const fallbackByte = this.byteFallbackValue(id, tok);
        if (fallbackByte >= 0) {
          bytes[n++] = fallbackByte;
          continue;
        }
        const [enc, len] = utf8Encode(tok.replaceAll(METASPACE, ' '), this.bytes);
        this.bytes = enc;
        bytes.set(enc.subarray(0, len), n);
        n += len;
      } else {
        for (let i = 0; i < tok.length; i++) {
          const c = tok.charCodeAt(i);
          const b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
          if (b >= 0) {
            bytes[n++] = b;
          } else {
            // Not a byte-alphabet character (only in hand-made vocabularies): keep it as UTF-8 text.
            const ch = String.fromCodePoint(tok.codePointAt(i)!);
            i += ch.length - 1;
            const [enc, len] = utf8Encode(ch, this.bytes);
            this.bytes = enc;
            bytes.set(enc.subarray(0, len), n);
            n += len;
          }
        }
      }
    }
    flush();
    const text = parts.join('');
    // The SentencePiece decoders drop the one space that the '▁' put in front of the text stands for.
    return rules.kind === 'metaspace' && prependsMetaspace(rules) && text.startsWith(' ') ? text.slice(1) : text;
  }

  toJSON(): TokenizerJSON {
    return this.makeJSON();
  }

  private byteFallbackValue(id: number, tok: string): number {
    if (tok.length !== 6 || !tok.startsWith('<0x') || tok[5] !== '>') return -1;
    const v = parseInt(tok.slice(3, 5), 16);
    return Number.isNaN(v) || this.byteTokenId[v] !== id ? -1 : v;
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
          const ids = this.metaspaceWordIds(word);
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
        const ids = this.byteLevelWordIds(word);
        if (end - pos <= MAX_CACHED_WORD) cache.set(word, h, ids);
        for (let k = 0; k < ids.length; k++) out.push(ids[k]);
      }
      pos = end;
    }
    return true;
  }

  /** ignore_merges: a word that is itself a token is emitted whole. */
  private emitWhole(word: string, out: number[]): boolean {
    const id = this.spec.tokenToId.get(word);
    if (id === undefined) return false;
    out.push(this.remap === null ? id : this.remap[id]);
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
    if (byteLevel && this.spec.ignoreMerges) {
      const [b, len] = utf8Encode(word, this.bytes);
      this.bytes = b;
      let mapped = '';
      for (let i = 0; i < len; i++) mapped += BYTE_TO_CHAR[b[i]];
      if (this.emitWhole(mapped, out)) return;
    }
    const ids = byteLevel ? this.byteLevelWordIds(word) : this.metaspaceWordIds(word);
    if (cacheable) this.cache.set(word, h, ids);
    for (let i = 0; i < ids.length; i++) out.push(ids[i]);
  }

  /** Symbols of a SentencePiece-style word: one per code point, -(code point + 1) when not in the vocabulary. */
  private metaspaceWordIds(word: string): Int32Array {
    if (this.symbols.length < word.length) this.symbols = new Int32Array(word.length * 2);
    const sym = this.symbols;
    let n = 0;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < word.length) {
        const d = word.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          sym[n++] = this.astralCharId.get(cp) ?? -(cp + 1);
          i++;
          continue;
        }
      }
      const id = this.bmpCharId[c];
      sym[n++] = id >= 0 ? id : -(c + 1);
    }
    return this.finishWord(n);
  }

  /** Symbols of a byte-level word: one per UTF-8 byte, shown as its alphabet character. */
  private byteLevelWordIds(word: string): Int32Array {
    const [b, len] = utf8Encode(word, this.bytes);
    this.bytes = b;
    if (this.symbols.length < len) this.symbols = new Int32Array(len * 2);
    const sym = this.symbols;
    for (let i = 0; i < len; i++) {
      const id = this.byteCharId[b[i]];
      sym[i] = id >= 0 ? id : -(BYTE_TO_CHAR[b[i]].charCodeAt(0) + 1);
    }
    return this.finishWord(len);
  }

  /** Runs the merges over symbols[0..n) and resolves what is left to final ids (byte fallback, unk). */
  private finishWord(n: number): Int32Array {
    const sym = this.symbols;
    // Unknown symbols (negative) never merge, so one pass over the whole word is the same as one per known run.
    n = this.merger.merge(sym, n);
    let unknown = 0;
    for (let i = 0; i < n; i++) if (sym[i] < 0) unknown++;
    const remap = this.remap;
    if (unknown === 0) {
      const ids = sym.slice(0, n);
      if (remap !== null) for (let i = 0; i < n; i++) ids[i] = remap[ids[i]];
      return ids;
    }
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = sym[i];
      if (s >= 0) ids.push(remap === null ? s : remap[s]);
      else this.fallback(String.fromCodePoint(-s - 1), ids);
    }
    return Int32Array.from(ids);
  }

  /** A character the vocabulary lacks: its UTF-8 bytes as '<0xXX>' tokens, else unk, else nothing. */
  private fallback(ch: string, ids: number[]): void {
    if (this.spec.byteFallback) {
      const [b, len] = utf8Encode(ch, new Uint8Array(8));
      let ok = true;
      for (let i = 0; i < len; i++) if (this.byteTokenId[b[i]] < 0) ok = false;
      if (ok) {
        for (let i = 0; i < len; i++) ids.push(this.byteTokenId[b[i]]);
        return;
      }
    }
    if (this.unkId >= 0) ids.push(this.unkId);
  }
}

const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function prependsMetaspace(r: MetaspaceRules): boolean {
  return r.normalizer === 'prepend-replace' || r.metaspace === 'always' || r.metaspace === 'first';
}
