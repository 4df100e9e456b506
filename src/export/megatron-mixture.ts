// A prepared dataset folder as Megatron-LM data: one indexed dataset per source and the --data-path line
// that blends them with the mixture weights.
//
// Where the documents come from: cleaned.jsonl, re-tokenized with the folder's tokenizer.json, one document
// per kept record followed by EOS (Megatron's --append-eod). The token shards cannot give documents back:
// they are cut into packLength sequences with the tail of each split dropped, records are interleaved
// between the train and validation shards, and the last sequence may move between splits. Re-tokenizing is
// exact, and it is checked against the shards: the first sequence of each source's train and validation
// shards must equal the start of that split's re-tokenized stream (the packer's own rule), so a different
// tokenizer or text field is refused instead of exported.
import { CLEANED_FILE } from '../data/cleaned-record';
import { decodeTokens, type DatasetManifest } from '../data/pack/manifest';
import { shardPrefixes } from '../data/pack-pass';
import { byteLines } from '../data/read/lines';
import { hashUnit } from '../data/rng';
import type { DataStore } from '../data/store';
import type { Tokenizer } from '../data/tokenizer/tokenizer';
import { MegatronIndexedWriter, megatronDtype, type MegatronDtype } from './megatron-indexed';

export const DATA_PATH_FILE = 'data-path.txt';
const MAX_LINE_BYTES = 256 * 2 ** 20;

export interface MegatronSourceResult {
  readonly name: string;
  /** File prefix inside the output folder (PREFIX.bin, PREFIX.idx). */
  readonly prefix: string;
  readonly weight: number;
  readonly documents: number;
  readonly tokens: number;
}

export interface MegatronExport {
  readonly dtype: MegatronDtype;
  readonly sources: readonly MegatronSourceResult[];
  /** "W1 PREFIX1 W2 PREFIX2 ...", prefixes relative to the output folder. */
  readonly dataPath: string;
}

export class MegatronExportError extends Error {}

/** The key holding a cleaned line's text: `_text` where the pipeline joined fields, else `text`, unless told. */
function lineText(obj: Record<string, unknown>, textField: string | undefined, line: number): string {
  const key = textField ?? ('_text' in obj ? '_text' : 'text');
  const v = obj[key];
  if (typeof v !== 'string') {
    throw new MegatronExportError(`${CLEANED_FILE}:${line}: no string field "${key}" (pass --text-field with the field the data was prepared from)`);
  }
  return v;
}

export async function exportMegatron(input: DataStore, manifest: DatasetManifest, tok: Tokenizer, out: DataStore,
  opts: { textField?: string; onDocument?: (n: number) => void } = {}): Promise<MegatronExport> {
  const names = manifest.sources.map((s) => s.name);
  const byName = new Map(names.map((n, i) => [n, i]));
  const prefixes = shardPrefixes(names).map((p) => `${p}_text_document`);
  const dtype = megatronDtype(manifest.vocabSize);
  const writers: (MegatronIndexedWriter | null)[] = names.map(() => null);
  const counters = new Array<number>(names.length).fill(0);
  const tokens = new Array<number>(names.length).fill(0);
  // The first packLength tokens of each source's train [0] and validation [1] stream, for the shard check.
  const heads = names.map(() => [[], []] as number[][]);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let total = 0;
  for await (const l of byteLines(await input.readStream(CLEANED_FILE), MAX_LINE_BYTES)) {
    if (l.bytes === null) throw new MegatronExportError(`${CLEANED_FILE}:${l.line}: line over ${MAX_LINE_BYTES} bytes`);
    if (l.bytes.length === 0) continue;
    const obj = JSON.parse(utf8.decode(l.bytes)) as Record<string, unknown>;
    const s = byName.get(String(obj._source));
    if (s === undefined) throw new MegatronExportError(`${CLEANED_FILE}:${l.line}: source ${String(obj._source)} is not in dataset.json`);
    const ids = tok.encode(lineText(obj, opts.textField, l.line));
    ids.push(tok.eosId);
    const head = heads[s][hashUnit(manifest.seed, s, counters[s]++) < manifest.valFraction ? 1 : 0];
    for (let i = 0; i < ids.length && head.length < manifest.packLength; i++) head.push(ids[i]);
    writers[s] ??= new MegatronIndexedWriter(await out.writer(`${prefixes[s]}.bin`), dtype);
    await writers[s].addDocument(ids);
    tokens[s] += ids.length;
    opts.onDocument?.(++total);
  }
  for (let s = 0; s < names.length; s++) await checkAgainstShards(input, manifest, s, heads[s]);

  const sources: MegatronSourceResult[] = [];
  for (let s = 0; s < names.length; s++) {
    const w = writers[s];
    if (!w) continue; // a source with no kept record has nothing to blend (Megatron refuses empty datasets)
    const idx = await out.writer(`${prefixes[s]}.idx`);
    await idx.write(await w.finish());
    await idx.close();
    sources.push({ name: names[s], prefix: prefixes[s], weight: manifest.sources[s].weight, documents: w.documents, tokens: tokens[s] });
  }
  const dataPath = sources.map((s) => `${s.weight} ${s.prefix}`).join(' ');
  const dp = await out.writer(DATA_PATH_FILE);
  await dp.write(`${dataPath}\n`);
  await dp.close();
  return { dtype, sources, dataPath };
}

async function checkAgainstShards(input: DataStore, m: DatasetManifest, s: number, heads: number[][]): Promise<void> {
  const src = m.sources[s];
  for (const [split, shards] of [[0, src.train], [1, src.val]] as const) {
    const head = heads[split];
    // Only a split whose own stream filled a sequence starts its shards with it (the packer may move one
    // held-back sequence into an otherwise empty split).
    if (head.length < m.packLength || !shards.length) continue;
    const width = m.dtype === 'uint16' ? 2 : 4;
    const first = new Int32Array(m.packLength);
    decodeTokens(await input.readRange(shards[0].file, 0, m.packLength * width), m.dtype, first);
    const at = first.findIndex((t, i) => t !== head[i]);
    if (at >= 0) {
      throw new MegatronExportError(`${CLEANED_FILE} re-tokenized does not reproduce ${shards[0].file} (source ${src.name}, ` +
        `token ${at}: ${head[at]} against ${first[at]}); is tokenizer.json the one the folder was prepared with, or the text in another field (--text-field)?`);
    }
  }
}
