// One word in, final ids out: the vocabulary tables and the merges of a BpeSpec. A word is first cut into
// symbols (code points for the SentencePiece family, UTF-8 bytes shown as the byte alphabet for the byte-level
// one), merged, and what the vocabulary lacks becomes '<0xXX>' byte tokens (byte fallback), else <unk>, else
// nothing, as Hugging Face's BPE model does.

import { BpeMerger } from './bpe-merge';
import type { BpeSpec } from './bpe-spec';
import { BYTE_TO_CHAR, utf8Encode } from './byte-alphabet';
import { MergeTable } from './merge-table';

export class BpeWordEncoder {
  /** '<0xXX>' token id of each byte, or -1. */
  readonly byteTokenId = new Int32Array(256).fill(-1);
  /**
   * Whether some merge makes a token with '▁' right after another character. When none does, a SentencePiece
   * text can be cut before every such '▁' and the parts encoded alone with the same result.
   */
  readonly crossesWordStarts: boolean;
  private readonly merger: BpeMerger;
  /** Single-character tokens: BMP by UTF-16 code, the rest by code point. */
  private readonly bmpCharId = new Int32Array(65536).fill(-1);
  private readonly astralCharId = new Map<number, number>();
  /** The id of each byte's alphabet character. */
  private readonly byteCharId = new Int32Array(256).fill(-1);
  private symbols = new Int32Array(1024);
  private bytes = new Uint8Array(1024);

  /**
   * remap: ids to report in place of vocabulary ids (null: none); unkId: the id of unk_token, or -1 when unknown
   * characters are to be dropped.
   */
  constructor(
    private readonly spec: BpeSpec,
    private readonly remap: Int32Array | null,
    private readonly unkId: number,
  ) {
    for (const [tok, id] of spec.tokenToId) {
      if (tok.length === 1) this.bmpCharId[tok.charCodeAt(0)] = id;
      else if (tok.length === 2 && tok.codePointAt(0)! > 0xffff) this.astralCharId.set(tok.codePointAt(0)!, id);
    }
    for (let b = 0; b < 256; b++) {
      this.byteCharId[b] = spec.tokenToId.get(BYTE_TO_CHAR[b]) ?? -1;
      this.byteTokenId[b] = spec.tokenToId.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`) ?? -1;
    }
    const count = spec.merges.length / 2;
    const mergedIds = new Int32Array(count);
    let crosses = false;
    for (let k = 0; k < count; k++) {
      const s = spec.idToToken[spec.merges[2 * k]]! + spec.idToToken[spec.merges[2 * k + 1]]!;
      const id = spec.tokenToId.get(s);
      if (id === undefined) throw new Error(`merge ${k} makes "${s}", which is not in the vocabulary`);
      mergedIds[k] = id;
      if (!crosses && /[^\u2581]\u2581/u.test(s)) crosses = true;
    }
    this.crossesWordStarts = crosses;
    this.merger = new BpeMerger(new MergeTable(spec.merges, mergedIds));
  }

  /** The id of a word that is itself a token (ignore_merges), or undefined. */
  wholeWordId(word: string): number | undefined {
    const id = this.spec.tokenToId.get(word);
    return id === undefined || this.remap === null ? id : this.remap[id];
  }

  /** The byte-alphabet spelling of a word, as ignore_merges looks it up. */
  byteLevelSpelling(word: string): string {
    const [b, len] = utf8Encode(word, this.bytes);
    this.bytes = b;
    let mapped = '';
    for (let i = 0; i < len; i++) mapped += BYTE_TO_CHAR[b[i]];
    return mapped;
  }

  /** Ids of a SentencePiece-style word. Its symbols: one per code point, -(code point + 1) when not in the vocabulary. */
  metaspaceWord(word: string): Int32Array {
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

  /** Ids of a byte-level word. Its symbols: one per UTF-8 byte, shown as its alphabet character. */
  byteLevelWord(word: string): Int32Array {
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
