// The data pipeline, the same in the page's worker and in the Node CLI:
//   benchmarks -> n-gram index
//   sources -> read -> clean -> dedup -> length cap -> decontaminate -> cleaned.jsonl      (pass 1)
//   tokenizer (a BPE is trained on cleaned.jsonl) -> tokenize -> pack -> token shards      (pass 2)
//   dataset.json, tokenizer.json, report.json
// Everything is streamed; memory holds the dedup and benchmark indexes, one record (or, with workers, a few
// chunks of records per worker), and write buffers. Workers (options.workers) do the per-record work of both
// passes; every decision stays in this thread, in input order (clean-pass.ts, pack-pass.ts).
import { buildBenchmarkIndex } from './benchmarks';
import { CLEANED_FILE, cleanedTextKey } from './cleaned-record';
import { CleanPass } from './clean-pass';
import { sizesNeeded } from './decontam/decontaminate';
import type { BenchmarkIndex } from './decontam/ngram-index';
import { MANIFEST_FILE, TOKENIZER_FILE, dtypeFor, type DatasetManifest } from './pack/manifest';
import { packPass, readCleaned, shardPrefixes } from './pack-pass';
import { emptySourceError } from './empty-source';
import { sharesInPlay } from './mixture-shares';
import { localAnalysis, localEncoding, poolAnalysis, poolEncoding } from './pool/chunk-work';
import type { TokenizerRecipe } from './pool/messages';
import { ProblemTally } from './problem-tally';
import { checkOptions, PIPELINE_DEFAULTS, type PipelineDeps, type PipelineOptions, type PipelineProgress } from './pipeline-options';
import type { InputProblem, ProblemKind } from './read/problems';
import { addCounts, emptyCounts, type PipelineReport, type SourceReport } from './report';
import { resolveRules } from './rules/defaults';
import { baseName, detectFormat, lengthClassOf, partOf } from './source';
import { clusterPass, UNCLUSTERED_FILE, type DiversityReport } from './diversity/cluster-pass';
import { taskReader, withTaskFormats } from './tasks/task-source';
import { ChatTemplate, defaultChatTemplate } from './sft/chat-template';
import { checkSftSources, sftPass } from './sft/sft-pass';
import type { Tokenizer, TokenizerJSON } from './tokenizer/tokenizer';
import type { TokenizerChoice } from './tokenizer-choice';

export const REPORT_FILE = 'report.json';

export async function runPipeline(opts: PipelineOptions, deps: PipelineDeps): Promise<PipelineReport> {
  checkOptions(opts);
  // SFT sources skip passes 1 and 2: sftPass renders, dedups, decontaminates and packs them once the tokenizer
  // is known (sft/sft-pass.ts). Everything below up to the manifest sees only the text sources.
  const sftSources = opts.sources.filter((s) => s.sft);
  checkSftSources(sftSources, opts.tokenizer, (opts.seqLen ?? PIPELINE_DEFAULTS.seqLen) + 1);
  opts = { ...opts, sources: withTaskFormats(opts.sources.filter((s) => !s.sft)) }; // task sources read every field, text in _text
  const rules = resolveRules(opts.rules);
  const seed = opts.seed ?? PIPELINE_DEFAULTS.seed;
  const seqLen = opts.seqLen ?? PIPELINE_DEFAULTS.seqLen;
  const packLength = seqLen + 1;
  const valFraction = opts.valFraction ?? PIPELINE_DEFAULTS.valFraction;
  const shardBytes = opts.shardBytes ?? PIPELINE_DEFAULTS.shardBytes;
  const { store } = deps;
  const pool = deps.pool ?? null;
  const progress = throttled(opts.onProgress);

  // Problems: counted exactly by kind and file, listed up to a cap, attributed to the source being read.
  const problemTally = new ProblemTally(rules.report.maxProblems);
  let perSourceProblems: Partial<Record<ProblemKind, number>> = {};
  const problems = (p: InputProblem) => {
    problemTally.add(p);
    perSourceProblems[p.kind] = (perSourceProblems[p.kind] ?? 0) + 1;
  };

  // Benchmarks first: decontamination needs the whole index before the first training record.
  let index: BenchmarkIndex | null = null;
  const benchmarks = opts.benchmarks ?? [];
  const benchmarkFiles = benchmarks.flatMap((b) => b.files);
  if (rules.decontam.enabled && benchmarkFiles.length > 0) {
    const total = sumSizes(benchmarkFiles);
    let done = 0;
    progress({ stage: 'benchmarks', fraction: 0, message: `indexing ${benchmarkFiles.length} benchmark file(s)` });
    index = await buildBenchmarkIndex(benchmarks, rules, problems, (n) => {
      done += n;
      progress({ stage: 'benchmarks', fraction: total ? done / total : 0, message: `indexing benchmarks: ${mb(done)} MB` });
    }, opts.signal);
  }

  // Pass 1.
  // With topic clusters on, pass 1 writes to a side file and the cluster pass writes cleaned.jsonl.
  const cleanedSink = await store.writer(opts.diversity ? UNCLUSTERED_FILE : CLEANED_FILE);
  const allFiles = opts.sources.flatMap((s) => s.files);
  const total = sumSizes(allFiles);
  let readBytes = 0;
  const perSourceBytes: number[] = [];
  const sourceProblems: Partial<Record<ProblemKind, number>>[] = [];
  const analysis = pool ? await poolAnalysis(pool, rules, index) : localAnalysis(rules, index);
  const tasks = taskReader(opts.sources, seed);
  const pass = new CleanPass(opts.sources, rules, index, cleanedSink, problems, analysis, tasks.read);
  // Bytes and problems are attributed to the source the pass is reading.
  let current = -1;
  let cleaned;
  try {
    cleaned = await pass.run((n) => {
      readBytes += n;
      if (current >= 0) perSourceBytes[current] += n;
      progress({ stage: 'clean', fraction: total ? readBytes / total : 0, message: `cleaning: ${mb(readBytes)} of ${mb(total)} MB` });
    }, undefined, opts.signal, (si) => {
      current = si;
      perSourceBytes[si] = 0;
      perSourceProblems = {};
      sourceProblems[si] = perSourceProblems;
    });
  } finally {
    await cleanedSink.close(); // also on failure or cancel: an open OPFS file stays locked
  }
  const { tallies, decontamPairs, decontamRemoved } = cleaned;
  const taskReports = tasks.reports();

  // Topic clusters per source, and a per-cluster cap or flattening (diversity/cluster-pass.ts).
  let diversity: DiversityReport | null = null;
  if (opts.diversity) {
    progress({ stage: 'clean', fraction: 1, message: `clustering topics (${opts.diversity.clusters} per source)` });
    diversity = await clusterPass({
      store, options: opts.diversity, seed, bytesPerToken: rules.length.bytesPerToken, exampleChars: rules.report.exampleChars,
      sources: opts.sources.map((s) => ({ name: s.name, textKey: cleanedTextKey(s.format ?? detectFormat(s.files[0].name)) })),
      maxLineBytes: rules.read.maxRecordBytes * 6 + 1024, signal: opts.signal,
    });
  }
  // Mistral's tokenizer is known before it is resolved: the workers build theirs while this thread builds its
  // own and writes tokenizer.json, instead of after.
  const early = pool && opts.tokenizer.kind === 'mistral' ? pool.broadcast({ type: 'tokenizer', recipe: { kind: 'mistral' } }) : undefined;
  early?.catch(() => {}); // answered (or refused) when pass 2 starts

  // Tokenizer: a BPE trains on the cleaned training records (validation records excluded).
  progress({ stage: 'tokenizer', fraction: 0, message: `preparing tokenizer (${opts.tokenizer.kind})` });
  const names = opts.sources.map((s) => s.name);
  const textKeys = opts.sources.map((s) => cleanedTextKey(s.format ?? detectFormat(s.files[0].name)));
  const maxLineBytes = rules.read.maxRecordBytes * 6 + 1024; // JSON escaping can grow text up to 6×
  const trainingTexts = async function* () {
    for await (const e of readCleaned(store, names, textKeys, seed, valFraction, maxLineBytes)) if (!e.val) yield e.text;
  };
  const tok = await deps.resolveTokenizer(opts.tokenizer, trainingTexts,
    (f) => progress({ stage: 'tokenizer', fraction: f, message: `training tokenizer: ${(f * 100).toFixed(0)}%` }));
  if (tok.eosId < 0 || tok.eosId >= tok.vocabSize) throw new Error(`tokenizer ${tok.name} has no EOS token to separate records`);
  const tokJson = tok.toJSON();
  await writeText(store, TOKENIZER_FILE, JSON.stringify(tokJson));
  const recipe = tokenizerRecipe(opts.tokenizer, tok, tokJson);
  const encoding = (pool && await poolEncoding(pool, recipe, recipe.kind === 'mistral' ? early : undefined)) || localEncoding(tok);

  // Pass 2.
  const cleanedChars = tallies.reduce((n, t) => n + t.rules.get('decontam')!.after.chars, 0);
  let packedChars = 0;
  const packed = await packPass(store, tok.vocabSize, encoding, opts.sources.map((s, i) => ({ name: s.name, category: s.category, weight: s.weight, textKey: textKeys[i] })),
    packLength, seed, valFraction, shardBytes, maxLineBytes, (chars) => {
      packedChars += chars;
      progress({ stage: 'pack', fraction: cleanedChars ? packedChars / cleanedChars : 1, message: 'tokenizing and packing' });
    }, opts.signal);

  // The SFT sources, after the text sources in the manifest and the mixture.
  const sftDecontam = { pairs: decontamPairs, removed: 0, maxPairs: rules.report.maxDecontamPairs };
  const sft = sftSources.length === 0 ? null : await sftPass({
    store, sources: sftSources, tokenizer: tok, packLength, seed, valFraction, shardBytes, maxRecordBytes: rules.read.maxRecordBytes,
    template: new ChatTemplate(opts.chatTemplate ?? defaultChatTemplate()),
    firstIndex: opts.sources.length, prefixes: shardPrefixes([...names, ...sftSources.map((s) => s.name)]).slice(names.length),
    maxProblems: rules.report.maxProblems, problems, rules, benchmarks: index, decontam: sftDecontam, signal: opts.signal,
  });
  const packedAll = [...packed.sources, ...(sft?.sources ?? []).map((s) => ({ ...s, droppedTokens: 0 }))];
  const specsAll = [...opts.sources, ...sftSources];

  const manifest: DatasetManifest = {
    version: 1, packLength, dtype: dtypeFor(tok.vocabSize), vocabSize: tok.vocabSize, tokenizer: TOKENIZER_FILE,
    bosId: tok.bosId, eosId: tok.eosId, seed, valFraction,
    sources: packedAll.map(({ droppedTokens: _d, ...s }) => s),
    ...(sft ? { segments: true as const } : {}),
  };
  await writeText(store, MANIFEST_FILE, JSON.stringify(manifest, null, 2));

  // Report. A source that read no document is an error named in its row (the page will not train on it).
  const problemsReport = problemTally.report();
  const errors: (string | undefined)[] = [];
  for (const [i, s] of opts.sources.entries()) {
    if (tallies[i].list()[0].before.docs === 0) errors[i] = await emptySourceError(s, problemsReport, rules.read.maxRecordBytes);
  }
  const sourceReports: SourceReport[] = opts.sources.map((s, i) => {
    const ruleReports = tallies[i].list();
    return { ...(errors[i] ? { error: errors[i] } : {}),
      name: s.name, category: s.category, weight: s.weight, lengthClass: lengthClassOf(s), part: partOf(s), task: taskReports[i],
      files: s.files.map((f) => baseName(f.name)), bytes: perSourceBytes[i] ?? 0,
      read: { ...ruleReports[0].before }, problems: sourceProblems[i] ?? {}, rules: ruleReports,
      keptDocuments: tallies[i].keptDocuments, kept: { ...ruleReports[ruleReports.length - 1].after },
    };
  });
  const totals = { read: emptyCounts(), keptDocuments: 0, kept: emptyCounts(), tokens: 0, trainSequences: 0, valSequences: 0 };
  for (const s of sourceReports) { addCounts(totals.read, s.read); totals.keptDocuments += s.keptDocuments; addCounts(totals.kept, s.kept); }
  const trainSequencesOf = packedAll.map((p) => p.train.reduce((n, r) => n + r.sequences, 0));
  const shares = sharesInPlay(packedAll.map((p, i) => ({ weight: p.weight, tokens: p.tokens, trainSequences: trainSequencesOf[i] })), packLength);
  const mixture = packedAll.map((p, i) => {
    const trainSequences = trainSequencesOf[i];
    const valSequences = p.val.reduce((n, r) => n + r.sequences, 0);
    totals.tokens += p.tokens; totals.trainSequences += trainSequences; totals.valSequences += valSequences;
    return { source: p.name, category: p.category, part: partOf(specsAll[i]), weight: p.weight, share: shares[i].share, ...(shares[i].dropped ? { dropped: shares[i].dropped } : {}), records: p.records,
      tokens: p.tokens, trainSequences, valSequences, droppedTokens: p.droppedTokens };
  });
  const report: PipelineReport = {
    version: 1, seed, rules,
    tokenizer: { name: tok.name, vocabSize: tok.vocabSize },
    dataset: { packLength, seqLen, dtype: manifest.dtype, valFraction },
    sources: sourceReports,
    problems: problemsReport,
    decontamination: {
      benchmarkFiles: benchmarkFiles.map((f) => baseName(f.name)),
      benchmarkSamples: index?.sampleCount ?? 0,
      indexedNgrams: index?.entries ?? 0,
      sizes: index ? sizesNeeded(rules.decontam) : [],
      removed: decontamRemoved + sftDecontam.removed,
      pairs: decontamPairs,
    },
    mixture,
    diversity,
    sft: sft?.report ?? null,
    totals,
  };
  await writeText(store, REPORT_FILE, JSON.stringify(report, null, 2));
  opts.onProgress?.({ stage: 'done', fraction: 1, message: `${totals.trainSequences} training sequences of ${packLength} tokens` });
  return report;
}

/** How a worker rebuilds the tokenizer: Mistral's from its module (no 2 MB tokenizer.json to parse), any other
 *  from its tokenizer.json (a BPE just trained, a loaded file). */
function tokenizerRecipe(choice: TokenizerChoice, tok: Tokenizer, json: TokenizerJSON): TokenizerRecipe {
  return choice.kind === 'mistral' && tok.name === 'mistral' ? { kind: 'mistral' } : { kind: 'json', json };
}

async function writeText(store: PipelineDeps['store'], name: string, text: string): Promise<void> {
  const w = await store.writer(name);
  await w.write(text);
  await w.close();
}

function sumSizes(files: readonly { size?: number }[]): number {
  return files.reduce((n, f) => n + (f.size ?? 0), 0);
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** Progress at most every 100 ms (each call may cross a worker boundary), but every stage change at once. */
function throttled(fn?: (p: PipelineProgress) => void): (p: PipelineProgress) => void {
  if (!fn) return () => {};
  let last = 0;
  let stage = '';
  return (p) => {
    const now = Date.now();
    if (p.stage !== stage || now - last >= 100) { stage = p.stage; last = now; fn(p); }
  };
}
