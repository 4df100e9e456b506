// The per-record half of pass 1: everything a record's fate needs that depends on its own text alone (links,
// PII, quality, language, the exact-duplicate key, the MinHash signature, the length split and each piece's
// decontamination check). It runs in the pool's workers, or in-process with no workers; clean-pass.ts then
// makes the decisions that depend on other records (exact and near duplicates) in input order and replays
// the counts into the report, so the output is the same whoever computed the analysis.
// Pieces and their decontamination are computed even for records that dedup will then remove: wasted work
// on duplicates only, and it keeps the main thread free of per-record text work.
import { checkContamination, type Contamination } from './decontam/decontaminate';
import type { BenchmarkIndex } from './decontam/ngram-index';
import { exactKey } from './dedup/exact';
import { wordHashes } from './dedup/hash';
import { MinHasher } from './dedup/minhash';
import { excerpt, Measured, type RuleName } from './report';
import type { RuleOptions } from './rules/defaults';
import { checkLanguage } from './rules/language';
import { splitByLength } from './rules/length';
import { removeLinks } from './rules/links';
import { maskPii } from './rules/pii';
import { checkQuality } from './rules/quality';
import { normalizedWords } from './words';

/** A text's measures without the text (see report.ts Measured). */
export interface Sized {
  chars: number;
  estTokens: number;
}

/** A piece the length cap left (the whole record when it was not split). */
export interface AnalyzedPiece {
  /** The piece's text; null when the record was not split (the piece is the record's cleaned text). */
  text: string | null;
  size: Sized;
  /** What decontamination found; null when clean or when decontamination is off. */
  hit: Contamination | null;
}

export interface RecordAnalysis {
  read: Sized;
  /** Links removed (0: the text went through unchanged) and the measures after. */
  links: number;
  afterLinks: Sized;
  /** PII matches by kind in maskPii's order (empty: none); the measures after masking. */
  pii: [string, number][];
  afterPii: Sized;
  /** The rule that removed the record before dedup: its reason, the excerpt of the text it saw (what the
   *  report's example keeps) and, for language, the language detected. Null when it reached dedup. */
  removed: { rule: RuleName; reason: string; excerpt: string; language?: string } | null;
  /** The cleaned text when links or PII changed it; null when it equals the text read. */
  text: string | null;
  /** Exact-duplicate key of the normalized words (dedup/exact.ts). */
  exactKey: number;
  /** The record's MinHash signature sits at signatures[signature * numPerm]; -1 when near-dedup is off or the record was removed. */
  signature: number;
  pieces: AnalyzedPiece[];
}

/** A chunk's analyses with their signatures in one array, so a worker transfers it instead of copying 128 small ones. */
export interface AnalyzedChunk {
  records: RecordAnalysis[];
  signatures: Uint32Array;
}

/** What a record's analysis needs besides its text: the rules, the MinHash permutations and the benchmark index. */
export class RecordAnalyzer {
  private readonly minhash: MinHasher;
  private readonly bpt: number;

  constructor(private readonly rules: RuleOptions, private readonly benchmarks: BenchmarkIndex | null) {
    this.minhash = new MinHasher(rules.nearDedup.numPerm, rules.nearDedup.shingleWords);
    this.bpt = rules.length.bytesPerToken;
  }

  /** Texts with their length class (`short[i]` is 1 for the short cap). */
  chunk(texts: readonly string[], short: Uint8Array): AnalyzedChunk {
    const sigs: Uint32Array[] = [];
    const records = texts.map((t, i) => this.record(t, short[i] === 1, sigs));
    const numPerm = this.rules.nearDedup.numPerm;
    const signatures = new Uint32Array(sigs.length * numPerm);
    sigs.forEach((s, i) => signatures.set(s, i * numPerm));
    return { records, signatures };
  }

  private record(raw: string, short: boolean, sigs: Uint32Array[]): RecordAnalysis {
    const rules = this.rules;
    let m = new Measured(raw, this.bpt);
    const read = sized(m);
    const out: RecordAnalysis = {
      read, links: 0, afterLinks: read, pii: [], afterPii: read, removed: null, text: null, exactKey: 0, signature: -1, pieces: [],
    };
    const remove = (rule: RuleName, reason: string, language?: string) => {
      out.removed = { rule, reason, excerpt: excerpt(m.text, rules.report.exampleChars), language };
      return out;
    };

    if (rules.links.enabled) {
      const r = removeLinks(m.text);
      if (r.removed > 0) { m = new Measured(r.text, this.bpt); out.links = r.removed; out.afterLinks = sized(m); }
    }
    out.afterPii = out.afterLinks;
    if (rules.pii.enabled) {
      const r = maskPii(m.text, rules.pii);
      if (r.total > 0) {
        out.pii = Object.entries(r.counts).filter(([, n]) => n > 0);
        if (rules.pii.mode === 'drop') return remove('pii', `contains ${out.pii.map(([k]) => k).join(', ')}`);
        m = new Measured(r.text, this.bpt);
        out.afterPii = sized(m);
      }
    }
    const failure = rules.quality.enabled ? checkQuality(m.text, rules.quality) : null;
    if (failure) return remove(failure.rule, failure.reason);
    if (rules.language.enabled) {
      const lang = checkLanguage(m.text, rules.language);
      if (!lang.keep) return remove('language', `detected language: ${lang.lang}`, lang.lang);
    }

    if (m.text !== raw) out.text = m.text;
    const hashes = wordHashes(normalizedWords(m.text));
    out.exactKey = exactKey(hashes);
    if (rules.nearDedup.enabled) { out.signature = sigs.length; sigs.push(this.minhash.signature(hashes)); }

    const cap = short ? rules.length.shortMaxTokens : rules.length.longMaxTokens;
    const texts = rules.length.enabled && m.estTokens > cap ? splitByLength(m.text, cap, this.bpt) : [m.text];
    const split = texts.length > 1;
    for (const text of texts) {
      const pm = split ? new Measured(text, this.bpt) : m;
      let hit: Contamination | null = null;
      if (rules.decontam.enabled && this.benchmarks) {
        const ph = split ? wordHashes(normalizedWords(text)) : hashes;
        hit = checkContamination(ph, pm.estTokens, this.benchmarks, rules.decontam, rules.length);
      }
      out.pieces.push({ text: split ? text : null, size: sized(pm), hit });
    }
    return out;
  }
}

function sized(m: Measured): Sized {
  return { chars: m.chars, estTokens: m.estTokens };
}
