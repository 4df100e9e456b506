// Where run records live, as one small interface: a folder of `<id>.json` in the page's origin-private file
// system (run-store.opfs.ts), and in Node one run.json per saved checkpoint folder (run-store.node.ts).
import type { RunRecord } from './run-record';

export interface RunStore {
  /** Every readable record, newest first; a file that does not parse is a problem naming it and its field. */
  list(): Promise<{ runs: RunRecord[]; problems: string[] }>;
  get(id: string): Promise<RunRecord | null>;
  put(run: RunRecord): Promise<void>;
  remove(id: string): Promise<void>;
}

/** A file name safe in any store for a run id (ids are time-based, but an imported one may be anything). */
export function runFileName(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120)}.json`;
}

/** Newest first, by the time the record was last written. */
export function newestFirst(runs: RunRecord[]): RunRecord[] {
  return runs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

/** The same records in memory: the worker's store where OPFS is missing, and the unit tests'. */
export function memoryRunStore(): RunStore {
  const runs = new Map<string, RunRecord>();
  const copy = (r: RunRecord): RunRecord => structuredClone(r);
  return {
    async list() { return { runs: newestFirst([...runs.values()].map(copy)), problems: [] }; },
    async get(id) { const r = runs.get(id); return r ? copy(r) : null; },
    async put(run) { runs.set(run.id, copy(run)); },
    async remove(id) { runs.delete(id); },
  };
}
