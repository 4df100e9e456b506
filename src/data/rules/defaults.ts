// Every rule's options, with HARE's defaults, in one place: the pipeline reads them, the CLI maps flags onto
// them and the page renders RULE_HELP next to each control. Each rule can be switched off with `enabled`.

export type PiiKind = 'email' | 'phone' | 'ip' | 'card';

export interface RuleOptions {
  read: {
    /** Longest line (or text document, or CSV record) read, in bytes; longer ones are skipped and reported. */
    maxRecordBytes: number;
  };
  links: {
    enabled: boolean;
  };
  pii: {
    enabled: boolean;
    /** 'mask' replaces each match with its placeholder; 'drop' removes the whole record. */
    mode: 'mask' | 'drop';
    kinds: Record<PiiKind, boolean>;
    placeholders: Record<PiiKind, string>;
    /** Treat a 13–19 digit run as a card number only when it passes the Luhn checksum. */
    cardLuhn: boolean;
  };
  quality: {
    enabled: boolean;
    /** Fewer words than this: too short to be a sample. */
    minWords: number;
    /** The text must end like a finished sentence (. ! ? … optionally inside quotes or brackets). */
    requireEndPunctuation: boolean;
    /** Most of a sample should be letters: above this share of digits and symbols (of non-space characters) it goes. */
    maxSymbolDigitRatio: number;
    /** Share of non-empty lines that repeat an earlier line of the same sample above which it goes. */
    maxRepeatedLineFraction: number;
  };
  language: {
    enabled: boolean;
    /** ISO 639-1 codes to keep. */
    keep: string[];
    /** Characters read from the start of the sample for detection (detection cost grows with length). */
    sampleChars: number;
    /** Samples with fewer letters than this are kept: language ID is unreliable on a few words. */
    minLetters: number;
  };
  length: {
    enabled: boolean;
    /** Cap for long samples (pretraining text), in estimated tokens; longer ones are split at paragraph breaks. */
    longMaxTokens: number;
    /** Cap for short samples (task data such as Q&A), and the boundary between "short" and "long" for decontamination. */
    shortMaxTokens: number;
    /** Token estimate before the tokenizer exists: UTF-8 bytes per token (about 4 for English BPE). */
    bytesPerToken: number;
  };
  exactDedup: {
    enabled: boolean;
  };
  nearDedup: {
    enabled: boolean;
    /** Words per shingle. */
    shingleWords: number;
    /** MinHash permutations (signature length). */
    numPerm: number;
    /** LSH bands × rows must not exceed numPerm. */
    bands: number;
    rows: number;
    /** Pairs at or above this shingle Jaccard similarity are duplicates; the later one is removed. */
    threshold: number;
  };
  decontam: {
    enabled: boolean;
    /** n-gram size (in words) range for short samples; the size grows with the sample's length. */
    shortN: [number, number];
    /** n-gram size range for long samples. */
    longN: [number, number];
    /** Remove a sample whose repetition rate against the benchmarks is above this. */
    maxRate: number;
    /** Strict mode: remove any sample sharing even one n-gram of size strictN with a benchmark sample. */
    strict: boolean;
    strictN: number;
  };
  report: {
    /** Removed-text examples kept per source and rule. */
    examplesPerRule: number;
    /** Characters kept of each example. */
    exampleChars: number;
    /** Decontamination removals listed one by one (the count is always exact). */
    maxDecontamPairs: number;
    /** Input problems listed one by one (counts by kind are always exact). */
    maxProblems: number;
  };
}

export const DEFAULT_RULES: RuleOptions = {
  read: { maxRecordBytes: 32 * 1024 * 1024 },
  links: { enabled: true },
  pii: {
    enabled: true,
    mode: 'mask',
    kinds: { email: true, phone: true, ip: true, card: true },
    placeholders: { email: '[EMAIL]', phone: '[PHONE]', ip: '[IP]', card: '[CARD]' },
    cardLuhn: true,
  },
  quality: { enabled: true, minWords: 8, requireEndPunctuation: true, maxSymbolDigitRatio: 0.3, maxRepeatedLineFraction: 0.3 },
  language: { enabled: true, keep: ['en'], sampleChars: 2000, minLetters: 40 },
  // HARE caps samples at about 2k tokens (long) and 512 (short).
  length: { enabled: true, longMaxTokens: 2048, shortMaxTokens: 512, bytesPerToken: 4 },
  exactDedup: { enabled: true },
  // 20 bands of 5 rows: a pair at Jaccard 0.8 shares two or more bands (and becomes a candidate) with
  // probability 0.996, at 0.5 with 0.12; candidates are then checked on all 128 values, which rejects those.
  nearDedup: { enabled: true, shingleWords: 5, numPerm: 128, bands: 20, rows: 5, threshold: 0.8 },
  // HARE: N = 4..8 for short samples, 10..15 for long ones, remove above a 50% repetition rate.
  decontam: { enabled: true, shortN: [4, 8], longN: [10, 15], maxRate: 0.5, strict: false, strictN: 13 },
  report: { examplesPerRule: 3, exampleChars: 300, maxDecontamPairs: 10_000, maxProblems: 1000 },
};

/** A partial override, one level deep per rule group (what the CLI and the page pass). */
export type RuleOverrides = { [K in keyof RuleOptions]?: Partial<RuleOptions[K]> };

export function resolveRules(overrides: RuleOverrides = {}): RuleOptions {
  const out = structuredClone(DEFAULT_RULES) as RuleOptions;
  for (const key of Object.keys(overrides) as (keyof RuleOptions)[]) {
    Object.assign(out[key], structuredClone(overrides[key]));
  }
  checkRules(out);
  return out;
}

export function checkRules(r: RuleOptions): void {
  const fail = (m: string) => { throw new Error(`invalid rule options: ${m}`); };
  if (r.nearDedup.bands * r.nearDedup.rows > r.nearDedup.numPerm) fail('nearDedup.bands × rows exceeds numPerm');
  if (!(r.nearDedup.threshold > 0 && r.nearDedup.threshold <= 1)) fail('nearDedup.threshold must be in (0, 1]');
  if (r.nearDedup.shingleWords < 1) fail('nearDedup.shingleWords must be at least 1');
  const [s0, s1] = r.decontam.shortN;
  const [l0, l1] = r.decontam.longN;
  if (!(s0 >= 1 && s0 <= s1 && l0 >= 1 && l0 <= l1)) fail('decontam n-gram ranges must be [min, max] with 1 ≤ min ≤ max');
  if (r.length.shortMaxTokens > r.length.longMaxTokens) fail('length.shortMaxTokens exceeds longMaxTokens');
  if (r.read.maxRecordBytes < 1024) fail('read.maxRecordBytes below 1 KiB');
}

/** One line of help per option, for the page's rule panel and the CLI's usage text. */
export const RULE_HELP: { [K in keyof RuleOptions]: { title: string; help: string } } = {
  read: { title: 'Reading', help: 'Lines or documents over the byte limit are skipped and reported, never held in memory.' },
  links: { title: 'Web links', help: 'Removes http(s)/ftp URLs and www. addresses; Markdown links keep their text.' },
  pii: { title: 'Private information', help: 'E-mail addresses, phone numbers, IP addresses and card numbers (Luhn-checked): masked, or the record dropped.' },
  quality: { title: 'Quality', help: 'Drops samples that are too short, end mid-sentence, are mostly digits and symbols, or repeat their own lines.' },
  language: { title: 'Language', help: 'Keeps samples whose detected language (tinyld) is in the list; very short samples are kept.' },
  length: { title: 'Length caps', help: 'Splits samples longer than the cap (HARE: ~2k tokens long, 512 short) at paragraph breaks.' },
  exactDedup: { title: 'Exact duplicates', help: 'Removes samples whose normalized text (case, spacing, punctuation ignored) was seen before, in any source.' },
  nearDedup: { title: 'Near duplicates', help: 'MinHash + LSH over word shingles; removes a sample whose Jaccard similarity to an earlier one is at or above the threshold.' },
  decontam: { title: 'Benchmark decontamination', help: "HARE's rule: remove samples whose n-gram repetition rate against any benchmark sample is above 50%; strict mode removes any shared 13-gram." },
  report: { title: 'Report', help: 'How many examples of removed text the report keeps.' },
};
