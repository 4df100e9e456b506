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
import { LoraBackend } from '../train/lora-backend';
import type { CheckpointFiles } from '../train/checkpoint/checkpoint';
import { createBackend, plainGpuError, resumedMemory, type Compute } from './train-compute';
import { openSampler, type OpenedDataset } from './train-dataset';
import { Run, runFileStem, type RunRecordTarget } from './train-run';
import { exportRunGGUF } from './train-gguf';
import { formatProblem } from '../eval/read-task-file';
import { newRunId } from '../runs/run-record';
import { memoryRunStore, type RunStore } from '../runs/run-store';
import { checkTaskFiles, parseTasks } from './train-evaluate';
import { RunRecords } from './train-records';
import { checkDataTokenizer, checkSameModel, loadIntoBackend, type ImportedModel } from './model-import';
import { ModelSlot, runChatModel } from './train-imported';
import { streamChat } from './train-chat';
import { checkLora, isAdapterFolder, loraBackend, LoraTrainer, mergedModelFiles, readLoraRestore } from './train-lora';
import { measureStepTime } from './train-measure';
import { synthesize } from './train-synth';

export interface TrainServiceDeps {
  openCompute(): Promise<Compute>;
  openDataset(name: string): Promise<OpenedDataset>;
  saveAutosave(files: CheckpointFiles, folder: string, info: Omit<AutosaveInfo, 'bytes' | 'savedAt'>): Promise<AutosaveInfo>;
  autosaveInfo(): Promise<AutosaveInfo | null>;
  autosaveBlob(): Promise<{ blob: Blob; info: AutosaveInfo } | null>;
  discardAutosave(): Promise<void>;
  /** Where run records are kept (OPFS in the page); in memory when absent. */
  runs?: RunStore;
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
  /** The imported model the current run started from (its chat template), if it did. */
  let runBase: ImportedModel | null = null;
  const records = new RunRecords(deps.runs ?? memoryRunStore());

  /** A new run's record: the next free "run N" as its name. */
  async function newRecord(recipe: RunRecordTarget['recipe'], name?: string): Promise<RunRecordTarget> {
    const { runs } = await records.list();
    const taken = new Set(runs.map((r) => r.name));
    let n = runs.length + 1;
    while (taken.has(`run ${n}`)) n++;
    return { records, id: newRunId(), name: name ?? `run ${n}`, recipe };
  }

  const emit = (e: TrainEvent): void => {
    // The listener is a Comlink proxy: each call is a message; a page gone away must not break the run.
    if (listener) void Promise.resolve(listener(e)).catch(() => undefined);
  };
  const models = new ModelSlot(emit);
  /** Rejects the build in progress (a start or restore waiting on the GPU) when the device fails under it. */
  let buildFailed: ((e: Error) => void) | null = null;

  /** A lost device ends everything on it: the run fails, and the next start opens a new device. */
  function deviceFailed(opened: Promise<Compute>, message: string, lost: boolean): void {
    if (lost && compute === opened) compute = null;
    buildFailed?.(new Error(message));
    if (run) {
      run.fail(message);
      if (lost) { run.destroy(); run = null; }
    }
  }

  const getCompute = (): Promise<Compute> => {
    if (!compute) {
      const opened = deps.openCompute();
      compute = opened;
      void opened.then((c) => c.onFailure((message, lost) => deviceFailed(opened, message, lost)), () => undefined);
    }
    return compute;
  };
  const current = (): Run => {
    if (!run) throw new Error('there is no run: train or import a checkpoint first');
    return run;
  };

  function refuseWhileGoing(): void {
    if (busy || run?.active) throw new Error('a run is going: pause or stop it first');
  }

  /** Replaces the current run with one built by `build`, refusing while a run is going; a device failure ends the wait. */
  async function replaceRun(build: () => Promise<Run>): Promise<Run> {
    refuseWhileGoing();
    busy = true;
    const replaced = run !== null;
    try {
      run?.destroy();
      run = null;
      runBase = null;
      const built = new Promise<Run>((resolve, reject) => { buildFailed = reject; build().then(resolve, reject); });
      run = await built;
      return run;
    } catch (e) {
      // The page still shows the run that was closed for this one: tell it there is none now.
      if (replaced) emit({ type: 'state', state: 'idle', message: 'No run: the previous one was closed for one that did not load.', step: 0 });
      throw e;
    } finally {
      buildFailed = null;
      busy = false;
    }
  }

  /**
   * Reads and checks checkpoint files against the dataset they were trained on, touching no GPU, so that a
   * refused checkpoint leaves the current run as it was; the returned build makes the paused run.
   */
  async function checkRestore(files: ReadonlyMap<string, ByteSource>, opts: ResumeOptions,
    record: () => Promise<RunRecordTarget>): Promise<() => Promise<Run>> {
    if (isAdapterFolder(files)) return checkLoraRestore(files, opts, record);
    const held = models.current;
    if (held) {
      throw new Error(`${held.name} is imported to start from, and a whole-model checkpoint brings its own weights: ` +
        `press "Use a preset instead" (Start from a model) first, or load a LoRA adapter trained on ${held.name}`);
    }
    const first: LoadedCheckpoint = await readCheckpoint(files, { fingerprint: fingerprintOf });
    const dataset = await deps.openDataset(first.trainerState.datasetId);
    // Again, now knowing the dataset: a checkpoint trained with another tokenizer is refused by the reader.
    const ck = await readCheckpoint(files, { fingerprint: fingerprintOf, expected: { tokenizerFingerprint: dataset.fingerprint } });
    const train = savedTrainConfig(ck.trainerState.trainConfig);
    return async () => {
      const sampler = openSampler(dataset, train.seed, train.seqLen);
      const backend = await createBackend(await getCompute(), ck.config, train, opts.engine, true, resumedMemory(ck.trainerState.memory, false));
      try {
        const trainer = new Trainer(backend, sampler, train, dataset.tokenizer, dataset.name);
        await trainer.restore(ck);
        return new Run({ trainer, dataset: dataset.name, emit, autosave: deps.saveAutosave, record: await record() },
          { sample: opts.sample, autosaveSeconds: opts.autosaveSeconds, evaluation: opts.evaluation }, 'paused');
      } catch (e) {
        backend.destroy();
        throw e;
      }
    };
  }

  /** A LoRA run's adapter folder, resumed on the imported model it was trained on (its trainer state checked against it). */
  async function checkLoraRestore(files: ReadonlyMap<string, ByteSource>, opts: ResumeOptions,
    record: () => Promise<RunRecordTarget>): Promise<() => Promise<Run>> {
    const { adapter, training, base } = await readLoraRestore(files, models.current);
    const dataset = await deps.openDataset(training.trainerState.datasetId);
    checkDataTokenizer(base, dataset.tokenizer);
    const train = savedTrainConfig(training.trainerState.trainConfig);
    const lora = checkLora({ ...adapter.lora, targets: [...adapter.lora.targets] }, base, await getCompute(), opts.engine);
    return async () => {
      const sampler = openSampler(dataset, train.seed, train.seqLen);
      models.releaseGpu();
      const backend = await loraBackend(await getCompute(), base, lora, train, models.progress(base),
        resumedMemory(training.trainerState.memory, true));
      try {
        const trainer = new LoraTrainer(backend, sampler, train, dataset.tokenizer, dataset.name, lora, base);
        await trainer.restore({ trainerState: training.trainerState, readParam: adapter.readTensor, readMoment: training.readMoment });
        runBase = base;
        return new Run({ trainer, dataset: dataset.name, emit, autosave: deps.saveAutosave, record: await record(), fileStem: runFileStem(base, lora) },
          { sample: opts.sample, autosaveSeconds: opts.autosaveSeconds, evaluation: opts.evaluation }, 'paused');
      } catch (e) {
        backend.destroy();
        throw e;
      }
    };
  }

  /** What the page is told of a run: a LoRA run says so, with its base. */
  function infoOf(r: Run): RunInfo {
    const t = r.trainer;
    return t instanceof LoraTrainer ? { ...r.info(), lora: { rank: t.lora.rank, alpha: t.lora.alpha, targets: [...t.lora.targets], base: t.base.name } } : r.info();
  }

  /** The synthesis going, for cancelSynth. */
  let synthSignal: { aborted: boolean } | null = null;

  /** A start that fails puts the page back to idle with the reason (the page keeps its settings), then rejects. */
  async function failedStart(begin: () => Promise<Run>): Promise<Run> {
    try {
      return await begin();
    } catch (e) {
      const message = plainGpuError((e as Error).message);
      emit({ type: 'state', state: 'failed', message: `training failed to start: ${message}`, step: 0 });
      throw new Error(message);
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
      refuseWhileGoing(); // a refusal leaves the going run as it is
      const r = await failedStart(() => replaceRun(async () => {
        const base = req.fromImported ? models.current : null;
        if (req.fromImported && !base) throw new Error('there is no imported model to start from: drop its folder again');
        const model = base ? checkSameModel(base, req.model) : validateConfig(req.model);
        const train = validateTrainConfig(req.train);
        validateShape(train, model);
        const lora = req.lora ? checkLora(req.lora, base, await getCompute(), req.engine) : null;
        const dataset = await deps.openDataset(req.dataset);
        if (base) checkDataTokenizer(base, dataset.tokenizer);
        const sampler = openSampler(dataset, train.seed, train.seqLen);
        emit({ type: 'state', state: 'starting', message: 'building the model (compiling kernels)', step: 0 });
        // The training engine gets the GPU the imported model's forward engine held; the weights come again from its files.
        if (base) models.releaseGpu();
        if (base) emit({ type: 'state', state: 'starting', message: `loading ${base.name}'s weights${lora ? ' (frozen, for a LoRA adapter)' : ''}`, step: 0 });
        const backend = lora && base ? await loraBackend(await getCompute(), base, lora, train, models.progress(base), req.memory)
          : await createBackend(await getCompute(), model, train, req.engine, !base, req.memory);
        try {
          if (base && !lora) await loadIntoBackend(base, backend, models.progress(base));
          if (base) runBase = base;
          const trainer = lora && base && backend instanceof LoraBackend
            ? new LoraTrainer(backend, sampler, train, dataset.tokenizer, dataset.name, lora, base)
            : new Trainer(backend, sampler, train, dataset.tokenizer, dataset.name, base?.kept ?? undefined);
          return new Run({ trainer, dataset: dataset.name, emit, autosave: deps.saveAutosave, record: await newRecord(req.recipe ?? null),
            fileStem: runFileStem(base, lora) },
            { sample: req.sample, autosaveSeconds: req.autosaveSeconds, evaluation: req.evaluation }, 'running');
        } catch (e) {
          backend.destroy();
          throw e;
        }
      }));
      r.begin();
      return infoOf(r);
    },

    async pause() { current().pause(); },
    async resume() { current().resume(); },
    async stop() { current().stop(); },

    async sample(settings, id) {
      return current().sample(settings, id);
    },

    async cancelSample(id) { run?.cancelSample(id); },

    async setSampling(settings) { run?.update({ sample: settings }); },
    async setAutosaveSeconds(seconds) { run?.update({ autosaveSeconds: seconds }); },

    async exportCheckpoint() {
      // The name comes with the files: a step still running when Export was pressed is in both.
      const { files, folder } = await current().namedCheckpoint();
      const blob = await zipToBlob(files, { folder });
      return { blob, fileName: `${folder}.zip` };
    },

    async exportMergedModel() {
      const r = current(), t = r.trainer;
      if (!(t instanceof LoraTrainer)) throw new Error('this run trains no LoRA adapter: Export checkpoint holds its whole model');
      // The adapter is small: read it in one turn of the queue, then merge while the base streams from its files.
      const { adapter, step } = await r.exclusive(async () => ({ adapter: await t.backend.getParams(), step: t.step }));
      const folder = `${t.base.name}-lora-merged-step${step}`;
      return { blob: await zipToBlob(mergedModelFiles(t.base, t.lora, adapter), { folder }), fileName: `${folder}.zip` };
    },

    async measureStep(req) {
      refuseWhileGoing();
      busy = true; // no start while the throwaway backend holds the GPU
      try {
        const model = validateConfig(req.model);
        const train = validateTrainConfig(req.train);
        validateShape(train, model);
        // Unseeded: the engine's zeroed weights cost the same per step, without a CPU pass over every parameter.
        const backend = await createBackend(await getCompute(), model, train, req.engine, false);
        try {
          return await measureStepTime(backend, model, train);
        } finally {
          backend.destroy();
        }
      } catch (e) {
        throw new Error(plainGpuError((e as Error).message));
      } finally {
        busy = false;
      }
    },

    async exportGGUF(dtype, onProgress) {
      return exportRunGGUF(current(), dtype, onProgress);
    },

    async importCheckpoint(zip, fileName, opts) {
      refuseWhileGoing();
      // An imported checkpoint starts a record of its own (its data recipe is not in the zip).
      const build = await checkRestore(await openZip(blobSource(zip), { name: fileName }), opts,
        () => newRecord(null, fileName.replace(/\.zip$/i, '')));
      const r = await replaceRun(build);
      const info = infoOf(r);
      emit({ type: 'state', state: 'paused', message: `loaded ${fileName} at step ${info.step}`, step: info.step });
      return info;
    },

    async autosaveInfo() {
      return deps.autosaveInfo();
    },

    async resumeAutosave(opts) {
      refuseWhileGoing();
      const saved = await deps.autosaveBlob();
      if (!saved) throw new Error('there is no autosave in this browser');
      // The autosaved run goes on writing its own record (its name, recipe and scores kept).
      const id = saved.info.runId;
      const record = async (): Promise<RunRecordTarget> => {
        const previous = id ? await records.get(id) : null;
        return previous ? { records, id: previous.id, name: previous.name, recipe: previous.recipe } : newRecord(null);
      };
      const r = await replaceRun(await checkRestore(await openZip(blobSource(saved.blob), { name: 'autosave' }), opts, record));
      const info = infoOf(r);
      emit({ type: 'state', state: 'paused', message: `restored the autosave at step ${info.step}`, step: info.step });
      return info;
    },

    async discardAutosave() {
      await deps.discardAutosave();
    },

    async checkTaskFiles(files) {
      return checkTaskFiles(files);
    },

    async evaluate(tasks, id) {
      const r = current();
      const problems: string[] = [];
      const report = (p: Parameters<typeof formatProblem>[0]) => { if (problems.length < 200) problems.push(formatProblem(p)); };
      const parsed = await parseTasks(tasks, report);
      const scored = await r.evaluateTasks(parsed, id, false, report);
      return { report: scored.report, scores: scored.scores, problems, step: scored.step, runId: r.recordId ?? '' };
    },

    async cancelEvaluate(id) { run?.cancelEvaluate(id); },
    async setEvaluation(schedule) { run?.update({ evaluation: schedule }); },

    async listRuns() { return records.list(); },
    async renameRun(id, name) { return records.rename(id, name); },
    async deleteRun(id) { await records.remove(id); },
    async importRun(text, fileName) { return records.import(text, fileName); },

    async importModel(files, folderName) {
      refuseWhileGoing();
      busy = true;
      try {
        const m = await models.open(files, folderName); // a refused folder changes nothing
        if (run) {
          run.destroy();
          run = null;
          runBase = null;
          emit({ type: 'state', state: 'idle', message: `No run: ${folderName} was imported to start from.`, step: 0 });
        }
        return await models.hold(m, (await getCompute()).dev);
      } catch (e) {
        throw new Error(plainGpuError((e as Error).message));
      } finally {
        busy = false;
      }
    },

    async forgetModel() {
      refuseWhileGoing();
      models.forget();
    },

    async chat(req, id) {
      const progress = (text: string, tokens: number) => emit({ type: 'chat', id, text, tokens, maxTokens: req.maxTokens });
      const cancelled = () => models.cancelled.has(id);
      try {
        const r = run;
        if (r) return await r.exclusive(async () => streamChat(await runChatModel(r.trainer, runBase), req, progress, cancelled));
        const m = models.chatModel();
        if (!m) throw new Error('there are no weights to chat with: import a model or train one first');
        return await models.exclusive(() => streamChat(m, req, progress, cancelled));
      } finally {
        models.cancelled.delete(id);
      }
    },

    async cancelChat(id) { models.cancelled.add(id); },

    async synthesize(req, onProgress) {
      const m = models.current, chat = models.chatModel();
      if (!m || !chat) throw new Error('synthetic text needs an imported model in the GPU (a run frees it): import the model again');
      if (synthSignal) throw new Error('synthetic text is being generated already');
      const signal = { aborted: false };
      synthSignal = signal;
      // The listener is a Comlink proxy: a page gone away must not break the generation.
      const progress = (p: Parameters<NonNullable<typeof onProgress>>[0]) => { if (onProgress) void Promise.resolve(onProgress(p)).catch(() => undefined); };
      try {
        return await models.exclusive(() => synthesize(m, chat.generator, req, progress, signal));
      } finally {
        synthSignal = null;
      }
    },

    async cancelSynth() { if (synthSignal) synthSignal.aborted = true; },
  };
}
