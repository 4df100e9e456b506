// The page's two workers, each behind its one typed Comlink API: data preparation and training. Heavy work
// happens there, so the page stays responsive while a dataset is built or a model trains.
import * as Comlink from 'comlink';
import type { DataApi } from '../worker/data-api';
import type { TrainApi } from '../worker/train-api';

export interface Workers {
  data: Comlink.Remote<DataApi>;
  train: Comlink.Remote<TrainApi>;
}

/** `failed` hears errors a worker did not catch (a script error, a message that cannot be read). */
export function startWorkers(failed: (which: 'data' | 'train', message: string) => void): Workers {
  const data = new Worker(new URL('../worker/data.worker.ts', import.meta.url), { type: 'module', name: 'leveret-data' });
  const train = new Worker(new URL('../worker/train.worker.ts', import.meta.url), { type: 'module', name: 'leveret-train' });
  for (const [which, w] of [['data', data], ['train', train]] as const) {
    w.addEventListener('error', (e) => failed(which, e.message || 'the worker stopped with an error'));
    w.addEventListener('messageerror', () => failed(which, 'a message from the worker could not be read'));
  }
  return { data: Comlink.wrap<DataApi>(data), train: Comlink.wrap<TrainApi>(train) };
}
