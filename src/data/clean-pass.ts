// Pass 1: every record of every source, in order (sources as given, records in file order), through the
// cleaning rules, exact and near-duplicate removal across all sources, the length cap and decontamination;
// kept records are streamed to cleaned.jsonl. First seen wins, so the order fixes what is kept.
// Records are read here and handed out in chunks for their per-record analysis (record-analysis.ts: in the
// worker pool, or in-process without one); the analyses come back in input order and every decision that
// depends on other records, every count and every line written is made here, so the output does not depend
// on who analysed what.
import { cleanedLine, cleanedTextKey } from './cleaned-record';
import type { Contamination } from './decontam/decontaminate';
import type { BenchmarkIndex } from './decontam/ngram-index';
import { ExactDedup } from './dedup/exact';
import { NearDupIndex } from './dedup/near-dup';
import { OrderedQueue } from './pool/ordered-queue';
import type { LineStats } from './read/lines';
import type { ProblemSink } from './read/problems';
import type { RawRecord } from './read/record';
import { readRecords } from './read/records';
import type { RecordReader } from './tasks/task-source';
import { type AnalyzedChunk, type RecordAnalysis, type Sized } from './record-analysis';
import { excerpt, type Measured, SourceTally, type DecontamPair, type RuleName } from './report';
import type { RuleOptions } from './rules/defaults';
import { QUALITY_RULES } from './rules/quality';
import { detectFormat, lengthClassOf, type SourceSpec } from './source';
import type { WritableSink } from './store';
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

/** A record read and waiting for its analysis. */
interface Pending { raw: RawRecord; source: number; textKey: string }

/** Runs the per-record analysis of a chunk of texts (short[i] = 1: the short length cap), in-process or in workers. */
export interface ChunkAnalysis {
  analyze(texts: string[], short: Uint8Array): Promise<AnalyzedChunk>;
  /** Chunks in flight at once (their records are held here until applied). */
  readonly inFlight: number;
  /** A chunk is handed out when it reaches either size. */
  readonly chunkRecords: number;
  readonly chunkChars: number;
}

export class CleanPass {
  private readonly exact = new ExactDedup();
  private readonly near: NearDupIndex;
  private readonly refs: RecordRef[] = [];
  private readonly decontamPairs: DecontamPair[] = [];
  private decontamRemoved = 0;

  constructor(private readonly sources: readonly SourceSpec[], private readonly rules: RuleOptions,
              private readonly benchmarks: BenchmarkIndex | null, private readonly out: WritableSink,
              private readonly problems: ProblemSink, private readonly analysis: ChunkAnalysis,
              /** Reads a file of source i; task sources render their rows here (tasks/task-source.ts). */
              private readonly reader: RecordReader = (_si, file, format, opts, problems) => readRecords(file, format, opts, problems)) {
    this.near = new NearDupIndex(rules.nearDedup);
  }

  async run(onBytes: (n: number) => void, stats?: LineStats, signal?: AbortSignal,
            onSource?: (index: number) => void): Promise<CleanPassResult> {
    const tallies: SourceTally[] = [];
    const pause = yielder();
    const queue = new OrderedQueue<[Pending[], AnalyzedChunk]>(this.analysis.inFlight);
    let batch: Pending[] = [];
    let batchChars = 0;
    const apply = async () => {
      const [items, chunk] = await queue.take();
      for (let i = 0; i < items.length; i++) {
        const { raw, source, textKey } = items[i];
        await this.record(source, raw, textKey, tallies[source], chunk.records[i], chunk.signatures);
      }
    };
    const flush = async () => {
      if (batch.length === 0) return;
      if (queue.full) await apply();
      const items = batch;
      const short = Uint8Array.from(items, (p) => (lengthClassOf(this.sources[p.source]) === 'short' ? 1 : 0));
      queue.push(this.analysis.analyze(items.map((p) => p.raw.text), short).then((chunk) => [items, chunk]));
      batch = [];
      batchChars = 0;
    };
    for (let si = 0; si < this.sources.length; si++) {
      const source = this.sources[si];
      onSource?.(si);
      tallies.push(new SourceTally(this.rules.report, (r) => ruleEnabled(this.rules, r)));
      for (const file of source.files) {
        const format = source.format ?? detectFormat(file.name);
        const textKey = cleanedTextKey(format);
        const records = this.reader(si, file, format, { maxRecordBytes: this.rules.read.maxRecordBytes, onBytes, stats }, this.problems);
        for await (const raw of records) {
          await pause();
          signal?.throwIfAborted();
          batch.push({ raw, source: si, textKey });
          batchChars += raw.text.length;
          if (batch.length >= this.analysis.chunkRecords || batchChars >= this.analysis.chunkChars) await flush();
        }
      }
    }
    await flush();
    while (queue.length > 0) { signal?.throwIfAborted(); await apply(); }
    return { tallies, decontamPairs: this.decontamPairs, decontamRemoved: this.decontamRemoved };
  }

  /** Takes one analysed record through every rule, in the order record-analysis.ts ran them; returns when
   *  it is removed or written. */
  private async record(si: number, raw: RawRecord, textKey: string, t: SourceTally, a: RecordAnalysis,
                       signatures: Uint32Array): Promise<void> {
    const rules = this.rules;
    const source = this.sources[si];
    // The report keeps an excerpt of a removed text; the analysis sent that excerpt, and excerpt() of an
    // excerpt is the excerpt, so the example is the same as from the whole text.
    const drop = (rule: RuleName, reason: string, m: Measured) => { t.remove(rule, m, raw.file, raw.line, reason); };
    const removedHere = (rule: RuleName, size: Sized) => {
      if (a.removed?.rule !== rule) return false;
      drop(rule, a.removed.reason, { text: a.removed.excerpt, ...size });
      return true;
    };

    t.enter('links', measured(a.read));
    if (a.links > 0) t.detail('links', 'links', a.links);
    t.pass('links', measured(a.afterLinks));

    t.enter('pii', measured(a.afterLinks));
    for (const [kind, n] of a.pii) t.detail('pii', kind, n);
    if (removedHere('pii', a.afterLinks)) return;
    t.pass('pii', measured(a.afterPii));

    for (const q of QUALITY_RULES) {
      t.enter(q, measured(a.afterPii));
      if (removedHere(q, a.afterPii)) return;
      t.pass(q, measured(a.afterPii));
    }

    t.enter('language', measured(a.afterPii));
    if (a.removed?.rule === 'language') t.detail('language', a.removed.language!);
    if (removedHere('language', a.afterPii)) return;
    t.pass('language', measured(a.afterPii));

    const text = a.text ?? raw.text;
    const m = measured(a.afterPii, text);
    const id = this.refs.length;
    this.refs.push({ source: si, file: raw.file, line: raw.line });

    t.enter('exact-dup', m);
    if (rules.exactDedup.enabled) {
      const first = this.exact.checkKey(a.exactKey, id);
      if (first >= 0) {
        t.detail('exact-dup', this.refs[first].source === si ? 'same-source' : 'other-source');
        return drop('exact-dup', `same normalized text as ${this.describe(first)}`, m);
      }
    }
    t.pass('exact-dup', m);

    t.enter('near-dup', m);
    if (rules.nearDedup.enabled) {
      const n = rules.nearDedup.numPerm;
      const match = this.near.checkAndAdd(signatures.subarray(a.signature * n, (a.signature + 1) * n), id);
      if (match) {
        t.detail('near-dup', this.refs[match.dupOf].source === si ? 'same-source' : 'other-source');
        return drop('near-dup', `estimated Jaccard ${match.similarity.toFixed(2)} with ${this.describe(match.dupOf)}`, m);
      }
    }
    t.pass('near-dup', m);

    t.enter('length', m);
    const pieces = a.pieces.map((p) => measured(p.size, p.text ?? text));
    if (pieces.length > 1) t.detail('length', 'split-records');
    if (pieces.length > 1) t.detail('length', 'pieces', pieces.length);
    for (const pm of pieces) t.pass('length', pm);

    let wrote = false;
    for (let part = 0; part < pieces.length; part++) {
      const pm = pieces[part];
      const partNo = pieces.length > 1 ? part : null;
      t.enter('decontam', pm);
      const hit = a.pieces[part].hit;
      if (hit) {
        this.recordContamination(source.name, raw, partNo ?? 0, pm, hit);
        t.detail('decontam', hit.mode);
        const ref = this.benchmarks!.refs[hit.benchmark];
        drop('decontam', `${hit.mode} ${(hit.rate * 100).toFixed(0)}% at N=${hit.n} with ${ref.file}:${ref.line}`, pm);
        continue;
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

/** A text's measures as the tally takes them (it reads the text only for examples). */
function measured(size: Sized, text = ''): Measured {
  return { text, chars: size.chars, estTokens: size.estTokens };
}
