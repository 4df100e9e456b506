// A streamed export (GGUF, the Megatron zip) written to a file in the origin-private file system, and handed
// to the page as that File for the download.
//
// Why OPFS and not a Blob built from the chunks: a Blob of chunks is held by the browser as it is built (in
// memory, or copied into its blob store), while the producer still holds the tensors it reads from, and an f32
// GGUF of hare-1.1b is 4.5 GB. Written through a sync access handle, each chunk goes to disk before the next
// is made (the writers reuse their buffers), and the File that getFile() returns is read from disk by the
// download. Only the latest export of each kind is kept: the next one deletes it (not sooner, since a File of
// a deleted or rewritten OPFS file can no longer be read, and the download may still be reading it).
import type { SyncCapable } from '../data/store.opfs';

/** The folder under the OPFS root that holds the exports, one sub-folder per kind. */
export const EXPORTS_DIR = 'exports';

export type ExportKind = 'gguf' | 'megatron';

/** The kind's folder, emptied of earlier exports. */
export async function freshExportFolder(kind: ExportKind): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  const exportsDir = await root.getDirectoryHandle(EXPORTS_DIR, { create: true });
  await exportsDir.removeEntry(kind, { recursive: true }).catch((e: unknown) => {
    if (!(e instanceof DOMException && e.name === 'NotFoundError')) throw e;
  });
  return exportsDir.getDirectoryHandle(kind, { create: true });
}

/**
 * Writes the chunks to `name` in `dir`, each before the next is asked for, and returns the file as the page
 * downloads it. `onBytes` after each chunk (progress). A failed write removes the partial file.
 */
export async function writeExport(dir: FileSystemDirectoryHandle, name: string, chunks: AsyncIterable<Uint8Array>,
  onBytes?: (written: number) => void): Promise<File> {
  const handle = (await dir.getFileHandle(name, { create: true })) as SyncCapable;
  let at = 0;
  try {
    if (typeof handle.createSyncAccessHandle === 'function') {
      const sync = await handle.createSyncAccessHandle();
      try {
        sync.truncate(0);
        for await (const c of chunks) { at += sync.write(c, { at }); onBytes?.(at); }
        sync.flush();
      } finally {
        sync.close();
      }
    } else {
      const writable = await handle.createWritable({ keepExistingData: false });
      for await (const c of chunks) { await writable.write(c as Uint8Array<ArrayBuffer>); at += c.length; onBytes?.(at); }
      await writable.close();
    }
  } catch (e) {
    await dir.removeEntry(name).catch(() => undefined);
    throw e;
  }
  return handle.getFile();
}
