// The training data for a CLI run: a folder `npm run data` wrote, or a single .txt / .jsonl file that is
// prepared on the spot (default cleaning rules) into a cache folder keyed by the file and the settings. A .jsonl
// of conversations (its first row in an SFT layout, with no "text" field) is prepared as SFT data, rendered
// with the chat template of the --init-from folder's tokenizer_config.json (ChatML without one).
// Opening checks everything up front (existingDataset); preparing is the slow part, run after every check.
import { createHash } from 'node:crypto';
import { constants, existsSync, type Stats } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runPipeline } from '../data/pipeline';
import { bytesPerToken, MANIFEST_FILE, TOKENIZER_FILE, type DatasetManifest } from '../data/pack/manifest';
import { describeDocumentCounts } from '../data/report-counts';
import { resolveTokenizer } from '../data/resolve-tokenizer';
import { nodeSourceFile } from '../data/source-file.node';
import { NodeDirStore } from '../data/store.node';
import type { TokenizerChoice } from '../data/tokenizer-choice';
import { loadTokenizerJSON, type Tokenizer } from '../data/tokenizer';
import { InputError } from './args';
import { detectSftLayout } from '../data/sft/layouts';
import { defaultChatTemplate, type ChatTemplateSpec } from '../data/sft/chat-template';
import { chatTemplateInFolder } from './chat-template.node';
import { checkManifest } from './manifest-check';
import { readJSONFile } from './read-json.node';

export interface CliDataset {
  readonly dir: string;
  readonly store: NodeDirStore;
  readonly manifest: DatasetManifest;
  readonly tokenizer: Tokenizer;
  readonly id: string;
}

/** Opens a prepared folder, checking everything a run will read: the manifest field by field, the tokenizer,
 *  and every shard's presence and size. Each refusal names the file. */
export async function openDatasetDir(dir: string): Promise<CliDataset> {
  const manifestPath = join(dir, MANIFEST_FILE);
  const manifest = checkManifest(await readJSONFile(manifestPath, 'dataset manifest'), manifestPath);
  const tokenizerPath = join(dir, TOKENIZER_FILE);
  const tokenizer = loadTokenizerFile(await readJSONFile(tokenizerPath, 'tokenizer'), tokenizerPath);
  if (tokenizer.vocabSize !== manifest.vocabSize) {
    throw new InputError(`${tokenizerPath}: a vocabulary of ${tokenizer.vocabSize}, but ${MANIFEST_FILE} says ${manifest.vocabSize}`);
  }
  const sequenceBytes = manifest.packLength * bytesPerToken(manifest.dtype);
  for (const s of manifest.sources) {
    for (const shard of [...s.train, ...s.val]) {
      const path = join(dir, shard.file);
      const size = await stat(path).then((i) => (i.isFile() ? i.size : -1), () => -1);
      if (size < 0) throw new InputError(`${path}: missing (${manifestPath} lists it)`);
      if (size !== shard.sequences * sequenceBytes) {
        throw new InputError(`${path}: ${size} bytes, but ${MANIFEST_FILE} lists ${shard.sequences} sequences of ${sequenceBytes} bytes`);
      }
    }
  }
  const store = await NodeDirStore.open(dir);
  return { dir, store, manifest, tokenizer, id: resolve(dir) };
}

/** Loads a parsed tokenizer.json, naming the file in any refusal (the loader's own messages do not). */
export function loadTokenizerFile(json: unknown, path: string): Tokenizer {
  try {
    return loadTokenizerJSON(json);
  } catch (e) {
    throw new InputError(`${path}: not a usable tokenizer.json (${(e as Error).message})`);
  }
}

/** A dataset a run can open now without work: a prepared folder, or a file prepared earlier into the cache. */
export async function existingDataset(data: string, tokenizer: TokenizerChoice, seqLen: number, templateDir?: string): Promise<CliDataset | null> {
  const info = await stat(data).catch(() => { throw new InputError(`--data ${data}: no such file or folder`); });
  if (info.isDirectory()) {
    if (!existsSync(join(data, MANIFEST_FILE))) throw new InputError(`--data ${data}: the folder has no ${MANIFEST_FILE} (write one with npm run data first)`);
    return openDatasetDir(data);
  }
  if (!info.isFile()) throw new InputError(`--data ${data}: not a file or folder`);
  await access(data, constants.R_OK).catch(() => { throw new InputError(`--data ${data}: cannot be read`); });
  const sft = await sftTemplate(data, templateDir);
  if (sft && tokenizer.kind === 'bpe') {
    throw new InputError(`--data ${data}: conversations (SFT rows) need the model's own tokenizer: train with --init-from DIR, or prepare them with npm run data -- --source ${data}:chat:1:sft --tokenizer DIR/tokenizer.json`);
  }
  const dir = cacheDir(data, info, tokenizer, seqLen, sft);
  return existsSync(join(dir, MANIFEST_FILE)) ? openDatasetDir(dir) : null;
}

/** The chat template when `data` is a .jsonl of conversations (first row in an SFT layout, no "text" field), else null. */
async function sftTemplate(data: string, templateDir: string | undefined): Promise<ChatTemplateSpec | null> {
  if (!/\.(jsonl|ndjson)$/i.test(data)) return null;
  const f = await open(data, 'r');
  let head: string;
  try {
    const buf = new Uint8Array(1 << 20);
    const { bytesRead } = await f.read(buf, 0, buf.length, 0);
    head = new TextDecoder().decode(buf.subarray(0, bytesRead));
  } finally {
    await f.close();
  }
  let row: unknown;
  try { row = JSON.parse(head.split('\n').find((l) => l.trim() !== '') ?? ''); } catch { return null; }
  if (!row || typeof row !== 'object' || Array.isArray(row) || 'text' in row || !detectSftLayout(row as Record<string, unknown>)) return null;
  return (templateDir ? await chatTemplateInFolder(templateDir) : null) ?? defaultChatTemplate();
}

function cacheDir(data: string, info: Stats, tokenizer: TokenizerChoice, seqLen: number, sft: ChatTemplateSpec | null): string {
  const key = createHash('sha256')
    .update(JSON.stringify([resolve(data), info.size, info.mtimeMs, tokenizer, seqLen, ...(sft ? [sft.template, sft.bosToken, sft.eosToken] : [])]))
    .digest('hex').slice(0, 16);
  return join('.cache', 'datasets', key);
}

/** Prepares a file (checked by existingDataset, not prepared before) into its cache folder, with the
 *  default cleaning rules, for sequences of seqLen tokens. */
export async function prepareDataFile(data: string, tokenizer: TokenizerChoice, seqLen: number,
  log: (s: string) => void, templateDir?: string): Promise<CliDataset> {
  const sft = await sftTemplate(data, templateDir);
  const dir = cacheDir(data, await stat(data), tokenizer, seqLen, sft);
  const what = sft ? `SFT conversations, chat template: ${sft.origin}` : 'default cleaning rules';
  log(`data: preparing ${data} into ${dir} (${what}, tokenizer ${tokenizer.kind === 'bpe' ? `byte-level BPE ${tokenizer.vocabSize}` : tokenizer.kind})`);
  const store = await NodeDirStore.open(dir);
  const file = await nodeSourceFile(data);
  const report = await runPipeline({
    sources: [{ name: 'data', category: sft ? 'chat' : 'text', weight: 1, files: [file], sft: sft !== null }],
    tokenizer, seqLen, chatTemplate: sft ?? undefined,
  }, { store, resolveTokenizer });
  if (report.sft) {
    const s = report.sft.sources[0];
    log(`data: ${s.examples} examples of ${s.rows} rows (${s.skipped} bad, ${s.tooLong} too long, ${s.duplicates} duplicates); ` +
      `${s.learnedTokens} learned and ${s.maskedTokens} masked tokens`);
    for (const p of report.sft.problems.slice(0, 5)) log(`  ${p.file}:${p.line}: ${p.message}`);
  }
  const t = report.totals;
  log(`data: ${describeDocumentCounts({ read: t.read.docs, keptDocuments: t.keptDocuments, pieces: t.kept.docs })}; ` +
    `${t.trainSequences} training and ${t.valSequences} validation sequences`);
  return openDatasetDir(dir);
}
