// The page's "Export for a cluster": a prepared dataset as `npm run export -- --megatron` writes it (one
// Megatron-LM indexed dataset per source, re-tokenized from cleaned.jsonl and checked against the shards,
// data-path.txt with the mixture weights, README.md of the cluster commands), then zipped into one download.
// The files are written to a scratch folder first (the .bin files stream to disk as they grow), and the zip
// streams from them into its own file, so neither is ever held in memory whole.
import { loadTokenizerJSON } from '../data/tokenizer/load-tokenizer-json';
import { readManifest, TOKENIZER_FILE } from '../data/pack/manifest';
import type { DataStore } from '../data/store';
import { clusterReadme } from '../export/cluster-readme';
import { exportMegatron, type MegatronSourceResult } from '../export/megatron-mixture';
import type { ModelConfig } from '../model/config';
import { PRESETS } from '../model/presets';
import type { ChunkedFile } from '../train/checkpoint/byte-source';
import { zipChunks } from '../train/checkpoint/zip-write';

/** Where the export is written: the scratch folder, its files as Blobs, and the zip. */
export interface MegatronTarget {
  readonly files: DataStore;
  blob(name: string): Promise<Blob>;
  /** Writes the zip's chunks, each before the next is made, and returns the written file. */
  writeZip(name: string, chunks: AsyncIterable<Uint8Array>): Promise<Blob>;
}

export interface MegatronZip {
  file: Blob;
  fileName: string;
  sources: readonly MegatronSourceResult[];
}

const blobFile = (blob: Blob): ChunkedFile => ({
  size: blob.size,
  async *chunks() {
    const reader = (blob.stream() as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  },
});

/**
 * `model` fills the README's hyperparameters (the page's Model fields); without one, hare-1.1b's, as the CLI
 * does without --checkpoint. `onDocument` counts documents written.
 */
export async function megatronZip(input: DataStore, dataset: string, model: ModelConfig | null, target: MegatronTarget,
  onDocument?: (n: number) => void): Promise<MegatronZip> {
  const manifest = await readManifest(input);
  const tokenizer = loadTokenizerJSON(JSON.parse(await input.readText(TOKENIZER_FILE)), { name: `${dataset}/${TOKENIZER_FILE}` });
  const result = await exportMegatron(input, manifest, tokenizer, target.files, onDocument ? { onDocument } : {});
  const readme = await target.files.writer('README.md');
  await readme.write(clusterReadme({ config: model ?? PRESETS['hare-1.1b'], fromCheckpoint: false, megatron: result, vocabSize: manifest.vocabSize }));
  await readme.close();
  const entries: [string, ChunkedFile | Uint8Array][] = [];
  for (const name of await target.files.list()) {
    const blob = await target.blob(name);
    // The small text files are deflated (the zip writer deflates bytes in memory); the token files are stored.
    entries.push([name, /\.(bin|idx)$/.test(name) ? blobFile(blob) : new Uint8Array(await blob.arrayBuffer())]);
  }
  const folder = `${dataset}-megatron`;
  const fileName = `${folder}.zip`;
  return { file: await target.writeZip(fileName, zipChunks(entries, { folder })), fileName, sources: result.sources };
}
