// The training worker's API object: opens the compute once, builds runs from a dataset and configs or from
// a checkpoint zip, and forwards control calls to the current run. The worker entry exposes it through
// Comlink; the storage and GPU it uses are injected so the wiring is visible in one place.
import { ConfigError, validateConfig, validateShape } from '../model/config';
import { HARE_TRAIN_DEFAULTS, validateTrainConfig, type TrainConfig } from '../train/config';
import { blobSource, type ByteSource } from '../train/checkpoint/byte-source';
import { readCheckpoint, type LoadedCheckpoint } from '../train/checkpoint/checkpoint-read';
import { CheckpointError } from '../train/checkpoint/errors';
import type { TrainSetting } from '../train/checkpoint/trainer-state';
import { zipToBlob } from '../train/checkpoint/zip-write';
import { openZip } from '../train/checkpoint/zip-read';
import { loadTokenizerJSON } from '../data/tokenizer/load-tokenizer-json';
import { tokenizerFingerprint } from '../data/tokenizer/fingerprint';
import type { TokenizerJSON } from '../data/tokenizer/tokenizer';
import { Trainer } from '../train/trainer';
import type { AutosaveInfo, ResumeOptions, RunInfo, TrainApi, TrainEvent, TrainListener } from './train-api';
import type { CheckpointFiles } from '../train/checkpoint/checkpoint';
import { createBackend, type Compute } from './train-compute';
import { openSampler, type OpenedDataset } from './train-dataset';
import { Run } from './train-run';

export interface TrainServiceDeps {
  openCompute(): Promise<Compute>;
  openDataset(name: string): Promise<OpenedDataset>;
  saveAutosave(files: CheckpointFiles, folder: string, info: Omit<AutosaveInfo, 'bytes' | 'savedAt'>): Promise<AutosaveInfo>;
  autosaveInfo(): Promise<AutosaveInfo | null>;
  autosaveBlob(): Promise<{ blob: Blob; info: AutosaveInfo } | null>;
  discardAutosave(): Promise<void>;
}

/** A tokenizer.json's fingerprint, with a broken file refused as the checkpoint's fault. */
function fingerprintOf(json: TokenizerJSON): string {
  try {
    return tokenizerFingerprint(loadTokenizerJSON(json));
  } catch (e) {
    throw new CheckpointError('tokenizer.json', (e as Error).message);
  }
}

/** The training settings a checkpoint saved, checked like the page's own. */
function savedTrainConfig(saved: Readonly<Record<string, TrainSetting>>): TrainConfig {
  const merged: Record<string, number> = { ...HARE_TRAIN_DEFAULTS };
  for (const key of Object.keys(HARE_TRAIN_DEFAULTS)) {
    const v = saved[key];
    if (typeof v === 'number') merged[key] = v;
  }
  try {
    return validateTrainConfig(merged as unknown as TrainConfig);
  } catch (e) {
    if (e instanceof ConfigError) throw new CheckpointError('trainer_state.json', `trainConfig.${e.message}`);
    throw e;
  }
}

export function createTrainApi(deps: TrainServiceDeps): TrainApi {
  let listener: TrainListener | null = null;
  let compute: Promise<Compute> | null = null;
  let run: Run | null = null;
  let busy = false; // a start or restore is building its run

  const emit = (e: TrainEvent): void => {
    // The listener is a Comlink proxy: each call is a message; a page gone away must not break the run.
    if (listener) void Promise.resolve(listener(e)).catch(() => undefined);
  };
  const getCompute = (): Promise<Compute> => (compute ??= deps.openCompute());
  const current = (): Run => {
    if (!run) throw new Error('there is no run: train or import a checkpoint first');
    return run;
  };

  /** Replaces the current run with one built by `build`, refusing while a run is going. */
  async function replaceRun(build: () => Promise<Run>): Promise<Run> {
    if (busy || run?.active) throw new Error('a run is going: pause or stop it first');
    busy = true;
    try {
      run?.destroy();
      run = null;
      run = await build();
      return run;
    } finally {
      busy = false;
    }
  }

  /** Loads checkpoint files into a new paused run on the dataset they were trained on. */
  async function restore(files: ReadonlyMap<string, ByteSource>, opts: ResumeOptions): Promise<Run> {
    const first: LoadedCheckpoint = await readCheckpoint(files, { fingerprint: fingerprintOf });
    const dataset = await deps.openDataset(first.trainerState.datasetId);
    // Again, now knowing the dataset: a checkpoint trained with another tokenizer is refused by the reader.
    const ck = await readCheckpoint(files, { fingerprint: fingerprintOf, expected: { tokenizerFingerprint: dataset.fingerprint } });
    const train = savedTrainConfig(ck.trainerState.trainConfig);
    const sampler = openSampler(dataset, train.seed, train.seqLen);
    const backend = await createBackend(await getCompute(), ck.config, train, opts.engine);
    try {
      const trainer = new Trainer(backend, sampler, train, dataset.tokenizer, dataset.name);
      await trainer.restore(ck);
      return new Run({ trainer, dataset: dataset.name, emit, autosave: deps.saveAutosave },
        { sample: opts.sample, autosaveSeconds: opts.autosaveSeconds }, 'paused');
    } catch (e) {
      backend.destroy();
      throw e;
    }
  }

  return {
    async listen(l) {
      listener = l;
    },

    async probe() {
      return (await getCompute()).report;
    },

    async start(req) {
      const r = await replaceRun(async () => {
        const model = validateConfig(req.model);
        const train = validateTrainConfig(req.train);
        validateShape(train, model);
        const dataset = await deps.openDataset(req.dataset);
        const sampler = openSampler(dataset, train.seed, train.seqLen);
        emit({ type: 'state', state: 'starting', message: 'building the model (compiling kernels)', step: 0 });
        const backend = await createBackend(await getCompute(), model, train, req.engine);
        try {
          const trainer = new Trainer(backend, sampler, train, dataset.tokenizer, dataset.name);
          return new Run({ trainer, dataset: dataset.name, emit, autosave: deps.saveAutosave },
            { sample: req.sample, autosaveSeconds: req.autosaveSeconds }, 'running');
        } catch (e) {
          backend.destroy();
          throw e;
        }
      });
      r.begin();
      return r.info();
    },

    async pause() { current().pause(); },
    async resume() { current().resume(); },
    async stop() { current().stop(); },

    async sample(settings) {
      return current().sample(settings);
    },

    async setSampling(settings) { run?.update({ sample: settings }); },
    async setAutosaveSeconds(seconds) { run?.update({ autosaveSeconds: seconds }); },

    async exportCheckpoint() {
      const r = current();
      const folder = r.folderName();
      const blob = await zipToBlob(await r.checkpoint(), { folder });
      return { blob, fileName: `${folder}.zip` };
    },

    async importCheckpoint(zip, fileName, opts) {
      const r = await replaceRun(async () => restore(await openZip(blobSource(zip), { name: fileName }), opts));
      const info = r.info();
      emit({ type: 'state', state: 'paused', message: `loaded ${fileName} at step ${info.step}`, step: info.step });
      return info;
    },

    async autosaveInfo() {
      return deps.autosaveInfo();
    },

    async resumeAutosave(opts) {
      const r = await replaceRun(async () => {
        const saved = await deps.autosaveBlob();
        if (!saved) throw new Error('there is no autosave in this browser');
        return restore(await openZip(blobSource(saved.blob), { name: 'autosave' }), opts);
      });
      const info = r.info();
      emit({ type: 'state', state: 'paused', message: `restored the autosave at step ${info.step}`, step: info.step });
      return info;
    },

    async discardAutosave() {
      await deps.discardAutosave();
    },
  };
}
