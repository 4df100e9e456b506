// Pass 1: every record of every source, in order (sources as given, records in file order), through the
// cleaning rules, exact and near-duplicate removal across all sources, the length cap and decontamination;
// kept records are streamed to cleaned.jsonl. First seen wins, so the order fixes what is kept.
import { cleanedLine, cleanedTextKey } from './cleaned-record';
import { checkContamination, type Contamination } from './decontam/decontaminate';
import type { BenchmarkIndex } from './decontam/ngram-index';
import { ExactDedup } from './dedup/exact';
import { wordHashes } from './dedup/hash';
import { MinHasher } from './dedup/minhash';
import { NearDupIndex } from './dedup/near-dup';
import type { LineStats } from './read/lines';
import type { ProblemSink } from './read/problems';
import type { RawRecord } from './read/record';
import { readRecords } from './read/records';
import { excerpt, Measured, SourceTally, type DecontamPair, type RuleName } from './report';
import type { RuleOptions } from './rules/defaults';
import { checkLanguage } from './rules/language';
import { splitByLength } from './rules/length';
import { removeLinks } from './rules/links';
import { maskPii } from './rules/pii';
import { checkQuality, QUALITY_RULES } from './rules/quality';
import { detectFormat, lengthClassOf, type SourceSpec } from './source';
import type { WritableSink } from './store';
import { normalizedWords } from './words';
import { yielder } from './yield';

export function ruleEnabled(rules: RuleOptions, r: RuleName): boolean {
  switch (r) {
    case 'links': return rules.links.enabled;
    case 'pii': return rules.pii.enabled;
    case 'too-short': case 'symbols': case 'repeated-lines': return rules.quality.enabled;
    case 'incomplete': return rules.quality.enabled && rules.quality.requireEndPunctuation;
    case 'language': return rules.language.enabled;
    case 'exact-dup': return rules.exactDedup.enabled;
    case 'near-dup': return rules.nearDedup.enabled;
    case 'length': return rules.length.enabled;
    case 'decontam': return rules.decontam.enabled;
    default: throw new Error(`unknown rule ${String(r)}`);
  }
}

export interface CleanPassResult {
  tallies: SourceTally[];
  decontamPairs: DecontamPair[];
  decontamRemoved: number;
}

/** Where a record that reached duplicate detection came from, for "duplicate of ..." in the report. */
interface RecordRef { source: number; file: string; line: number }

export class CleanPass {
  private readonly exact = new ExactDedup();
  private readonly minhash: MinHasher;
  private readonly near: NearDupIndex;
  private readonly refs: RecordRef[] = [];
  private readonly decontamPairs: DecontamPair[] = [];
  private decontamRemoved = 0;
  private readonly bpt: number;

  constructor(private readonly sources: readonly SourceSpec[], private readonly rules: RuleOptions,
              private readonly benchmarks: BenchmarkIndex | null, private readonly out: WritableSink,
              private readonly problems: ProblemSink) {
    const nd = rules.nearDedup;
    this.minhash = new MinHasher(nd.numPerm, nd.shingleWords);
    this.near = new NearDupIndex(nd);
    this.bpt = rules.length.bytesPerToken;
  }

  async run(onBytes: (n: number) => void, stats?: LineStats, signal?: AbortSignal,
            onSource?: (index: number) => void): Promise<CleanPassResult> {
    const tallies: SourceTally[] = [];
    const pause = yielder();
    for (let si = 0; si < this.sources.length; si++) {
      const source = this.sources[si];
      onSource?.(si);
      const tally = new SourceTally(this.rules.report, (r) => ruleEnabled(this.rules, r));
      tallies.push(tally);
      for (const file of source.files) {
        const format = source.format ?? detectFormat(file.name);
        const textKey = cleanedTextKey(format);
        const records = readRecords(file, format, { maxRecordBytes: this.rules.read.maxRecordBytes, onBytes, stats }, this.problems);
        for await (const raw of records) {
          await pause();
          signal?.throwIfAborted();
          await this.record(si, raw, textKey, tally);
        }
      }
    }
    return { tallies, decontamPairs: this.decontamPairs, decontamRemoved: this.decontamRemoved };
  }

  /** Runs one record through every rule; returns when it is removed or written. */
  private async record(si: number, raw: RawRecord, textKey: string, t: SourceTally): Promise<void> {
    const rules = this.rules;
    const source = this.sources[si];
    let m = new Measured(raw.text, this.bpt);
    const drop = (rule: RuleName, reason: string, at: Measured = m) => { t.remove(rule, at, raw.file, raw.line, reason); };

    t.enter('links', m);
    if (rules.links.enabled) {
      const r = removeLinks(m.text);
      if (r.removed > 0) { m = new Measured(r.text, this.bpt); t.detail('links', 'links', r.removed); }
    }
    t.pass('links', m);

    t.enter('pii', m);
    if (rules.pii.enabled) {
      const r = maskPii(m.text, rules.pii);
      if (r.total > 0) {
        for (const [kind, n] of Object.entries(r.counts)) if (n > 0) t.detail('pii', kind, n);
        if (rules.pii.mode === 'drop') {
          return drop('pii', `contains ${Object.entries(r.counts).filter(([, n]) => n > 0).map(([k]) => k).join(', ')}`);
        }
        m = new Measured(r.text, this.bpt);
      }
    }
    t.pass('pii', m);

    const failure = rules.quality.enabled ? checkQuality(m.text, rules.quality) : null;
    for (const q of QUALITY_RULES) {
      t.enter(q, m);
      if (failure?.rule === q) return drop(q, failure.reason);
      t.pass(q, m);
    }

    t.enter('language', m);
    if (rules.language.enabled) {
      const lang = checkLanguage(m.text, rules.language);
      if (!lang.keep) { t.detail('language', lang.lang); return drop('language', `detected language: ${lang.lang}`); }
    }
    t.pass('language', m);

    const words = normalizedWords(m.text);
    const hashes = wordHashes(words);
    const id = this.refs.length;
    this.refs.push({ source: si, file: raw.file, line: raw.line });

    t.enter('exact-dup', m);
    if (rules.exactDedup.enabled) {
      const first = this.exact.check(hashes, id);
      if (first >= 0) {
        t.detail('exact-dup', this.refs[first].source === si ? 'same-source' : 'other-source');
        return drop('exact-dup', `same normalized text as ${this.describe(first)}`);
      }
    }
    t.pass('exact-dup', m);

    t.enter('near-dup', m);
    if (rules.nearDedup.enabled) {
      const match = this.near.checkAndAdd(this.minhash.signature(hashes), id);
      if (match) {
        t.detail('near-dup', this.refs[match.dupOf].source === si ? 'same-source' : 'other-source');
        return drop('near-dup', `estimated Jaccard ${match.similarity.toFixed(2)} with ${this.describe(match.dupOf)}`);
      }
    }
    t.pass('near-dup', m);

    t.enter('length', m);
    const cap = lengthClassOf(source) === 'short' ? rules.length.shortMaxTokens : rules.length.longMaxTokens;
    const pieces = rules.length.enabled && m.estTokens > cap ? splitByLength(m.text, cap, this.bpt) : [m.text];
    if (pieces.length > 1) t.detail('length', 'split-records');
    const measured = pieces.length === 1 ? [m] : pieces.map((p) => new Measured(p, this.bpt));
    if (pieces.length > 1) t.detail('length', 'pieces', pieces.length);
    for (const pm of measured) t.pass('length', pm);

    let wrote = false;
    for (let part = 0; part < measured.length; part++) {
      const pm = measured[part];
      const partNo = measured.length > 1 ? part : null;
      t.enter('decontam', pm);
      if (rules.decontam.enabled && this.benchmarks) {
        const ph = measured.length === 1 ? hashes : wordHashes(normalizedWords(pm.text));
        const hit = checkContamination(ph, pm.estTokens, this.benchmarks, rules.decontam, rules.length);
        if (hit) {
          this.recordContamination(source.name, raw, partNo ?? 0, pm, hit);
          t.detail('decontam', hit.mode);
          drop('decontam', `${hit.mode} ${(hit.rate * 100).toFixed(0)}% at N=${hit.n} with ${this.benchmarks.refs[hit.benchmark].file}:${this.benchmarks.refs[hit.benchmark].line}`, pm);
          continue;
        }
      }
      t.pass('decontam', pm);
      await this.out.write(cleanedLine(raw, textKey, pm.text, source.name, partNo));
      wrote = true;
    }
    if (wrote) t.keepDocument();
  }

  private recordContamination(source: string, raw: RawRecord, part: number, m: Measured, hit: Contamination): void {
    this.decontamRemoved++;
    if (this.decontamPairs.length >= this.rules.report.maxDecontamPairs) return;
    const ref = this.benchmarks!.refs[hit.benchmark];
    this.decontamPairs.push({
      source, file: raw.file, line: raw.line, part,
      excerpt: excerpt(m.text, this.rules.report.exampleChars),
      rate: Math.round(hit.rate * 1e4) / 1e4, n: hit.n, mode: hit.mode,
      benchmark: { file: ref.file, line: ref.line, excerpt: ref.excerpt },
    });
  }

  private describe(id: number): string {
    const r = this.refs[id];
    return `${this.sources[r.source].name}/${r.file}:${r.line}`;
  }
}
