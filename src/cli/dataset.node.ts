// The training data for a CLI run: a folder `npm run data` wrote, or a single .txt / .jsonl file that is
// prepared on the spot (default cleaning rules) into a cache folder keyed by the file and the settings.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runPipeline } from '../data/pipeline';
import { MANIFEST_FILE, TOKENIZER_FILE, type DatasetManifest } from '../data/pack/manifest';
import { describeDocumentCounts } from '../data/report-counts';
import { resolveTokenizer } from '../data/resolve-tokenizer';
import { nodeSourceFile } from '../data/source-file.node';
import { NodeDirStore } from '../data/store.node';
import type { TokenizerChoice } from '../data/tokenizer-choice';
import { loadTokenizerJSON, type Tokenizer } from '../data/tokenizer';

export interface CliDataset {
  readonly dir: string;
  readonly store: NodeDirStore;
  readonly manifest: DatasetManifest;
  readonly tokenizer: Tokenizer;
  readonly id: string;
}

export async function openDatasetDir(dir: string): Promise<CliDataset> {
  const store = await NodeDirStore.open(dir);
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as DatasetManifest;
  const tokenizer = loadTokenizerJSON(JSON.parse(await readFile(join(dir, TOKENIZER_FILE), 'utf8')));
  return { dir, store, manifest, tokenizer, id: resolve(dir) };
}

/** Opens `data` (a prepared folder) or prepares it (a file) for sequences of seqLen tokens. */
export async function datasetFor(data: string, tokenizer: TokenizerChoice, seqLen: number,
  log: (s: string) => void): Promise<CliDataset> {
  const info = await stat(data).catch(() => { throw new Error(`--data ${data}: no such file or folder`); });
  if (info.isDirectory()) {
    if (!existsSync(join(data, MANIFEST_FILE))) throw new Error(`--data ${data}: the folder has no ${MANIFEST_FILE} (write one with npm run data first)`);
    return openDatasetDir(data);
  }
  const key = createHash('sha256')
    .update(JSON.stringify([resolve(data), info.size, info.mtimeMs, tokenizer, seqLen])).digest('hex').slice(0, 16);
  const dir = join('.cache', 'datasets', key);
  if (existsSync(join(dir, MANIFEST_FILE))) {
    log(`data: ${data}, prepared earlier in ${dir}`);
    return openDatasetDir(dir);
  }
  log(`data: preparing ${data} into ${dir} (default cleaning rules, tokenizer ${tokenizer.kind === 'bpe' ? `byte-level BPE ${tokenizer.vocabSize}` : tokenizer.kind})`);
  const store = await NodeDirStore.open(dir);
  const file = await nodeSourceFile(data);
  const report = await runPipeline({
    sources: [{ name: 'data', category: 'text', weight: 1, files: [file] }],
    tokenizer, seqLen,
  }, { store, resolveTokenizer });
  const t = report.totals;
  log(`data: ${describeDocumentCounts({ read: t.read.docs, keptDocuments: t.keptDocuments, pieces: t.kept.docs })}; ` +
    `${t.trainSequences} training and ${t.valSequences} validation sequences`);
  return openDatasetDir(dir);
}
