// The page: builds the panels, starts the two workers and wires them together. The training worker's events
// arrive here as one typed stream and are dispatched by a switch that refuses any event it does not know.
import * as Comlink from 'comlink';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { ModelCard, ResumeOptions, RunInfo, TrainEvent } from '../worker/train-api';
import { showAdapter } from './adapter-panel';
import { CheckpointPanel } from './checkpoint-panel';
import { ConfigPanel, type ConfigResult } from './config-panel';
import { DataPanel } from './data-panel';
import { loadDefaultCorpus } from './default-corpus';
import { download, errorText, formatCount } from './dom';
import { ask } from './confirm-dialog';
import { LoadingGate } from './loading-gate';
import { trainQuestion } from './train-questions';
import { RunPanel } from './run-panel';
import { flopsPerStep, profileFor } from './run-cost';
import { startWorkers } from './workers';
import { EvaluatePanel } from './evaluate-panel';
import { RunsPanel } from './runs-panel';
import { recipeFromReport } from '../runs/recipe';
import { ModelImportPanel } from './model-import-panel';
import { ChatPanel } from './chat-panel';
import { LoraFields } from './lora-fields';
import type { FolderFiles } from './folder-files';
import { ExportFormats } from './export-formats';
import { SynthPanel } from './synth-panel';

const FAILED_START = 'Training failed to start (the reason is below).';

const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
};

const workers = startWorkers((which, message) => {
  // An error the worker itself did not catch: say so, and give the controls back (the fields are untouched).
  if (which === 'train') {
    runPanel.setState('failed', `The training worker failed: ${message}`, runPanel.currentStep);
    runPanel.showMessage(`The training worker failed: ${message}. Your settings are kept: press Train to try again.`);
  } else {
    runPanel.showMessage(`The data worker failed: ${message}. Reload the page if Prepare does not answer.`);
  }
});
/** Chrome's rounded RAM in GiB (undefined elsewhere): sizes the budget of a CPU-emulated adapter. */
const deviceMemory = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
const banner = $('no-webgpu-banner');
showAdapter($('adapter-panel'), banner, null);

/** Synthetic text (D2) from the imported model, in the Data panel under its report: its output becomes a source. */
const synth = new SynthPanel({
  generate: (req, onProgress) => workers.train.synthesize(req, Comlink.proxy(onProgress)),
  cancel: () => void workers.train.cancelSynth(),
  addSource: (file) => data.sources.putFile(file, 'synthetic'),
});

// The panels call configChanged only on edits, after every panel below exists.
const config = new ConfigPanel($('config-panel'), configChanged);
/** What the data must fit: the (last valid) model's vocabulary and training sequence length. */
const data = new DataPanel($('data-panel'), workers, () => {
  const { model, train } = config.valid();
  return { vocabSize: model.vocabSize, seqLen: train.seqLen, plannedTokens: train.steps * train.batchSize * train.accumSteps * (train.seqLen + 1) };
}, {
  sourcesChanged: (count) => sourcesCounted(count),
  tokenizerProblem: (problem) => tokenizerBlocked(problem),
  datasetShown: (name) => { exportFormats.setDataset(name); synth.setDataset(name); },
});

$('data-panel').appendChild(synth.el);

/** GGUF and the cluster export, shown in the Export section once it is built (below). */
const exportFormats = new ExportFormats({
  async exportGGUF(dtype, progress) {
    const { file, fileName } = await workers.train.exportGGUF(dtype, Comlink.proxy(progress));
    download(file, fileName);
    return { fileName, bytes: file.size };
  },
  async exportCluster(dataset, progress) {
    const model = config.result();
    const { file, fileName, sources } = await workers.data.exportMegatron(dataset, model.ok ? model.model : null, Comlink.proxy(progress));
    download(file, fileName);
    return { fileName, bytes: file.size, sources: sources.length };
  },
});

function tokenizerBlocked(problem: string | null): void {
  runPanel.setBlocked('tokenizer', problem && `${problem} (Data panel, Tokenizer and validation split)`);
}

function sourcesCounted(count: number): void {
  runPanel.setBlocked('sources', count > 0 ? null : 'Add at least one source in the Data panel to train.');
}

function configChanged(r: ConfigResult): void {
  runPanel.setConfigOk(r.ok);
  data.modelChanged();
}

const resumeOptions = (): ResumeOptions => ({
  sample: runPanel.samples.settings(), autosaveSeconds: checkpoints.seconds(), engine: runPanel.engine.value === 'tfjs' ? 'tfjs' : 'auto',
  evaluation: evaluate.schedule(),
});

/** Calls the worker, showing a refusal or failure under the run controls. */
async function guarded(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (e) {
    runPanel.showMessage(errorText(e));
  }
}

/** The run the worker holds (its shape turns a step's time into the adapter's measured throughput). */
let running: RunInfo | null = null;

async function train(): Promise<void> {
  let c = config.result();
  if (!c.ok) return;
  if (c.longRun && !config.measuredFor(c)) {
    // A run flagged as long on a rough figure is timed by a short warm-up first, so the question below
    // gives the time this adapter really takes (or is not asked at all).
    runPanel.setBlocked('measuring', 'Wait: measuring the time per step (Model & training)…');
    try {
      c = await config.measure();
    } finally {
      runPanel.setBlocked('measuring', null);
    }
    if (!c.ok) return;
  }
  const question = trainQuestion({ continuable: runPanel.continuable(), offered: checkpoints.pendingOffer, longRun: c.longRun });
  if (question && !(await ask(question))) return;
  // The counters and charts belong to the new run from the click on.
  runPanel.begin(c.train, 0, [], '…');
  runPanel.setPreparing(true, 'Preparing the data (once for these sources and settings)…');
  let dataset: string;
  let recipe: ReturnType<typeof recipeFromReport> | null = null;
  try {
    const prepared = await data.ensurePrepared();
    dataset = prepared.dataset;
    recipe = recipeFromReport(prepared.report);
    const vocab = prepared.report.tokenizer.vocabSize;
    if (vocab > c.model.vocabSize) {
      throw new Error(`the tokenizer has ${vocab} tokens but the model's vocabulary is ${c.model.vocabSize}: raise the vocabulary or choose a smaller tokenizer`);
    }
  } catch (e) {
    runPanel.setPreparing(false, 'Not started.');
    runPanel.showMessage(`Training did not start: ${errorText(e)}`);
    return;
  }
  runPanel.setPreparing(false);
  checkpoints.showOffer(null); // a new run replaces the autosaved one
  try {
    const lora = imported ? loraChoice() : null;
    const info = await workers.train.start({ dataset, model: c.model, train: c.train, ...resumeOptions(), recipe, fromImported: imported !== null,
      ...(lora ? { lora } : {}), memory: c.memory });
    runFromImported = imported !== null;
    checkpoints.setLora(info.lora ?? null);
    chatSync();
    runPanel.begin(info.train, info.step, info.history, info.backend);
    evaluate.setRunRecipe(recipe);
    running = info;
  } catch (e) {
    // Whatever failed (the device, the worker, the plan), the page goes back to where Train works again;
    // the fields keep the person's settings.
    const why = errorText(e);
    const memory = /memory|device|stopped answering/i.test(why);
    runPanel.setState('failed', FAILED_START, 0);
    runPanel.showMessage(`Training did not start: ${why}. Your settings are kept` +
      (memory ? ': try a smaller preset, batch or sequence length, then Train.' : '.'));
  }
}

/** A run restored from a checkpoint: its configs into the fields, its history into the charts. */
function restored(info: RunInfo): void {
  running = info;
  runFromImported = info.lora !== undefined; // a LoRA run resumes on the imported model, and chats in its format
  checkpoints.setLora(info.lora ?? null);
  checkpoints.showOffer(null);
  config.show(info.model, info.train);
  runPanel.begin(info.train, info.step, info.history, info.backend);
  evaluate.setRunRecipe(null); // until the run's record arrives with its recipe
  checkpoints.setExportable(true);
  exportFormats.setExportable(true);
}

const runPanel: RunPanel = new RunPanel($('run-panel'), {
  train: () => void train(),
  pause: () => void guarded(() => workers.train.pause()),
  resume: () => void guarded(() => workers.train.resume()),
  stop: () => void guarded(() => workers.train.stop()),
  sampleNow: (s, id) => workers.train.sample(s, id),
  cancelSample: (id) => void workers.train.cancelSample(id),
  samplingChanged: (s) => void workers.train.setSampling(s),
});
$('run-bar').appendChild(runPanel.controls); // first in the Tab order, and in view while the page scrolls
runPanel.setConfigOk(config.result().ok);
config.setMeasurer((model, train) => workers.train.measureStep({ model, train, engine: runPanel.engine.value === 'tfjs' ? 'tfjs' : 'auto' }));
sourcesCounted(data.sources.list().length);
tokenizerBlocked(data.tokenizerProblem());

const checkpoints: CheckpointPanel = new CheckpointPanel($('checkpoint-panel'), {
  async exportZip() {
    checkpoints.say('Writing the checkpoint…');
    const { blob, fileName } = await workers.train.exportCheckpoint();
    download(blob, fileName);
    checkpoints.say(`Exported ${fileName} (${formatCount(blob.size)} bytes).`);
  },
  async exportMerged() {
    checkpoints.say('Merging the adapter into the base, tensor by tensor…');
    const { blob, fileName } = await workers.train.exportMergedModel();
    download(blob, fileName);
    checkpoints.say(`Exported ${fileName} (${formatCount(blob.size)} bytes): a plain Hugging Face folder.`);
  },
  async importZip(file) {
    const going = runPanel.continuable();
    if (going && !(await ask({
      title: 'Replace the current run?',
      lines: [`The current run is at step ${going.step} of ${going.totalSteps} and can continue. Importing ${file.name} replaces it (export it first to keep it).`],
      confirm: `Import ${file.name}`, cancel: 'Keep the current run',
    }))) {
      checkpoints.say(`Not imported: the current run is kept.`);
      return;
    }
    checkpoints.say(`Reading ${file.name}…`);
    let info: RunInfo;
    try {
      info = await restoring(workers.train.importCheckpoint(file, file.name, resumeOptions()));
    } catch (e) {
      const why = errorText(e);
      // The file's name once: the reason may already start with it, or name it further in.
      throw new Error(why.startsWith(`${file.name}:`) ? `Refused ${why}` : why.includes(file.name) ? `Refused: ${why}` : `Refused ${file.name}: ${why}`);
    }
    restored(info);
    checkpoints.say(`Loaded ${file.name}: ${info.model.dim}-wide, ${info.model.nLayers}-layer model at step ${info.step} of ${info.train.steps}. Press Resume to continue.`);
  },
  autosaveSecondsChanged: (seconds) => void workers.train.setAutosaveSeconds(seconds),
  async resumeAutosave(continueRun) {
    const info = await restoring(workers.train.resumeAutosave(resumeOptions()));
    restored(info);
    checkpoints.say(`Restored the autosave at step ${info.step}.`);
    if (continueRun) await workers.train.resume();
  },
  async discardAutosave() {
    await workers.train.discardAutosave();
    checkpoints.say('Autosave discarded.');
  },
});
$('resume-offer-slot').appendChild(checkpoints.offer);
$('checkpoint-panel').appendChild(exportFormats.root);

/** Full fine-tuning or a LoRA adapter, for an imported model; a refused field keeps Train off with its message. */
const loraFields = new LoraFields((c) => {
  runPanel.setBlocked('lora', c.ok ? null : `${c.message} (Start from a model, How to fine-tune).`);
  config.setLora(c.ok ? c.lora : null); // the plan includes the adapter, and offers the f16 base with it
});
const loraChoice = () => { const c = loraFields.choice(); return c.ok ? c.lora : null; };

const evaluate: EvaluatePanel = new EvaluatePanel($('evaluate-panel'), {
  check: (files) => workers.train.checkTaskFiles(files),
  evaluate: (tasks, id) => workers.train.evaluate(tasks, id),
  cancel: (id) => void workers.train.cancelEvaluate(id),
  scheduleChanged: (s) => void workers.train.setEvaluation(s),
  decontaminate: (file) => data.addBenchmarks([file]),
});

const runs = new RunsPanel($('runs-panel'), {
  rename: (id, name) => workers.train.renameRun(id, name),
  remove: (id) => workers.train.deleteRun(id),
  importRun: (text, fileName) => workers.train.importRun(text, fileName),
});

/** The imported model the next run starts from (null: seeded weights in the form's shape). */
let imported: ModelCard | null = null;
/** The worker holds a run's weights (chat and export use them), and whether that run started from `imported`. */
let runHolds = false;
let runFromImported = false;

const modelImport = new ModelImportPanel($('model-import-panel'), {
  async importFolder(f) {
    const going = runPanel.continuable();
    if (going && !(await ask({
      title: 'Replace the current run?',
      lines: [`The current run is at step ${going.step} of ${going.totalSteps} and can continue. Importing ${f.folder} closes it (export it first to keep it).`],
      confirm: `Import ${f.folder}`, cancel: 'Keep the current run',
    }))) throw new Error('not imported: the current run is kept');
    runPanel.setBlocked('importing', `Wait: loading ${f.folder}…`);
    try {
      const card = await workers.train.importModel(f.files, f.folder);
      modelImported(card, f);
      return card;
    } finally {
      runPanel.setBlocked('importing', null);
    }
  },
  async forget() {
    await workers.train.forgetModel();
    modelImported(null);
  },
});

$('model-import-panel').appendChild(loraFields.root); // after the panel filled its root

/** The config and data panels follow the imported model (its config locked, its tokenizer.json); null lets go. */
function modelImported(card: ModelCard | null, f?: FolderFiles): void {
  imported = card;
  config.lockModel(card?.config ?? null, card
    ? `Following ${card.name}/config.json (${card.className}${card.tied ? ', tied embeddings' : ''}): the shape is the model's. "Use a preset instead" in Start from a model unlocks it.`
    : '');
  const file = f?.files.find((x) => x.name === 'tokenizer.json')?.file;
  data.useModelTokenizer(card ? { json: card.tokenizer.json, label: card.name, stamp: `model:${card.name}/tokenizer.json:${file?.size}:${file?.lastModified}`,
    chatTemplate: card.sftTemplate } : null);
  loraFields.setModel(card?.config ?? null);
  synth.setModel(card?.onGpu ? card.name : null);
  chatSync();
}

const chat = new ChatPanel($('chat-panel'), {
  send: (req, id) => workers.train.chat(req, id),
  cancel: (id) => void workers.train.cancelChat(id),
});

/** Chat needs weights: a run's, or the imported model's while it sits in the GPU. */
function chatSync(): void {
  const template = runHolds && !runFromImported ? undefined : imported?.chatTemplate;
  chat.setAvailable(runHolds || imported?.onGpu ? null : 'Import a model (Start from a model) or train one to chat with it.', template);
}

/** While a checkpoint loads into the worker, Train waits for it (the worker builds one run at a time). */
async function restoring<T>(task: Promise<T>): Promise<T> {
  runPanel.setBlocked('restoring', 'Wait: loading the checkpoint…');
  try {
    return await task;
  } finally {
    runPanel.setBlocked('restoring', null);
  }
}

// Controls that need the adapter, the corpus or the autosave check stay off, saying why, until those arrive.
let runActive = false;
const gate = new LoadingGate((reason) => {
  runPanel.setBlocked('loading', reason);
  data.setBlocked('loading', reason);
  syncImport();
});
function syncImport(): void {
  checkpoints.setImportBlocked(gate.reason ?? (runActive ? 'A run is going: pause or stop it to import another.' : null));
  modelImport.setBlocked(gate.reason ?? (runActive ? 'A run is going: pause or stop it to import a model.' : null));
  loraFields.setDisabled(gate.reason !== null || runActive);
}

function onEvent(e: TrainEvent): void {
  switch (e.type) {
    case 'state':
      // A failed start is said by start()'s catch (plain status, the reason below it); the worker's event and
      // that rejection arrive in either order, so the status must not depend on which comes last.
      runPanel.setState(e.state, e.state === 'failed' ? FAILED_START : e.message, e.step);
      runActive = e.state === 'starting' || e.state === 'running' || e.state === 'pausing' || e.state === 'stopping';
      syncImport();
      checkpoints.setExportable(e.state !== 'idle' && e.state !== 'starting' && e.state !== 'failed');
      exportFormats.setExportable(e.state !== 'idle' && e.state !== 'starting' && e.state !== 'failed');
      if (e.state === 'idle') checkpoints.setLora(null); // the run is closed
      runHolds = e.state !== 'idle' && e.state !== 'starting' && e.state !== 'failed';
      chatSync();
      evaluate.setRunAvailable(e.state === 'idle' || e.state === 'starting' || e.state === 'failed'
        ? 'Train a run (or restore one) to score it.' : null);
      break;
    case 'step':
      runPanel.onStep(e);
      if (running && e.ms > 0) config.setMeasuredSpeed(flopsPerStep(running.model, running.train) / (e.ms / 1000));
      break;
    case 'eval':
      runPanel.onEval(e.step, e.tokens, e.valLoss);
      break;
    case 'sample':
      runPanel.samples.show(e.step, e.prompt, e.text, e.auto);
      break;
    case 'sampling':
      runPanel.samples.progress(e.id, e.text, e.tokens);
      break;
    case 'autosave':
      checkpoints.autosaved(e.info);
      break;
    case 'diverged':
      runPanel.showMessage(e.message);
      break;
    case 'error':
      runPanel.showMessage(e.message);
      break;
    case 'model-loading':
      modelImport.progress(e);
      break;
    case 'model-gpu':
      modelImport.setOnGpu(e.onGpu);
      if (imported?.name === e.name) imported = { ...imported, onGpu: e.onGpu };
      synth.setModel(imported?.onGpu ? imported.name : null);
      chatSync();
      break;
    case 'chat':
      chat.progress(e.id, e.text, e.tokens, e.maxTokens);
      break;
    case 'scoring':
      evaluate.progress(e);
      break;
    case 'scores':
      runPanel.scores.put(e.step, e.scores);
      break;
    case 'run-saved':
      // Only the run the worker holds writes its record: this is the current run.
      runs.upsert(e.record);
      evaluate.setRunRecipe(e.record.recipe);
      runPanel.scores.show(e.record.scoreCurves);
      break;
    default:
      throw new Error(`unknown training event ${JSON.stringify(e satisfies never)}`);
  }
}

function boot(): void {
  // Tracked before the first await, so no control is offered enabled for a moment before its data arrives.
  const listening = workers.train.listen(Comlink.proxy(onEvent));
  const probing = gate.track('opening the GPU adapter', listening.then(() => workers.train.probe()).then((report) => {
    showAdapter($('adapter-panel'), banner, report);
    const l = report.adapter?.limits;
    if (report.kind === 'webgpu' && l) {
      config.setAdapter({ maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize }, 'this adapter',
        profileFor({ emulated: report.emulated }, deviceMemory));
    } else {
      // tfjs runs on WebGL or the CPU, no faster than an emulated adapter: the same budget and speed.
      config.setAdapter(null, 'tfjs fallback: no binding limits', profileFor({ emulated: true }, deviceMemory));
    }
    document.body.dataset.adapter = report.kind;
  }).catch((e: unknown) => showAdapter($('adapter-panel'), banner, null, `Could not open the training worker: ${errorText(e)}`)));
  const corpus = gate.track('loading the default corpus', loadDefaultCorpus().then((list) => data.addSources(list))
    .catch((e: unknown) => runPanel.showMessage(`The default corpus could not be loaded: ${errorText(e)}`)));
  const offer = gate.track('looking for an autosaved run', listening.then(() => workers.train.autosaveInfo()).then((info) => {
    checkpoints.showOffer(info);
    if (info) checkpoints.autosaved(info);
  }).catch((e: unknown) => checkpoints.say(`Could not look for an autosave: ${errorText(e)}`, true)));
  const kept = gate.track('reading the saved runs', listening.then(() => workers.train.listRuns()).then((r) => runs.show(r.runs, r.problems))
    .catch((e: unknown) => runs.show([], [`The saved runs could not be read: ${errorText(e)}`])));
  void Promise.all([probing, corpus, offer, kept]).then(() => { document.body.dataset.ready = 'true'; });
}

boot();
