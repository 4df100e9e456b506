// A prepared dataset as the trainer needs it: the token shards' store, the manifest and the tokenizer the
// shards were encoded with, read from the folder the data worker wrote in OPFS.
import { MANIFEST_FILE, readManifest, TOKENIZER_FILE, type DatasetManifest } from '../data/pack/manifest';
import { MixtureSampler } from '../data/sampler';
import type { DataStore } from '../data/store';
import { OpfsStore } from '../data/store.opfs';
import { loadTokenizerJSON } from '../data/tokenizer/load-tokenizer-json';
import { tokenizerFingerprint } from '../data/tokenizer/fingerprint';
import type { Tokenizer } from '../data/tokenizer/tokenizer';

export interface OpenedDataset {
  readonly name: string;
  readonly store: DataStore;
  readonly manifest: DatasetManifest;
  readonly tokenizer: Tokenizer;
  readonly fingerprint: string;
}

export async function openDataset(name: string): Promise<OpenedDataset> {
  let store: OpfsStore;
  try {
    store = await OpfsStore.open(name, false);
  } catch (e) {
    if (e instanceof DOMException && e.name === 'NotFoundError') {
      throw new Error(`dataset "${name}" is not in this browser's storage: prepare the same data (same files and settings) first`);
    }
    throw e;
  }
  const files = await store.list();
  if (!files.includes(MANIFEST_FILE)) throw new Error(`dataset "${name}" is incomplete (its preparation did not finish): prepare it again`);
  const manifest = await readManifest(store);
  const tokenizer = loadTokenizerJSON(JSON.parse(await store.readText(TOKENIZER_FILE)) as unknown);
  return { name, store, manifest, tokenizer, fingerprint: tokenizerFingerprint(tokenizer) };
}

/** The batch drawer for a run: seeded by the run, reading windows of seqLen + 1 tokens. */
export function openSampler(d: OpenedDataset, seed: number, seqLen: number): MixtureSampler {
  if (seqLen > d.manifest.packLength - 1) {
    throw new Error(`sequence length ${seqLen} is longer than this dataset was packed for (${d.manifest.packLength - 1}): prepare the data again at this length`);
  }
  return new MixtureSampler(d.manifest, d.store, { seed, seqLen });
}
