// Pass 2: cleaned.jsonl, record by record, through the tokenizer into packed token shards. A record goes to
// validation when a hash of (seed, source, record index) falls under the validation fraction, so the split
// is fixed by the seed and the data alone. Texts are encoded in chunks (pool/chunk-work.ts: in-process or in
// the worker pool) and packed here in file order, so the shards do not depend on who encoded them.
import { CLEANED_FILE, cleanedText } from './cleaned-record';
import type { ChunkEncoding } from './pool/chunk-work';
import { OrderedQueue } from './pool/ordered-queue';
import { byteLines } from './read/lines';
import { dtypeFor, type ManifestSource } from './pack/manifest';
import { SourcePacker } from './pack/packer';
import { hashUnit } from './rng';
import type { DataStore } from './store';
import { yielder } from './yield';

export interface CleanedEntry {
  source: number;
  /** Index of the record within its source, in cleaned.jsonl order. */
  index: number;
  text: string;
  val: boolean;
}

/** Streams cleaned.jsonl back as entries; `maxLineBytes` bounds the memory one line may take. */
export async function* readCleaned(store: DataStore, sourceNames: readonly string[], textKeys: readonly string[],
                                   seed: number, valFraction: number, maxLineBytes: number): AsyncGenerator<CleanedEntry> {
  const byName = new Map(sourceNames.map((n, i) => [n, i]));
  const counters = new Array<number>(sourceNames.length).fill(0);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for await (const l of byteLines(await store.readStream(CLEANED_FILE), maxLineBytes)) {
    if (l.bytes === null) throw new Error(`${CLEANED_FILE}:${l.line}: line over ${maxLineBytes} bytes`);
    if (l.bytes.length === 0) continue;
    const obj = JSON.parse(utf8.decode(l.bytes)) as Record<string, unknown>;
    const source = byName.get(String(obj._source));
    if (source === undefined) throw new Error(`${CLEANED_FILE}:${l.line}: unknown source ${String(obj._source)}`);
    const index = counters[source]++;
    yield { source, index, text: cleanedText(obj, textKeys[source]), val: hashUnit(seed, source, index) < valFraction };
  }
}

/** File-name prefix for a source's shards: its name made file-safe, and unique among the sources. */
export function shardPrefixes(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n, i) => {
    let p = n.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || `source${i}`;
    if (used.has(p)) p = `${p}-${i}`;
    used.add(p);
    return p;
  });
}

export interface PackPassResult {
  sources: (ManifestSource & { droppedTokens: number })[];
}

export interface PackSourceInfo {
  name: string;
  category: string;
  weight: number;
  textKey: string;
}

export async function packPass(store: DataStore, vocabSize: number, encoding: ChunkEncoding, sources: readonly PackSourceInfo[],
                               packLength: number, seed: number, valFraction: number, shardBytes: number, maxLineBytes: number,
                               onRecord: (bytesApprox: number) => void, signal?: AbortSignal): Promise<PackPassResult> {
  const dtype = dtypeFor(vocabSize);
  const perShard = Math.max(1, Math.floor(shardBytes / (packLength * (dtype === 'uint16' ? 2 : 4))));
  const prefixes = shardPrefixes(sources.map((s) => s.name));
  const packers = sources.map((_, i) => new SourcePacker(store, prefixes[i], packLength, dtype, perShard));
  const records = new Array<number>(sources.length).fill(0);
  const entries = readCleaned(store, sources.map((s) => s.name), sources.map((s) => s.textKey), seed, valFraction, maxLineBytes);
  const pause = yielder();
  const queue = new OrderedQueue<[CleanedEntry[], { ids: Uint32Array; ends: Uint32Array }]>(encoding.inFlight);
  let batch: CleanedEntry[] = [];
  let batchChars = 0;
  // Ids arrive checked against the vocabulary and followed by EOS (encodeAll in pool/worker-handler.ts).
  const apply = async () => {
    const [items, { ids, ends }] = await queue.take();
    let start = 0;
    for (let i = 0; i < items.length; i++) {
      const e = items[i];
      await packers[e.source].add(ids.subarray(start, ends[i]), e.val);
      start = ends[i];
      records[e.source]++;
      onRecord(e.text.length);
    }
  };
  const flush = async () => {
    if (batch.length === 0) return;
    if (queue.full) await apply();
    const items = batch;
    queue.push(encoding.encode(items.map((e) => e.text)).then((r) => [items, r]));
    batch = [];
    batchChars = 0;
  };
  try {
    for await (const e of entries) {
      await pause();
      signal?.throwIfAborted();
      batch.push(e);
      batchChars += e.text.length;
      if (batch.length >= encoding.chunkRecords || batchChars >= encoding.chunkChars) await flush();
    }
    await flush();
    while (queue.length > 0) { signal?.throwIfAborted(); await apply(); }
  } catch (err) {
    for (const p of packers) await p.abandon().catch(() => {});
    throw err;
  }
  const out: PackPassResult = { sources: [] };
  for (let i = 0; i < sources.length; i++) {
    const p = await packers[i].finish();
    const s = sources[i];
    out.sources.push({ name: s.name, category: s.category, weight: s.weight, tokens: p.tokens, records: records[i],
      train: p.train, val: p.val, droppedTokens: p.droppedTokens });
  }
  return out;
}
