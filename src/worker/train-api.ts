// The training worker's API, as the page sees it through Comlink: `Comlink.wrap<TrainApi>(worker)`.
// Everything that happens during a run (steps, evaluations, samples, autosaves, state changes, errors)
// reaches the page as one TrainEvent stream through the listener passed to `listen`, wrapped in
// Comlink.proxy(...). Control calls (pause, sample, export...) may arrive at any time; the worker runs
// them between optimizer steps.
import type { ModelConfig } from '../model/config';
import type { TrainConfig } from '../train/config';
import type { LossPoint } from '../train/checkpoint/trainer-state';

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
}

/** What a restored run takes from the page; everything else comes from the checkpoint. */
export interface ResumeOptions {
  sample: SampleSettings;
  autosaveSeconds: number;
  engine: 'auto' | 'tfjs';
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
}

export type TrainEvent =
  | { type: 'state'; state: RunState; message: string; step: number }
  | { type: 'step'; step: number; totalSteps: number; loss: number; gradNorm: number; lr: number; tokens: number; ms: number; tokensPerSecond: number }
  | { type: 'eval'; step: number; tokens: number; valLoss: number }
  | { type: 'sample'; step: number; prompt: string; text: string; auto: boolean }
  /** A sample on demand as it streams: the text so far (it may end mid-character), after `tokens` of `maxTokens`. */
  | { type: 'sampling'; id: number; text: string; tokens: number; maxTokens: number }
  | { type: 'autosave'; info: AutosaveInfo }
  | { type: 'diverged'; step: number; loss: number; message: string }
  | { type: 'error'; message: string };

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
  /** Loads a checkpoint zip and holds the run paused at its step; refuses anything that would not resume exactly. */
  importCheckpoint(zip: Blob, fileName: string, opts: ResumeOptions): Promise<RunInfo>;
  /** The autosave in OPFS, if any. */
  autosaveInfo(): Promise<AutosaveInfo | null>;
  /** Restores the autosave and holds the run paused at its step (`resume` continues it). */
  resumeAutosave(opts: ResumeOptions): Promise<RunInfo>;
  discardAutosave(): Promise<void>;
}
