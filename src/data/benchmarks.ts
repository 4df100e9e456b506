// Reads every benchmark file into the n-gram index before any training text is looked at.
import { BenchmarkIndex, BenchmarkIndexBuilder } from './decontam/ngram-index';
import { sizesNeeded } from './decontam/decontaminate';
import { wordHashes } from './dedup/hash';
import type { BenchmarkSpec } from './pipeline-options';
import type { ProblemSink } from './read/problems';
import { ALL_FIELDS } from './read/record';
import { readRecords } from './read/records';
import { excerpt } from './report';
import type { RuleOptions } from './rules/defaults';
import { detectFormat, type SourceFormat } from './source';
import { normalizedWords } from './words';
import { yielder } from './yield';

export async function buildBenchmarkIndex(benchmarks: readonly BenchmarkSpec[], rules: RuleOptions,
                                          problems: ProblemSink, onBytes: (n: number) => void,
                                          signal?: AbortSignal): Promise<BenchmarkIndex> {
  const builder = new BenchmarkIndexBuilder(sizesNeeded(rules.decontam));
  const pause = yielder();
  for (const b of benchmarks) {
    for (const file of b.files) {
      const format = benchmarkFormat(b, file.name);
      for await (const r of readRecords(file, format, { maxRecordBytes: rules.read.maxRecordBytes, onBytes }, problems)) {
        await pause();
        signal?.throwIfAborted();
        builder.add(wordHashes(normalizedWords(r.text)), { file: r.file, line: r.line, excerpt: excerpt(r.text, rules.report.exampleChars) });
      }
    }
  }
  return builder.build();
}

// Plain-text benchmark files hold one sample per line unless the spec gives a format.
function benchmarkFormat(b: BenchmarkSpec, fileName: string): SourceFormat {
  const fields = b.fields ?? ALL_FIELDS;
  const f = b.format ?? detectFormat(fileName, fields);
  if (f.kind === 'text') return f.split === 'blank-line' && !b.format ? { kind: 'text', split: 'line' } : f;
  return { kind: f.kind, textField: b.fields ?? (b.format ? f.textField : ALL_FIELDS) };
}
