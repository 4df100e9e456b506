// Instruction data into segment-packed token shards: each SFT source's JSONL rows (layout fixed per file by
// its first usable row, layouts.ts), rendered through the chat template with the assistant spans found
// (render.ts), tokenized piece by piece, and packed whole into rows (pack/segments.ts) with each token's
// position in its example and whether the loss counts it. Chat data skips the prose rules of pass 1 (too-short,
// incomplete sentence, symbol ratio would drop most of it); what it keeps of them are the two that do not judge
// prose: exact duplicates (the same normalized rendering seen before in an SFT source) and decontamination
// (the messages' contents, without the template's markers, against the benchmark index, with the rule's N and
// rates; a hit is removed and paired in the report like any other sample). A row that does not fit is reported
// by file and line, an example longer than a row is dropped and counted, and reading goes on.
import { checkContamination } from '../decontam/decontaminate';
import type { BenchmarkIndex } from '../decontam/ngram-index';
import { ExactDedup } from '../dedup/exact';
import { wordHashes } from '../dedup/hash';
import { dtypeFor, type ManifestSource } from '../pack/manifest';
import { ExamplePacker, MAX_SEGMENT_ROW } from '../pack/segments';
import type { ProblemSink } from '../read/problems';
import { ALL_FIELDS } from '../read/record';
import { readRecords } from '../read/records';
import { excerpt, Measured, type DecontamPair } from '../report';
import { hashUnit } from '../rng';
import type { RuleOptions } from '../rules/defaults';
import { baseName, detectFormat, type SourceFile, type SourceSpec } from '../source';
import type { DataStore } from '../store';
import type { Tokenizer } from '../tokenizer/tokenizer';
import type { TokenizerChoice } from '../tokenizer-choice';
import { normalizedWords } from '../words';
import type { ChatTemplate } from './chat-template';
import { detectSftLayout, sftMessages, SftRowError, type SftLayout } from './layouts';
import { renderPieces, tokenizePieces } from './render';

export interface SftSource {
  name: string;
  category: string;
  weight: number;
  files: SourceFile[];
}

export interface SftRowProblem {
  file: string;
  line: number;
  message: string;
}

export interface SftSourceReport {
  name: string;
  /** Each file's layout as detected on its first usable row (null: no row fitted any). */
  files: { file: string; layout: SftLayout | null }[];
  rows: number;
  examples: number;
  /** Rows that did not fit their file's layout or the chat template. */
  skipped: number;
  /** Examples longer than a packed row (dropped whole rather than cut). */
  tooLong: number;
  /** Rows whose rendering, normalized, an earlier SFT row already had (exact dedup on). */
  duplicates: number;
  /** Rows whose messages cover a benchmark sample (decontamination on, with benchmarks). */
  contaminated: number;
  /** Tokens the loss counts (assistant spans and the closing EOS) and tokens it does not (prompts, template). */
  learnedTokens: number;
  maskedTokens: number;
  /** EOS padding at the end of rows that the next example did not fit. */
  padTokens: number;
}

export interface SftReport {
  template: string;
  /** What SFT sources skip and keep of the cleaning rules, in words. */
  rules: string;
  sources: SftSourceReport[];
  /** The first problems (at most maxProblems), with file and line. */
  problems: SftRowProblem[];
}

export interface SftPassOptions {
  store: DataStore;
  sources: readonly SftSource[];
  template: ChatTemplate;
  tokenizer: Tokenizer;
  packLength: number;
  seed: number;
  valFraction: number;
  shardBytes: number;
  maxRecordBytes: number;
  /** Index of the first SFT source among all sources: it seeds the validation split apart from the others. */
  firstIndex: number;
  /** File-name prefixes of the sources' shards (unique among all sources). */
  prefixes: readonly string[];
  maxProblems: number;
  problems: ProblemSink;
  /** Exact dedup and decontamination follow these (enabled flags, N, rates); absent: both off. */
  rules?: RuleOptions;
  /** The benchmark index when decontamination has benchmarks. */
  benchmarks?: BenchmarkIndex | null;
  /** Removed-and-paired samples go here, as pass 1's do (report.decontamination). */
  decontam?: { pairs: DecontamPair[]; removed: number; maxPairs: number };
  signal?: AbortSignal;
}

/**
 * Refuses what an SFT source cannot be, before anything is read: rows other than JSONL, a tokenizer trained
 * here (a BPE trained on the prose sources has never seen the chat data or the template's markers: SFT takes
 * the model's own tokenizer), rows longer than segment shards describe.
 */
export function checkSftSources(sources: readonly SourceSpec[], tokenizer: TokenizerChoice, packLength: number): void {
  if (sources.length === 0) return;
  for (const s of sources) {
    for (const f of s.files) {
      if (detectFormat(f.name).kind !== 'jsonl') throw new Error(`SFT source "${s.name}": ${baseName(f.name)} is not JSONL (one conversation per line)`);
    }
  }
  if (tokenizer.kind === 'bpe') throw new Error('SFT sources need the model\'s tokenizer (a tokenizer.json, or mistral), not a BPE trained on the prose sources');
  if (packLength > MAX_SEGMENT_ROW) throw new Error(`SFT rows of ${packLength} tokens are longer than segment shards allow (${MAX_SEGMENT_ROW})`);
}

export async function sftPass(o: SftPassOptions): Promise<{ sources: ManifestSource[]; report: SftReport }> {
  const perShard = Math.max(1, Math.floor(o.shardBytes / (o.packLength * (dtypeFor(o.tokenizer.vocabSize) === 'uint16' ? 2 : 4))));
  const rules = o.rules;
  const dedup = rules?.exactDedup.enabled ? new ExactDedup() : null;
  const bench = rules?.decontam.enabled && o.benchmarks && o.benchmarks.sampleCount > 0 ? o.benchmarks : null;
  const kept = [dedup && 'exact dedup', bench && 'decontamination'].filter(Boolean).join(' and ') || 'none';
  const report: SftReport = {
    template: o.template.spec.origin, sources: [], problems: [],
    rules: `prose rules off for SFT sources (links, PII, quality, language, near dedup, length cap); kept: ${kept}`,
  };
  const out: ManifestSource[] = [];
  const eosText = o.template.spec.eosToken;
  let rowId = 0;
  for (let si = 0; si < o.sources.length; si++) {
    const s = o.sources[si];
    const r: SftSourceReport = { name: s.name, files: [], rows: 0, examples: 0, skipped: 0, tooLong: 0, duplicates: 0, contaminated: 0,
      learnedTokens: 0, maskedTokens: 0, padTokens: 0 };
    const packer = new ExamplePacker(o.store, o.prefixes[si], o.packLength, o.tokenizer.vocabSize, o.tokenizer.eosId, perShard);
    const problem = (p: SftRowProblem) => { r.skipped++; if (report.problems.length < o.maxProblems) report.problems.push(p); };
    let index = 0;
    try {
      for (const file of s.files) {
        const entry = { file: baseName(file.name), layout: null as SftLayout | null };
        r.files.push(entry);
        for await (const rec of readRecords(file, { kind: 'jsonl', textField: ALL_FIELDS }, { maxRecordBytes: o.maxRecordBytes }, o.problems)) {
          o.signal?.throwIfAborted();
          r.rows++;
          const fields = rec.fields ?? {};
          entry.layout ??= detectSftLayout(fields);
          if (!entry.layout) { problem({ file: rec.file, line: rec.line, message: 'none of the layouts messages, prompt/completion, instruction/output' }); continue; }
          let ex, messages, pieces;
          try {
            messages = sftMessages(fields, entry.layout);
            pieces = renderPieces(o.template, messages);
            ex = tokenizePieces(o.tokenizer, pieces, eosText);
          } catch (e) {
            if (!(e instanceof SftRowError)) throw e;
            problem({ file: rec.file, line: rec.line, message: `${entry.layout}: ${e.message}` });
            continue;
          }
          const id = rowId++;
          if (dedup && dedup.check(wordHashes(normalizedWords(pieces.map((p) => p.text).join(''))), id) >= 0) { r.duplicates++; continue; }
          if (bench) {
            const content = new Measured(messages.map((m) => m.content).join('\n'), rules!.length.bytesPerToken);
            const hit = checkContamination(wordHashes(normalizedWords(content.text)), content.estTokens, bench, rules!.decontam, rules!.length);
            if (hit) {
              r.contaminated++;
              const d = o.decontam;
              if (d) d.removed++;
              if (d && d.pairs.length < d.maxPairs) {
                const ref = bench.refs[hit.benchmark];
                d.pairs.push({ source: s.name, file: rec.file, line: rec.line, part: 0, excerpt: excerpt(content.text, rules!.report.exampleChars),
                  rate: Math.round(hit.rate * 1e4) / 1e4, n: hit.n, mode: hit.mode, benchmark: { file: ref.file, line: ref.line, excerpt: ref.excerpt } });
              }
              continue;
            }
          }
          if (ex.ids.length > o.packLength) { r.tooLong++; continue; }
          for (const id of ex.ids) if (!(id >= 0 && id < o.tokenizer.vocabSize)) throw new Error(`${rec.file}:${rec.line}: token id ${id} outside the vocabulary`);
          await packer.add(ex.ids, ex.learn, hashUnit(o.seed, o.firstIndex + si, index++) < o.valFraction);
          r.examples++;
          // The first token has no predictor inside its example, so it is never learned (segments.ts).
          const learned = ex.learn.reduce((n, x, i) => n + (i > 0 && x ? 1 : 0), 0);
          r.learnedTokens += learned;
          r.maskedTokens += ex.ids.length - learned;
        }
      }
    } catch (e) {
      await packer.abandon().catch(() => {});
      throw e;
    }
    const p = await packer.finish();
    r.padTokens = p.padTokens;
    report.sources.push(r);
    out.push({ name: s.name, category: s.category, weight: s.weight, tokens: p.tokens, records: r.examples, train: p.train, val: p.val });
  }
  return { sources: out, report };
}
