// `npm run eval -- --checkpoint DIR --data FILE`: prints `loss: X`, the mean next-token cross-entropy over
// the file's documents (JSONL/CSV/Parquet records, or blank-line blocks of a text file), each encoded as
// BOS followed by its tokens and truncated to the model's context length, averaged over every predicted
// token, with no packing across documents.
import { openDevice, describeAdapter } from '../engine/device';
import { Engine } from '../engine/engine';
import { nodeGPU } from '../engine/node-gpu.node';
import { readRecords } from '../data/read/records';
import { nodeSourceFile } from '../data/source-file.node';
import { detectFormat } from '../data/source';
import { loadTokenizerJSON } from '../data/tokenizer';
import { paramSpecs } from '../model/params';
import { readCheckpoint } from '../train/checkpoint/checkpoint-read';
import { openCheckpointDir } from '../train/checkpoint/dir.node';
import { documentLoss } from '../train/eval-documents';
import { fingerprintOfJSON } from '../train/trainer';
import { Args, ArgError } from './args';

export const EVAL_USAGE = `usage: npm run eval -- --checkpoint DIR --data FILE [--field text] [--batch 4] [--swiftshader]`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { console.log(EVAL_USAGE); return 0; }
  try {
    const a = new Args(argv, new Set(['swiftshader']));
    const dir = a.required('checkpoint'), data = a.required('data');
    const field = a.string('field') ?? 'text';
    const batch = a.number('batch', 4);
    const swiftshader = a.flag('swiftshader');
    a.checkAllUsed();
    return await evaluate(dir, data, field, batch, swiftshader);
  } catch (e) {
    if (e instanceof ArgError) { console.error(`${e.message}\n\n${EVAL_USAGE}`); return 2; }
    throw e;
  }
}

async function evaluate(dir: string, data: string, field: string, batch: number, swiftshader: boolean): Promise<number> {
  const opened = await openCheckpointDir(dir);
  try {
    const ck = await readCheckpoint(opened.files, { fingerprint: fingerprintOfJSON });
    for (const w of ck.warnings) console.error(`warning: ${w}`);
    const tokenizer = loadTokenizerJSON(ck.tokenizerJSON);
    const config = ck.config;
    const dev = await openDevice(await nodeGPU({ swiftshader }));
    console.error(`adapter: ${describeAdapter(dev.caps)}`);
    const T = config.contextLength;
    const engine = await Engine.createForward(dev, config, { batchSize: batch, seqLen: T });
    const params = new Map<string, Float32Array>();
    for (const s of paramSpecs(config)) params.set(s.name, await ck.readParam(s.name));
    engine.setParams(params);
    const file = await nodeSourceFile(data);
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
  } finally {
    await opened.close();
  }
}
