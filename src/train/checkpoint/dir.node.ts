// A checkpoint as a folder on disk, for the Node CLI: files stream out tensor by tensor, and read back
// through file handles at random offsets, so neither direction holds a whole tensor file in memory.
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { bodyChunks, type ByteSource, type FileBody } from './byte-source';
import { CHECKPOINT_FILES } from './checkpoint';
import { ADAPTER_FILES } from './peft-adapter';
import { CheckpointError } from './errors';

// A LoRA run's folder (PEFT adapter + trainer state) is replaced the same way.
const OWN_FILES = new Set<string>([...Object.values(CHECKPOINT_FILES), ...Object.values(ADAPTER_FILES)]);

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Writes the files into `dir`, replacing a checkpoint already there. The files go to a sibling folder
 *  first and are swapped in by renames, so a crash mid-write (or a full disk) leaves the previous
 *  checkpoint intact. A folder holding anything but checkpoint files is refused rather than replaced. */
export async function writeCheckpointDir(dir: string, files: ReadonlyMap<string, FileBody>): Promise<void> {
  if (await exists(dir)) {
    const foreign = (await readdir(dir)).filter((n) => !OWN_FILES.has(n));
    if (foreign.length) {
      throw new CheckpointError(dir, `holds files that are not part of a checkpoint (${foreign.slice(0, 5).join(', ')}); choose an empty or new folder`);
    }
  }
  const staging = join(dirname(dir), `.${basename(dir)}.partial`);
  const previous = join(dirname(dir), `.${basename(dir)}.previous`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    for (const [name, body] of files) await writeBody(join(staging, name), name, body);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  await rm(previous, { recursive: true, force: true });
  if (await exists(dir)) await rename(dir, previous);
  await rename(staging, dir);
  await rm(previous, { recursive: true, force: true });
}

async function writeBody(path: string, name: string, body: FileBody): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for await (const chunk of bodyChunks(name, body)) {
      for (let at = 0; at < chunk.length; ) at += (await handle.write(chunk, at, chunk.length - at)).bytesWritten;
    }
    await handle.sync(); // on disk before the rename makes it the checkpoint
  } finally {
    await handle.close();
  }
}

/** Random access to an open file; reads loop because the OS may return fewer bytes than asked. */
function handleSource(handle: FileHandle, size: number, path: string): ByteSource {
  return {
    size,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > size) {
        throw new RangeError(`read of ${length} bytes at ${offset} is outside ${path} (${size} bytes)`);
      }
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) throw new RangeError(`${path} ended at ${offset + done} bytes, shorter than the ${size} it had when opened`);
        done += bytesRead;
      }
      return out;
    },
  };
}

export interface OpenedDir {
  readonly files: Map<string, ByteSource>;
  /** Closes the file handles; the sources cannot be read afterwards. */
  close(): Promise<void>;
}

/** Opens the regular files directly inside `dir` (what readCheckpoint needs, plus anything else there). */
export async function openCheckpointDir(dir: string): Promise<OpenedDir> {
  if (!(await exists(dir))) throw new CheckpointError(dir, 'no such folder');
  const handles: FileHandle[] = [];
  const files = new Map<string, ByteSource>();
  const close = async () => {
    await Promise.all(handles.map((h) => h.close()));
  };
  try {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(dir, entry.name);
      const handle = await open(path, 'r');
      handles.push(handle);
      files.set(entry.name, handleSource(handle, (await handle.stat()).size, path));
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { files, close };
}
