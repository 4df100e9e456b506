// `npm run eval -- --checkpoint DIR --data FILE`: prints `loss: X`, the mean next-token cross-entropy over
// the file's documents (JSONL/CSV/Parquet records, or blank-line blocks of a text file), each encoded as
// BOS followed by its tokens and truncated to the model's context length, averaged over every predicted
// token, with no packing across documents. DIR is a Leveret checkpoint or any Hugging Face Llama/Mistral
// folder (config.json, tokenizer.json, single or sharded safetensors in F32, F16 or BF16). --adapter DIR
// runs a PEFT LoRA adapter on that base, unmerged, as peft.PeftModel does.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openDevice, describeAdapter } from '../engine/device';
import { Engine } from '../engine/engine';
import { nodeGPU } from '../engine/node-gpu.node';
import { readRecords } from '../data/read/records';
import { nodeSourceFile } from '../data/source-file.node';
import { detectFormat } from '../data/source';
import { paramSpecs } from '../model/params';
import { openCheckpointDir, type OpenedDir } from '../train/checkpoint/dir.node';
import { openModelFiles, type ModelFiles } from '../train/checkpoint/open-model';
import type { Tokenizer } from '../data/tokenizer';
import type { SourceFile } from '../data/source';
import { documentLoss } from '../train/eval-documents';
import { Args, ArgError, InputError } from './args';
import { loadTokenizerFile } from './dataset.node';
import { runTasks, TASKS_USAGE } from './eval-tasks';
import { openAdapterArg, type AdapterArg } from './adapter-arg.node';

export const EVAL_USAGE = `usage: npm run eval -- --checkpoint DIR --data FILE [--adapter DIR] [--field text] [--batch 4] [--swiftshader]
   or: npm run eval -- --checkpoint DIR --task NAME=FILE ... (benchmarks, below)`;

interface EvalRun {
  dir: string;
  data: string;
  file: SourceFile;
  field: string;
  batch: number;
  swiftshader: boolean;
  opened: OpenedDir;
  ck: ModelFiles;
  tokenizer: Tokenizer;
  adapter?: AdapterArg;
}

/** Every argument, the data file and the checkpoint's headers and tokenizer, before the GPU is touched. */
export async function validateEvalRun(argv: readonly string[]): Promise<EvalRun> {
  const a = new Args(argv, new Set(['swiftshader']));
  const dir = a.required('checkpoint'), data = a.required('data');
  const field = a.string('field') ?? 'text';
  const batch = a.number('batch', 4);
  if (!Number.isInteger(batch) || batch < 1) throw new ArgError(`--batch must be a positive integer, got ${batch}`);
  const swiftshader = a.flag('swiftshader');
  const adapterDir = a.string('adapter');
  a.checkAllUsed();
  const isFile = await stat(data).then((i) => i.isFile(), () => false);
  if (!isFile) throw new InputError(`--data ${data}: no such file`);
  const file = await nodeSourceFile(data);
  const named = (e: unknown) => (e instanceof InputError ? e : new InputError(`--checkpoint ${dir}: ${(e as Error).message}`));
  const opened = await openCheckpointDir(dir).catch((e) => { throw named(e); });
  try {
    const ck = await openModelFiles(opened.files, dir);
    const tokenizer = loadTokenizerFile(ck.tokenizerJSON, join(dir, 'tokenizer.json'));
    const adapter = adapterDir !== undefined ? await openAdapterArg(adapterDir, ck.config) : undefined;
    return { dir, data, file, field, batch, swiftshader, opened, ck, tokenizer, adapter };
  } catch (e) {
    await opened.close();
    throw named(e);
  }
}

export async function run(argv: string[]): Promise<number> {
  // With --task it scores benchmarks (eval-tasks.ts); without, it is the loss over --data.
  const tasks = argv.some((a) => a === '--task' || a.startsWith('--task='));
  if (argv.includes('--help')) { console.log(tasks ? TASKS_USAGE : `${EVAL_USAGE}\n\n${TASKS_USAGE}`); return 0; }
  if (tasks) return runTasks(argv);
  let checked: EvalRun;
  try {
    checked = await validateEvalRun(argv);
  } catch (e) {
    if (e instanceof ArgError) { console.error(`${e.message}\n\n${EVAL_USAGE}`); return 2; }
    if (e instanceof InputError) { console.error(e.message); return 2; }
    throw e;
  }
  try {
    return await evaluate(checked);
  } finally {
    await checked.adapter?.close();
    await checked.opened.close();
  }
}

async function evaluate({ data, file, field, batch, swiftshader, ck, tokenizer, adapter }: EvalRun): Promise<number> {
  for (const w of ck.warnings) console.error(`warning: ${w}`);
  const config = ck.config;
  const dev = await openDevice(await nodeGPU({ swiftshader }));
  console.error(`adapter: ${describeAdapter(dev.caps)}`);
  const T = config.contextLength;
  const lora = adapter?.adapter.lora;
  const engine = await Engine.createForward(dev, config, { batchSize: batch, seqLen: T }, lora ? { lora } : {});
  // One tensor at a time onto the GPU: a released folder may be larger than this process should hold.
  for (const s of paramSpecs(config)) engine.store.write(s.name, await ck.readParam(s.name));
  if (adapter) {
    for (const s of engine.adapter!.specs) engine.adapter!.write(s.name, await adapter.adapter.readTensor(s.name));
    console.error(`adapter: ${adapter.dir}, LoRA r ${lora!.rank}, alpha ${lora!.alpha} on ${lora!.targets.join(', ')}`);
  }
  const problems: string[] = [];
  async function* docs(): AsyncGenerator<number[]> {
    const fmt = detectFormat(data, field);
    for await (const r of readRecords(file, fmt, { maxRecordBytes: 64 * 2 ** 20 }, (p) => problems.push(`${p.file}:${p.line ?? '?'} ${p.message}`))) {
      // Only the first T tokens can matter: encode a generous prefix of a long document, not all of it.
      const text = r.text.length > T * 32 ? r.text.slice(0, T * 32) : r.text;
      yield [ck.bosId, ...tokenizer.encode(text)];
    }
  }
  const result = await documentLoss(docs(), batch, T, (b) => engine.forwardLosses(b));
  for (const p of problems.slice(0, 10)) console.error(`skipped: ${p}`);
  console.error(`${result.documents} documents, ${result.predictedTokens} predicted tokens`);
  console.log(`loss: ${result.loss.toFixed(6)}`);
  engine.destroy();
  return 0;
}
