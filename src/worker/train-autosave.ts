// The autosave in the origin-private file system: the latest checkpoint zip of the run, so a reload or a
// crash loses at most one autosave interval. Two slots take turns and a small JSON file names the last
// complete one, written only after its zip is closed: a crash in the middle of a save leaves the previous
// save intact and still named.
import type { FileBody } from '../train/checkpoint/byte-source';
import { zipChunks, type ZipOptions } from '../train/checkpoint/zip-write';
import type { AutosaveInfo } from './train-api';
import type { SyncCapable } from '../data/store.opfs';

/** The OPFS folder for checkpoints, beside the data worker's `datasets`. */
export const CHECKPOINTS_DIR = 'checkpoints';
const META = 'autosave.json';
const SLOTS = ['autosave-a.zip', 'autosave-b.zip'] as const;
type Slot = (typeof SLOTS)[number];

interface Meta {
  slot: Slot;
  info: AutosaveInfo;
}


async function folder(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(CHECKPOINTS_DIR, { create: true });
}

async function readMeta(dir: FileSystemDirectoryHandle): Promise<Meta | null> {
  try {
    const text = await (await (await dir.getFileHandle(META)).getFile()).text();
    const meta = JSON.parse(text) as Meta;
    return SLOTS.includes(meta.slot) ? meta : null;
  } catch {
    return null; // no autosave yet, or a meta file torn by a crash: nothing to offer
  }
}

/** Streams chunks into a file, replacing what it held. */
async function writeFile(dir: FileSystemDirectoryHandle, name: string, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  const handle = (await dir.getFileHandle(name, { create: true })) as SyncCapable;
  let at = 0;
  if (typeof handle.createSyncAccessHandle === 'function') {
    const sync = await handle.createSyncAccessHandle();
    try {
      sync.truncate(0);
      for await (const c of chunks) at += sync.write(c, { at });
      sync.flush();
    } finally {
      sync.close();
    }
    return at;
  }
  const writable = await handle.createWritable({ keepExistingData: false });
  for await (const c of chunks) { await writable.write(c as Uint8Array<ArrayBuffer>); at += c.length; }
  await writable.close();
  return at;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

export async function saveAutosave(files: Iterable<readonly [string, FileBody]>, zip: ZipOptions,
  info: Omit<AutosaveInfo, 'bytes' | 'savedAt'>): Promise<AutosaveInfo> {
  const dir = await folder();
  const previous = await readMeta(dir);
  const slot: Slot = previous?.slot === SLOTS[0] ? SLOTS[1] : SLOTS[0];
  const bytes = await writeFile(dir, slot, zipChunks(files, zip));
  const full: AutosaveInfo = { ...info, bytes, savedAt: Date.now() };
  const meta: Meta = { slot, info: full };
  await writeFile(dir, META, once(new TextEncoder().encode(JSON.stringify(meta))));
  return full;
}

export async function autosaveInfo(): Promise<AutosaveInfo | null> {
  return (await readMeta(await folder()))?.info ?? null;
}

/** The saved zip, read lazily from OPFS. */
export async function autosaveBlob(): Promise<{ blob: Blob; info: AutosaveInfo } | null> {
  const dir = await folder();
  const meta = await readMeta(dir);
  if (!meta) return null;
  return { blob: await (await dir.getFileHandle(meta.slot)).getFile(), info: meta.info };
}

export async function discardAutosave(): Promise<void> {
  const dir = await folder();
  for (const name of [META, ...SLOTS]) {
    try {
      await dir.removeEntry(name);
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'NotFoundError')) throw err;
    }
  }
}
