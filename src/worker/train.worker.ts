// The training worker: our WebGPU engine (or the tfjs fallback) on datasets in OPFS, checkpoints to and from
// zips and an OPFS autosave. Its one API object is exposed through Comlink; the page does
// `Comlink.wrap<TrainApi>(new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' }))`.
import * as Comlink from 'comlink';
import { autosaveBlob, autosaveInfo, discardAutosave, saveAutosave } from './train-autosave';
import { openCompute } from './train-compute';
import { openDataset } from './train-dataset';
import { createTrainApi } from './train-service';
import { opfsRunStore } from '../runs/run-store.opfs';

const api = createTrainApi({
  openCompute: () => openCompute((navigator as Navigator & { gpu?: GPU }).gpu),
  openDataset,
  saveAutosave: (files, folder, info) => saveAutosave(files, { folder }, info),
  autosaveInfo,
  autosaveBlob,
  discardAutosave,
  runs: opfsRunStore(),
});

Comlink.expose(api);
