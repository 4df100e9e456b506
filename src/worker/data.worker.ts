// The data worker: the pipeline on the page's File objects, writing datasets into OPFS. Its one API object
// is exposed through Comlink; the page does `Comlink.wrap<DataApi>(new Worker(new URL('./data.worker.ts',
// import.meta.url), { type: 'module' }))`.
import * as Comlink from 'comlink';
import { createWebPool, defaultWorkers } from '../data/pool/pool.web';
import { resolveTokenizer } from '../data/resolve-tokenizer';
import { OpfsStore } from '../data/store.opfs';
import { blobFromStore, createDataApi } from './data-service';
import { freshExportFolder, writeExport } from './opfs-export';

/** The Megatron files go to a scratch folder beside the zip that is made of them (opfs-export.ts says why). */
async function megatronTarget() {
  const dir = await freshExportFolder('megatron');
  const files = new OpfsStore(await dir.getDirectoryHandle('files', { create: true }));
  return { files, blob: (name: string) => files.blob(name), writeZip: (name: string, chunks: AsyncIterable<Uint8Array>) => writeExport(dir, name, chunks) };
}

const api = createDataApi({
  openStore: (name, create) => OpfsStore.open(name, create),
  listDatasets: () => OpfsStore.listDatasets(),
  removeDataset: (name) => OpfsStore.removeDataset(name),
  blob: (store, file) => (store instanceof OpfsStore ? store.blob(file) : blobFromStore(store, file)),
  resolveTokenizer,
  megatronTarget,
  createPool: createWebPool,
  defaultWorkers,
});

Comlink.expose(api);
