// The report: for every source and every rule, documents, characters and (estimated) tokens before and
// after, with examples of what was removed; input problems with file and line; each decontamination removal
// paired with the benchmark sample it matched; and the final mixture. It holds no timings, so the same input
// and seed give the same report.json byte for byte.
import type { ProblemsReport } from './problem-tally';
import type { ProblemKind } from './read/problems';
import type { RuleOptions } from './rules/defaults';
import type { DiversityReport } from './diversity/cluster-pass';
import type { LengthClass } from './source';
import type { DataPart } from './tasks/layouts';
import type { TaskReport } from './tasks/renderer';
import type { SftReport } from './sft/sft-pass';
import { utf8Length } from './rules/length';

/** Every rule, in the order a record meets them. */
export const RULE_ORDER = [
  'links', 'pii', 'too-short', 'incomplete', 'symbols', 'repeated-lines', 'language',
  'exact-dup', 'near-dup', 'length', 'decontam',
] as const;
export type RuleName = (typeof RULE_ORDER)[number];

export interface Counts {
  docs: number;
  chars: number;
  /** Estimated tokens (UTF-8 bytes / length.bytesPerToken): rules run before the tokenizer exists. */
  estTokens: number;
}

export interface RemovedExample {
  file: string;
  line: number;
  reason: string;
  text: string;
}

export interface RuleReport {
  rule: RuleName;
  enabled: boolean;
  before: Counts;
  after: Counts;
  /** Per-rule tallies: PII matches by kind, detected languages of removed samples, pieces made by splitting... */
  details: Record<string, number>;
  examples: RemovedExample[];
}

export interface SourceReport {
  name: string;
  category: string;
  weight: number;
  lengthClass: LengthClass;
  /** The recipe part: D1 cleaned open data, D2 synthetic, D3 task data rendered as text. */
  part: DataPart;
  /** A task source's layout, fields, templates and how often each was used; null for other sources. */
  task: TaskReport | null;
  files: string[];
  /** Bytes read from the files (compressed size for gzip). */
  bytes: number;
  /** Documents read (before any rule): a JSONL/CSV/Parquet record, or a file, block or line of a text file. */
  read: Counts;
  problems: Partial<Record<ProblemKind, number>>;
  rules: RuleReport[];
  /** Documents read of which at least one piece was written to cleaned.jsonl (never more than read.docs). */
  keptDocuments: number;
  /** Pieces written to cleaned.jsonl: the length rule splits a long document into pieces, so a document
   *  counts here once per piece kept, and kept.docs can exceed read.docs. */
  kept: Counts;
  /** Set when the source read no document at all (wrong text field, unreadable files): names the files, why,
   *  and the text columns that do exist. The page refuses to train on a dataset with such a source. */
  error?: string;
}

export interface DecontamPair {
  source: string;
  file: string;
  line: number;
  part: number;
  excerpt: string;
  rate: number;
  n: number;
  mode: 'benchmark-coverage' | 'sample-coverage' | 'strict';
  benchmark: { file: string; line: number; excerpt: string };
}

export interface MixtureRow {
  source: string;
  category: string;
  part: DataPart;
  weight: number;
  /** Weight normalised over the sources in play (mixture-shares.ts): the expected share of training tokens. */
  share: number;
  /** Why the source is left out of the mixture (no training sequence), absent when it is in play. */
  dropped?: string;
  records: number;
  tokens: number;
  trainSequences: number;
  valSequences: number;
  /** Tokens after the last full sequence, dropped. */
  droppedTokens: number;
}

export interface PipelineReport {
  version: 1;
  seed: number;
  rules: RuleOptions;
  tokenizer: { name: string; vocabSize: number };
  dataset: { packLength: number; seqLen: number; dtype: string; valFraction: number };
  sources: SourceReport[];
  /** Counts by kind and by file for every file; examples up to the cap (problem-tally.ts). */
  problems: ProblemsReport;
  decontamination: {
    benchmarkFiles: string[];
    benchmarkSamples: number;
    indexedNgrams: number;
    sizes: number[];
    removed: number;
    pairs: DecontamPair[];
  };
  mixture: MixtureRow[];
  /** Topic clusters per source and what a per-cluster cap or flattening kept (diversity/); null when off. */
  diversity: DiversityReport | null;
  /** The SFT sources (sft/sft-pass.ts): template, rows, examples, learned / masked / padding tokens, bad rows
   *  by file and line; absent or null when there are none. */
  sft?: SftReport | null;
  /** Over all sources; read.docs and keptDocuments count documents, kept.docs pieces (as in SourceReport). */
  totals: { read: Counts; keptDocuments: number; kept: Counts; tokens: number; trainSequences: number; valSequences: number };
}

export function emptyCounts(): Counts {
  return { docs: 0, chars: 0, estTokens: 0 };
}

export function addCounts(into: Counts, c: Counts): void {
  into.docs += c.docs;
  into.chars += c.chars;
  into.estTokens += c.estTokens;
}

/** A text with its measures computed once, then carried from rule to rule until the text changes. */
export class Measured {
  readonly chars: number;
  readonly estTokens: number;

  constructor(readonly text: string, bytesPerToken: number) {
    this.chars = text.length;
    this.estTokens = Math.ceil(utf8Length(text) / bytesPerToken);
  }
}

/** Accumulates one source's per-rule counts and examples. */
export class SourceTally {
  readonly rules = new Map<RuleName, RuleReport>();
  /** Documents with at least one piece written (see SourceReport.keptDocuments). */
  keptDocuments = 0;

  constructor(private readonly opts: RuleOptions['report'], enabled: (r: RuleName) => boolean) {
    for (const r of RULE_ORDER) {
      this.rules.set(r, { rule: r, enabled: enabled(r), before: emptyCounts(), after: emptyCounts(), details: {}, examples: [] });
    }
  }

  enter(rule: RuleName, m: Measured): void {
    add(this.rules.get(rule)!.before, m);
  }

  pass(rule: RuleName, m: Measured): void {
    add(this.rules.get(rule)!.after, m);
  }

  remove(rule: RuleName, m: Measured, file: string, line: number, reason: string): void {
    const r = this.rules.get(rule)!;
    if (r.examples.length < this.opts.examplesPerRule) {
      r.examples.push({ file, line, reason, text: excerpt(m.text, this.opts.exampleChars) });
    }
  }

  /** A document of which at least one piece was written. */
  keepDocument(): void {
    this.keptDocuments++;
  }

  detail(rule: RuleName, key: string, n = 1): void {
    const d = this.rules.get(rule)!.details;
    d[key] = (d[key] ?? 0) + n;
  }

  list(): RuleReport[] {
    return RULE_ORDER.map((r) => this.rules.get(r)!);
  }
}

function add(c: Counts, m: Measured): void {
  c.docs++;
  c.chars += m.chars;
  c.estTokens += m.estTokens;
}

export function excerpt(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars)}…`;
}
