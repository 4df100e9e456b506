// The data worker's API, built on injected storage so it runs (and is tested) outside a browser; the worker
// entry wires it to OPFS and Comlink.
import { MANIFEST_FILE, type DatasetManifest } from '../data/pack/manifest';
import { runPipeline } from '../data/pipeline';
import { sniffColumns } from '../data/sniff-columns';
import { DEFAULT_RULES, RULE_HELP } from '../data/rules/defaults';
import { checkName, type DataStore } from '../data/store';
import type { ResolveTokenizer } from '../data/tokenizer-choice';
import type { SourceFile } from '../data/source';
import { checkWorkerCount, type CreateWorkerPool, type WorkerPool } from '../data/pool/pool';
import type { DataApi, DatasetInfo, InputFile } from './data-api';
import { megatronZip, type MegatronTarget } from './data-megatron';
import { previewLayout } from './data-layout-preview';

/** A File is a SourceFile already; a named Blob becomes one. */
export function toSourceFile(f: InputFile): SourceFile {
  if (!('blob' in f)) return f;
  const { name, blob } = f;
  return { name, size: blob.size, stream: () => blob.stream(), slice: (start, end) => blob.slice(start, end) };
}

export interface DataServiceDeps {
  /** The dataset's folder; `create` is false for reads, which must not make empty datasets appear. */
  openStore(dataset: string, create: boolean): Promise<DataStore>;
  listDatasets(): Promise<string[]>;
  removeDataset(dataset: string): Promise<void>;
  /** The file as a Blob, without reading it into memory where the backend allows. */
  blob(store: DataStore, file: string): Promise<Blob>;
  resolveTokenizer: ResolveTokenizer;
  /** A fresh place for a Megatron export (OPFS in the page); the export is refused without one. */
  megatronTarget?(dataset: string): Promise<MegatronTarget>;
  /** Starts the pool for PrepareRequest.workers (pool/pool.web.ts in the page); without, everything runs here. */
  createPool?: CreateWorkerPool;
  /** Workers when a request does not say, given the input's bytes; default 0. */
  defaultWorkers?: (inputBytes: number) => number;
}

export function createDataApi(deps: DataServiceDeps): DataApi {
  let running: AbortController | null = null;
  // The pool outlives a prepare: its workers keep their loaded modules and warm code for the next one.
  let pool: WorkerPool | null = null;
  const poolOf = async (workers: number): Promise<WorkerPool | undefined> => {
    if (checkWorkerCount(workers) === 0 || !deps.createPool) return undefined;
    if (pool?.size !== workers) { pool?.close(); pool = await deps.createPool(workers); }
    return pool;
  };
  return {
    async prepare(req, onProgress) {
      if (running) throw new Error('a dataset is already being prepared in this worker');
      checkName(req.dataset);
      running = new AbortController();
      try {
        const inputBytes = [...req.sources, ...(req.benchmarks ?? [])].flatMap((s) => s.files).reduce((n, f) => n + (toSourceFile(f).size ?? 0), 0);
        const runPool = await poolOf(req.workers ?? deps.defaultWorkers?.(inputBytes) ?? 0);
        const store = await deps.openStore(req.dataset, true);
        for (const f of await store.list()) await store.remove(f); // a dataset folder holds one run
        return await runPipeline({
          sources: req.sources.map((s) => ({ ...s, files: s.files.map(toSourceFile) })),
          benchmarks: req.benchmarks?.map((b) => ({ ...b, files: b.files.map(toSourceFile) })), rules: req.rules, seed: req.seed, tokenizer: req.tokenizer,
          seqLen: req.seqLen, valFraction: req.valFraction, diversity: req.diversity, chatTemplate: req.chatTemplate, onProgress, signal: running.signal,
        }, { store, resolveTokenizer: deps.resolveTokenizer, pool: runPool });
      } catch (err) {
        // A cancelled or failed run may leave chunks in the workers: start afresh next time.
        pool?.close();
        pool = null;
        throw err;
      } finally {
        running = null;
      }
    },

    async cancel() {
      running?.abort();
    },

    async listDatasets() {
      const out: DatasetInfo[] = [];
      for (const name of await deps.listDatasets()) {
        const store = await deps.openStore(name, false);
        const files = await store.list();
        let bytes = 0;
        for (const f of files) bytes += await store.size(f);
        let manifest: DatasetManifest | null = null;
        if (files.includes(MANIFEST_FILE)) manifest = JSON.parse(await store.readText(MANIFEST_FILE)) as DatasetManifest;
        out.push({ name, bytes, manifest });
      }
      return out;
    },

    async exportFile(dataset, file) {
      const store = await deps.openStore(checkName(dataset), false);
      return deps.blob(store, file);
    },

    async deleteDataset(dataset) {
      await deps.removeDataset(checkName(dataset));
    },

    async sniffColumns(file, kind) {
      return sniffColumns(toSourceFile(file), kind);
    },

    async previewLayout(file, kind, req) {
      return previewLayout(toSourceFile(file), kind, req);
    },

    async exportMegatron(dataset, model, onDocument) {
      if (!deps.megatronTarget) throw new Error('this data worker has nowhere to write a Megatron export');
      const input = await deps.openStore(checkName(dataset), false);
      return megatronZip(input, dataset, model, await deps.megatronTarget(dataset), onDocument);
    },

    async ruleDefaults() {
      return { defaults: structuredClone(DEFAULT_RULES), help: RULE_HELP };
    },
  };
}

/** A Blob of any store's file, streamed in (for stores without a native Blob). */
export async function blobFromStore(store: DataStore, file: string): Promise<Blob> {
  return new Response(await store.readStream(file)).blob();
}
