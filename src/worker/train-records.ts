// The training worker's side of run records: every read-modify-write of a record goes through one queue, so a
// rename from the page and a save from the run loop (both async, in this one thread) cannot interleave and
// lose each other's change.
import type { TrainerState } from '../train/checkpoint/trainer-state';
import { runFromTrainer } from '../runs/from-trainer';
import { parseRun, type DataRecipe, type RunRecord, type TaskScore } from '../runs/run-record';
import type { RunStore } from '../runs/run-store';
import { withScores } from '../runs/scores';

/** The most characters a run's name may have (parseRun's limit). */
export const MAX_RUN_NAME = 500;

export class RunRecords {
  private queue: Promise<unknown> = Promise.resolve();
  /** Runs deleted in this session: their run, still going, must not write the record back. */
  private readonly removed = new Set<string>();

  constructor(private readonly store: RunStore) {}

  private one<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  list(): Promise<{ runs: RunRecord[]; problems: string[] }> {
    return this.one(() => this.store.list());
  }

  get(id: string): Promise<RunRecord | null> {
    return this.one(() => this.store.get(id));
  }

  /**
   * The run `id` as the trainer has it now: a new record the first time (named `name`), later the stored one
   * brought up to date, keeping what the page changed (its name) and its scores; `scores` are added.
   * Null for a run the page deleted.
   */
  save(id: string, state: TrainerState, recipe: DataRecipe | null, name: string,
    scores: Readonly<Record<string, TaskScore>> = {}): Promise<RunRecord | null> {
    return this.one(async () => {
      if (this.removed.has(id)) return null;
      const previous = await this.store.get(id);
      const fresh = runFromTrainer(state, recipe, { previous, ...(previous ? {} : { name }) });
      const record = withScores({ ...fresh, id }, scores);
      await this.store.put(record);
      return record;
    });
  }

  rename(id: string, name: string): Promise<RunRecord> {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > MAX_RUN_NAME) {
      return Promise.reject(new Error(`a run's name must be 1 to ${MAX_RUN_NAME} characters`));
    }
    return this.one(async () => {
      const run = await this.store.get(id);
      if (!run) throw new Error(`there is no run ${id} in this browser (deleted meanwhile?)`);
      const renamed = { ...run, name: trimmed, updatedAt: new Date().toISOString() };
      await this.store.put(renamed);
      return renamed;
    });
  }

  remove(id: string): Promise<void> {
    this.removed.add(id);
    return this.one(() => this.store.remove(id));
  }

  /** A record from an exported file, checked by parseRun (a refusal names the file and the field); same id replaces. */
  import(text: string, fileName: string): Promise<RunRecord> {
    return this.one(async () => {
      const run = parseRun(text, fileName);
      this.removed.delete(run.id);
      await this.store.put(run);
      return run;
    });
  }
}
