// A DataStore in the origin-private file system: the page's datasets survive reloads and never leave the
// machine. Inside a worker, files are written through synchronous access handles (fast, and the only writer
// Safari offers); elsewhere through createWritable().
import { BufferedSink } from './buffered-sink';
import { checkName, checkRange, type DataStore, type WritableSink } from './store';

/** The folder under the OPFS root that holds one sub-folder per dataset. */
export const DATASETS_DIR = 'datasets';

// The subset of FileSystemSyncAccessHandle used here (declared so this file type-checks under the DOM lib
// too); the training worker's autosave uses the same declaration.
export interface SyncHandle {
  write(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}
export type SyncCapable = FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncHandle> };

export class OpfsStore implements DataStore {
  constructor(readonly dir: FileSystemDirectoryHandle) {}

  /** The dataset folder `name` under the OPFS root, created when `create` is set. */
  static async open(name: string, create = true): Promise<OpfsStore> {
    const root = await navigator.storage.getDirectory();
    const datasets = await root.getDirectoryHandle(DATASETS_DIR, { create: true });
    return new OpfsStore(await datasets.getDirectoryHandle(checkName(name), { create }));
  }

  /** Names of the dataset folders under the OPFS root. */
  static async listDatasets(): Promise<string[]> {
    const root = await navigator.storage.getDirectory();
    const datasets = await root.getDirectoryHandle(DATASETS_DIR, { create: true });
    const names: string[] = [];
    for await (const [name, handle] of entries(datasets)) if (handle.kind === 'directory') names.push(name);
    return names.sort();
  }

  static async removeDataset(name: string): Promise<void> {
    const root = await navigator.storage.getDirectory();
    const datasets = await root.getDirectoryHandle(DATASETS_DIR, { create: true });
    await datasets.removeEntry(checkName(name), { recursive: true });
  }

  async writer(name: string): Promise<WritableSink> {
    const handle = (await this.dir.getFileHandle(checkName(name), { create: true })) as SyncCapable;
    if (typeof handle.createSyncAccessHandle === 'function') {
      const sync = await handle.createSyncAccessHandle();
      sync.truncate(0);
      let at = 0;
      return new BufferedSink(async (b) => { at += sync.write(b, { at }); },
        async () => { sync.flush(); sync.close(); });
    }
    const writable = await handle.createWritable({ keepExistingData: false });
    return new BufferedSink(async (b) => { await writable.write(b as Uint8Array<ArrayBuffer>); },
      async () => { await writable.close(); });
  }

  async readRange(name: string, byteOffset: number, byteLength: number): Promise<Uint8Array> {
    const file = await this.file(name);
    checkRange(name, file.size, byteOffset, byteLength);
    return new Uint8Array(await file.slice(byteOffset, byteOffset + byteLength).arrayBuffer());
  }

  async readStream(name: string): Promise<ReadableStream<Uint8Array>> {
    return (await this.file(name)).stream() as ReadableStream<Uint8Array>;
  }

  async readText(name: string): Promise<string> {
    return (await this.file(name)).text();
  }

  async size(name: string): Promise<number> {
    return (await this.file(name)).size;
  }

  /** The file as a Blob, for downloads (no copy into memory). */
  async blob(name: string): Promise<Blob> {
    return this.file(name);
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    for await (const [name, handle] of entries(this.dir)) if (handle.kind === 'file') names.push(name);
    return names.sort();
  }

  async remove(name: string): Promise<void> {
    try {
      await this.dir.removeEntry(checkName(name));
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'NotFoundError')) throw err;
    }
  }

  private async file(name: string): Promise<File> {
    return (await this.dir.getFileHandle(checkName(name))).getFile();
  }
}

// FileSystemDirectoryHandle is async-iterable in every browser with OPFS; the DOM typings lag behind.
function entries(dir: FileSystemDirectoryHandle): AsyncIterable<[string, FileSystemHandle]> {
  return (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries();
}
