// `npm run data`: the data pipeline from the command line, writing a dataset folder the trainer reads.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runPipeline, REPORT_FILE } from '../data/pipeline';
import { CLEANED_FILE } from '../data/cleaned-record';
import { MANIFEST_FILE, TOKENIZER_FILE, type DatasetManifest } from '../data/pack/manifest';
import type { PipelineOptions, PipelineProgress } from '../data/pipeline-options';
import { createNodePool, defaultWorkers } from '../data/pool/pool.node';
import { resolveTokenizer } from '../data/resolve-tokenizer';
import { nodeSourceFile } from '../data/source-file.node';
import { NodeDirStore } from '../data/store.node';
import type { TokenizerChoice } from '../data/tokenizer-choice';
import { parsePrepareArgs, PREPARE_USAGE, UsageError, type PrepareArgs } from './prepare-args';
import { summarize } from './prepare-summary';
import { InputError } from './args';
import { checkPrepareInputs, readTemplateFile } from './prepare-inputs.node';
import { resolveChatTemplate } from './chat-template.node';
import type { ChatTemplateSpec } from '../data/sft/chat-template';
import { UNCLUSTERED_FILE } from '../data/diversity/cluster-pass';
import type { TemplateSet } from '../data/tasks/user-templates';

/** Removes what a previous run left in `dir` (its shards and known files), and nothing else. */
async function clearPreviousDataset(dir: string): Promise<void> {
  let manifest: DatasetManifest | null = null;
  try { manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as DatasetManifest; } catch { /* none */ }
  const shards = manifest?.sources.flatMap((s) => [...s.train, ...s.val].map((r) => r.file)) ?? [];
  for (const f of [...shards, MANIFEST_FILE, TOKENIZER_FILE, CLEANED_FILE, UNCLUSTERED_FILE, REPORT_FILE]) {
    if (/^[A-Za-z0-9._-]+$/.test(f)) await rm(join(dir, f), { force: true });
  }
}

function progressPrinter(): (p: PipelineProgress) => void {
  let stage = '';
  const tty = process.stderr.isTTY;
  return (p) => {
    if (p.stage !== stage) {
      if (tty && stage) process.stderr.write('\n');
      stage = p.stage;
      if (!tty) process.stderr.write(`[prepare] ${p.message}\n`);
    }
    if (tty) process.stderr.write(`\r[prepare] ${p.stage} ${(p.fraction * 100).toFixed(0).padStart(3)}%  ${p.message}`.padEnd(100));
    if (tty && p.stage === 'done') process.stderr.write('\n');
  };
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { console.log(PREPARE_USAGE); return 0; }
  let args: PrepareArgs;
  let tokenizer: TokenizerChoice;
  let templates: TemplateSet = {};
  let chatTemplate: ChatTemplateSpec | undefined;
  try {
    args = parsePrepareArgs(argv);
    tokenizer = await checkPrepareInputs(args);
    if (args.templates) templates = await readTemplateFile(args.templates);
    if (args.sources.some((s) => s.sft)) {
      chatTemplate = await resolveChatTemplate(args.chatTemplate, args.tokenizer.kind === 'file' ? args.tokenizer.path : undefined);
    }
  } catch (err) {
    if (err instanceof UsageError) { console.error(`${err.message}\n\n${PREPARE_USAGE}`); return 2; }
    if (err instanceof InputError) { console.error(err.message); return 2; }
    throw err;
  }
  const opts: PipelineOptions = {
    sources: await Promise.all(args.sources.map(async (s) => ({
      name: s.name, category: s.category, weight: s.weight, format: s.format, sft: s.sft,
      // A task source takes the --templates file's templates for its layout, when it has some.
      task: s.task && { ...s.task, templates: templates[s.task.layout] ?? s.task.templates },
      files: await Promise.all(s.paths.map(nodeSourceFile)),
    }))),
    benchmarks: await Promise.all(args.benchmarks.map(async (b) => ({ files: [await nodeSourceFile(b.path)], fields: b.fields }))),
    rules: args.rules,
    seed: args.seed,
    seqLen: args.seqLen,
    valFraction: args.valFraction,
    diversity: args.diversity,
    chatTemplate,
    tokenizer,
    onProgress: progressPrinter(),
  };
  const store = await NodeDirStore.open(args.out);
  await clearPreviousDataset(args.out);
  const started = Date.now();
  const workers = args.workers ?? defaultWorkers([...opts.sources, ...(opts.benchmarks ?? [])].flatMap((s) => s.files).reduce((n, f) => n + (f.size ?? 0), 0));
  const pool = workers > 0 ? await createNodePool(workers) : undefined;
  let report;
  try {
    report = await runPipeline(opts, { store, resolveTokenizer, pool });
  } finally {
    pool?.close();
  }
  console.log(`\n${summarize(report)}\n`);
  console.log(`Wrote ${args.out}/{${MANIFEST_FILE}, ${TOKENIZER_FILE}, ${CLEANED_FILE}, ${REPORT_FILE}} and ${report.totals.trainSequences + report.totals.valSequences} sequences in shards, in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return 0;
}
