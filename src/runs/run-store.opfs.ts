// Run records in the page's origin-private file system: `runs/<id>.json`, beside the `datasets` and
// `checkpoints` folders. Written by the training worker only (one writer, no torn records from two threads).
import { parseRun, serializeRun, type RunRecord } from './run-record';
import { newestFirst, runFileName, type RunStore } from './run-store';

export const RUNS_DIR = 'runs';

async function folder(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(RUNS_DIR, { create: true });
}

const notFound = (e: unknown) => e instanceof DOMException && e.name === 'NotFoundError';

export function opfsRunStore(): RunStore {
  return {
    async list() {
      const dir = await folder();
      const runs: RunRecord[] = [];
      const problems: string[] = [];
      for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        if (handle.kind !== 'file' || !name.endsWith('.json')) continue;
        try {
          runs.push(parseRun(await (await (handle as FileSystemFileHandle).getFile()).text(), `${RUNS_DIR}/${name}`));
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
      return { runs: newestFirst(runs), problems };
    },
    async get(id) {
      try {
        const file = await (await (await folder()).getFileHandle(runFileName(id))).getFile();
        return parseRun(await file.text(), `${RUNS_DIR}/${runFileName(id)}`);
      } catch (e) {
        if (notFound(e)) return null;
        throw e;
      }
    },
    async put(run) {
      const handle = await (await folder()).getFileHandle(runFileName(run.id), { create: true });
      const writable = await handle.createWritable({ keepExistingData: false });
      await writable.write(serializeRun(run));
      await writable.close();
    },
    async remove(id) {
      try {
        await (await folder()).removeEntry(runFileName(id));
      } catch (e) {
        if (!notFound(e)) throw e;
      }
    },
  };
}
