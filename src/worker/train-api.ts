// The training worker's API, as the page sees it through Comlink: `Comlink.wrap<TrainApi>(worker)`.
// Everything that happens during a run (steps, evaluations, samples, autosaves, state changes, errors)
// reaches the page as one TrainEvent stream through the listener passed to `listen`, wrapped in
// Comlink.proxy(...). Control calls (pause, sample, export...) may arrive at any time; the worker runs
// them between optimizer steps.
import type { ModelConfig } from '../model/config';
import type { MemoryRequest } from './train-compute';
import type { TrainConfig } from '../train/config';
import type { LossPoint } from '../train/checkpoint/trainer-state';
import type { EvalReport } from '../eval/report';
import type { DataRecipe, RunRecord, TaskScore } from '../runs/run-record';
import type { TokenizerJSON } from '../data/tokenizer/tokenizer';
import type { ChatTurn } from './chat-prompt';
import type { ChatTemplateSpec } from '../data/sft/chat-template';
import type { LoraRequest } from './train-lora';
import type { StepTiming } from './train-measure';
import type { SynthListener, SynthOutcome, SynthRequest } from './synth-api';

export type { ChatTurn } from './chat-prompt';
export type { LoraRequest } from './train-lora';
export type { StepTiming } from './train-measure';

/** What runs the model in this worker: our WebGPU engine, or the tfjs reference model where WebGPU is missing. */
export interface BackendReport {
  kind: 'webgpu' | 'tfjs';
  /** One line for the page: the engine and the adapter, or the tfjs backend. */
  name: string;
  /** The adapter, when WebGPU works here. */
  adapter: AdapterReport | null;
  /** Why WebGPU is not used (no navigator.gpu, no adapter, device refused...); null when it is. */
  fallbackReason: string | null;
  /** The adapter is a CPU implementation (SwiftShader...): it allocates in RAM and runs at CPU speed. */
  emulated: boolean;
}

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  features: string[];
  /** Every numeric limit the adapter reports, by WebGPU's name. */
  limits: Record<string, number>;
}

/** The most tokens one sample may ask for: a sample holds the worker (and the run) until it ends. */
export const MAX_SAMPLE_TOKENS = 1024;

/** Text generation settings: greedy when temperature is 0. */
export interface SampleSettings {
  prompt: string;
  maxTokens: number;
  temperature: number;
  topK: number;
  seed: number;
  /** Optimizer steps between automatic samples (0: only on demand). */
  everySteps: number;
}

/** A benchmark file as the page holds it: its task family (a name in src/eval/task-registry.ts) and the File. */
export interface EvalTaskFile {
  /** The page's name for this task and file: the task's name, or `task (file)` when a task has two files. */
  key: string;
  task: string;
  file: File;
}

/** One task to score: a file, few-shot examples per document, and how many documents (null: all). */
export interface EvalTaskRequest extends EvalTaskFile {
  shots: number;
  limit: number | null;
}

/** A dropped file as the worker read it: documents found, and each bad row by file and row. */
export interface TaskFileCheck {
  key: string;
  rows: number;
  problems: string[];
}

/** Benchmark scoring during training: these tasks every `everySteps` optimizer steps (0: never). */
export interface EvalSchedule {
  everySteps: number;
  tasks: EvalTaskRequest[];
}

/** What an evaluation on demand gives back: the `npm run eval -- --out` JSON, the scores recorded in the run. */
export interface EvalOutcome {
  report: EvalReport;
  scores: Record<string, TaskScore>;
  /** Rows skipped, as `file:row: why`. */
  problems: string[];
  step: number;
  /** The run record the scores went into. */
  runId: string;
}

export interface StartRequest {
  /** The dataset's folder in OPFS, written by the data worker. */
  dataset: string;
  model: ModelConfig;
  train: TrainConfig;
  sample: SampleSettings;
  /** Seconds between autosaves to OPFS while running (0: only on pause, stop and the end of the run). */
  autosaveSeconds: number;
  /** 'tfjs' forces the reference model even where WebGPU works (slow; for comparison and fallback checks). */
  engine: 'auto' | 'tfjs';
  /** How the engine keeps its memory (the form's Memory boxes); none when absent. f16Base applies to a LoRA run only,
   *  updatePerLayer to full training with one micro-batch per step only; f16Activations excludes recompute and updatePerLayer. */
  memory?: MemoryRequest;
  /** Benchmarks scored during the run (none when absent). */
  evaluation?: EvalSchedule;
  /** The prepared data's recipe (src/runs/recipe.ts recipeFromReport), kept in the run's record. */
  recipe?: DataRecipe | null;
  /** Start from the imported model's weights (full fine-tuning; `model` must be its config) instead of the seed's. */
  fromImported?: boolean;
  /**
   * Train a LoRA adapter on the imported model instead (needs `fromImported`): its weights frozen, only the
   * adapter trained; the run's exports and autosaves are PEFT adapter folders.
   */
  lora?: LoraRequest;
}

/** A config to time on this adapter before it is trained (TrainApi.measureStep). */
export interface MeasureRequest {
  model: ModelConfig;
  train: TrainConfig;
  engine: 'auto' | 'tfjs';
}

/** One file of a dropped model folder: its name in the folder (config.json, model-00001-of-00002.safetensors...). */
export interface ModelFile {
  name: string;
  file: File;
}

/** What the page shows of an imported model, and what the config and data panels follow. */
export interface ModelCard {
  /** The folder's name as dropped. */
  name: string;
  /** LlamaForCausalLM or MistralForCausalLM: what export writes back. */
  className: string;
  config: ModelConfig;
  tied: boolean;
  parameters: number;
  /** Bytes of the tensors as stored (BF16: 2 per value). */
  storedBytes: number;
  dtypes: string[];
  weightFiles: string[];
  tokenizer: { type: string; vocabSize: number; bosId: number; eosId: number; json: TokenizerJSON };
  /** Where the chat template comes from: tokenizer_config.json, or the default's description. */
  chatTemplate: string;
  /** The template the data step renders SFT sources with for this model (model-import.ts); null: ChatML. */
  sftTemplate: ChatTemplateSpec | null;
  warnings: string[];
  /** The weights were loaded into a forward-only GPU engine (chat before training); false under tfjs. */
  onGpu: boolean;
}

/** A chat reply to ask for: the conversation so far (ending with the user's message) and the decoding. */
export interface ChatRequest {
  messages: ChatTurn[];
  maxTokens: number;
  temperature: number;
  topK: number;
  seed: number;
}

/** What a restored run takes from the page; everything else comes from the checkpoint. */
export interface ResumeOptions {
  sample: SampleSettings;
  autosaveSeconds: number;
  engine: 'auto' | 'tfjs';
  evaluation?: EvalSchedule;
}

export type RunState = 'idle' | 'starting' | 'running' | 'pausing' | 'paused' | 'stopping' | 'stopped' | 'finished' | 'failed';

/** Where a run stands: sent with every state change, and returned by calls that create or restore a run. */
export interface RunInfo {
  state: RunState;
  dataset: string;
  model: ModelConfig;
  train: TrainConfig;
  step: number;
  tokens: number;
  backend: string;
  /** Losses so far (a restored run brings its history along). */
  history: LossPoint[];
  /** A LoRA run: the adapter's settings, and the imported model it trains on. */
  lora?: LoraRequest & { base: string };
}

export interface AutosaveInfo {
  dataset: string;
  step: number;
  totalSteps: number;
  /** ms since the epoch. */
  savedAt: number;
  /** 'tiny', 'custom', ...: the preset the page had chosen, for the offer's text. */
  label: string;
  bytes: number;
  /** The run record this autosave belongs to, so a restored run goes on writing the same record. */
  runId?: string;
}

export type TrainEvent =
  | { type: 'state'; state: RunState; message: string; step: number }
  | { type: 'step'; step: number; totalSteps: number; loss: number; gradNorm: number; lr: number; tokens: number; ms: number; tokensPerSecond: number }
  | { type: 'eval'; step: number; tokens: number; valLoss: number }
  | { type: 'sample'; step: number; prompt: string; text: string; auto: boolean }
  /** A sample on demand as it streams: the text so far (it may end mid-character), after `tokens` of `maxTokens`. */
  | { type: 'sampling'; id: number; text: string; tokens: number; maxTokens: number }
  | { type: 'autosave'; info: AutosaveInfo }
  /** Benchmark scoring under way: requests `done` of `total` in task `taskIndex` (of `tasks`) named `task`. */
  | { type: 'scoring'; id: number; auto: boolean; task: string; taskIndex: number; tasks: number; done: number; total: number }
  /** Benchmark scores of the weights at `step` (on demand, or `auto` from the run's schedule). */
  | { type: 'scores'; step: number; scores: Record<string, TaskScore>; auto: boolean }
  /** The current run's record was written (after an autosave, a stop, new scores). */
  | { type: 'run-saved'; record: RunRecord }
  | { type: 'diverged'; step: number; loss: number; message: string }
  | { type: 'error'; message: string }
  /** An imported model's weights streaming into GPU buffers (at import, and when a run starts from them). */
  | { type: 'model-loading'; name: string; tensors: number; totalTensors: number; bytes: number; totalBytes: number }
  /** The imported model's forward engine (its chat copy of the weights) was freed for a run, or loaded. */
  | { type: 'model-gpu'; name: string; onGpu: boolean }
  /** A chat reply as it streams: the text so far (it may end mid-character), after `tokens` of `maxTokens`. */
  | { type: 'chat'; id: number; text: string; tokens: number; maxTokens: number };

export type TrainListener = (e: TrainEvent) => void;

export interface TrainApi {
  /** Registers the page's listener (a Comlink.proxy); the latest registration replaces earlier ones. */
  listen(listener: TrainListener): Promise<void>;
  /** Opens WebGPU in this worker (once) and says what will train; falls back to tfjs when it cannot. */
  probe(): Promise<BackendReport>;
  /** Builds the model and starts training; resolves once the first step can run (the loop goes on in the background). */
  start(req: StartRequest): Promise<RunInfo>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Ends the run after the current step; its weights stay for export and sampling. */
  stop(): Promise<void>;
  /**
   * Text from the current weights (between steps when a run is going), streamed as 'sampling' events under
   * `id`; refuses settings outside the limits (Tokens 1 to 1024, temperature 0 to 5).
   */
  sample(settings: SampleSettings, id: number): Promise<{ text: string; tokens: number; cancelled: boolean }>;
  /** Ends the sample `id` at its next token (it resolves with the text so far). */
  cancelSample(id: number): Promise<void>;
  /** Changes the automatic sample settings of the current run. */
  setSampling(settings: SampleSettings): Promise<void>;
  setAutosaveSeconds(seconds: number): Promise<void>;
  /** The current run as a checkpoint zip: Hugging Face model folder plus trainer state. */
  exportCheckpoint(): Promise<{ blob: Blob; fileName: string }>;
  /** A LoRA run's adapter merged into its base (W + s B A): a plain Hugging Face folder of the base's family, as a zip. */
  exportMergedModel(): Promise<{ blob: Blob; fileName: string }>;
  /**
   * The current run as one GGUF v3 file for llama.cpp (a LoRA run: its base with the adapter merged), written
   * into OPFS as it streams (src/worker/opfs-export.ts) and returned as that File; `onProgress` is a Comlink.proxy.
   */
  exportGGUF(dtype: 'f32' | 'f16' | 'bf16', onProgress?: (bytes: number, total: number) => void): Promise<{ file: File; fileName: string }>;
  /**
   * Times one optimizer step of a config on this adapter: a throwaway backend takes MEASURE_STEPS steps on random
   * tokens (src/worker/train-measure.ts), then is destroyed with its weights; nothing is trained or counted.
   * Refused while a run is going (its own steps measure it).
   */
  measureStep(req: MeasureRequest): Promise<StepTiming>;
  /**
   * Loads a checkpoint zip and holds the run paused at its step; refuses anything that would not resume exactly.
   * A LoRA adapter zip resumes on the imported model (which must be its base); a whole-model checkpoint is
   * refused while a model is imported (it brings its own weights: "Use a preset instead" first).
   */
  importCheckpoint(zip: Blob, fileName: string, opts: ResumeOptions): Promise<RunInfo>;
  /** The autosave in OPFS, if any. */
  autosaveInfo(): Promise<AutosaveInfo | null>;
  /** Restores the autosave and holds the run paused at its step (`resume` continues it). */
  resumeAutosave(opts: ResumeOptions): Promise<RunInfo>;
  discardAutosave(): Promise<void>;
  /** Reads dropped benchmark files as their tasks' documents, reporting bad rows by file and row. */
  checkTaskFiles(files: EvalTaskFile[]): Promise<TaskFileCheck[]>;
  /**
   * Scores the tasks on the current weights (between steps when a run is going), with 'scoring' progress
   * under `id`; the scores go into the run's record. Rejects with 'evaluation cancelled' after cancelEvaluate.
   */
  evaluate(tasks: EvalTaskRequest[], id: number): Promise<EvalOutcome>;
  /** Ends the evaluation `id` at its next batch of requests. */
  cancelEvaluate(id: number): Promise<void>;
  /** Changes the current run's benchmark schedule. */
  setEvaluation(schedule: EvalSchedule): Promise<void>;
  /** Every run record kept in this browser, newest first, and the files that could not be read. */
  listRuns(): Promise<{ runs: RunRecord[]; problems: string[] }>;
  renameRun(id: string, name: string): Promise<RunRecord>;
  deleteRun(id: string): Promise<void>;
  /** Keeps an exported run record (its id kept: importing the same run again replaces it). */
  importRun(text: string, fileName: string): Promise<RunRecord>;
  /**
   * Opens a dropped Hugging Face folder (Llama or Mistral), refusing by file and field what it cannot run, and
   * streams its weights into the GPU with 'model-loading' events; closes the current run. Train with
   * `fromImported` continues from these weights.
   */
  importModel(files: ModelFile[], folderName: string): Promise<ModelCard>;
  /** Lets go of the imported model (its GPU buffers too): runs start from seeded weights again. */
  forgetModel(): Promise<void>;
  /**
   * A reply from the current run's weights, or the imported model's before any run, through the model's chat
   * template; streamed as 'chat' events under `id`; the same limits as `sample`.
   */
  chat(req: ChatRequest, id: number): Promise<{ text: string; tokens: number; cancelled: boolean; promptTokens: number }>;
  /** Ends the chat reply `id` at its next token. */
  cancelChat(id: number): Promise<void>;
  /**
   * Synthetic text (D2) from the imported model's weights while they sit in the GPU, seeded from the prepared
   * dataset, appended to an OPFS file (the same request again resumes it); `onProgress` is a Comlink.proxy.
   */
  synthesize(req: SynthRequest, onProgress?: SynthListener): Promise<SynthOutcome>;
  /** Ends the synthesis at its next token: the finished records stay in the file. */
  cancelSynth(): Promise<void>;
}
