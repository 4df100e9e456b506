// The page's two workers, each behind its one typed Comlink API: data preparation and training. Heavy work
// happens there, so the page stays responsive while a dataset is built or a model trains.
import * as Comlink from 'comlink';
import type { DataApi } from '../worker/data-api';
import type { TrainApi } from '../worker/train-api';

export interface Workers {
  data: Comlink.Remote<DataApi>;
  train: Comlink.Remote<TrainApi>;
}

export function startWorkers(): Workers {
  const data = new Worker(new URL('../worker/data.worker.ts', import.meta.url), { type: 'module', name: 'leveret-data' });
  const train = new Worker(new URL('../worker/train.worker.ts', import.meta.url), { type: 'module', name: 'leveret-train' });
  return { data: Comlink.wrap<DataApi>(data), train: Comlink.wrap<TrainApi>(train) };
}
