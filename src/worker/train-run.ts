// One training run inside the worker: the loop of optimizer steps with its evaluations, automatic samples
// and autosaves, and the state machine the page drives (pause, resume, stop). Everything that touches the
// backend goes through one queue (`exclusive`), so a sample or an export asked for mid-run happens between
// two steps and never interleaves with one on the GPU.
import type { TrainBackend } from '../train/backend';
import type { CheckpointFiles } from '../train/checkpoint/checkpoint';
import type { Trainer } from '../train/trainer';
import { PRESETS } from '../model/presets';
import type { ModelConfig } from '../model/config';
import type { EvalProblem } from '../eval/read-task-file';
import type { DataRecipe } from '../runs/run-record';
import type { AutosaveInfo, EvalSchedule, RunInfo, RunState, SampleSettings, TrainEvent } from './train-api';
import { EvalCancelled, parseTasks, scoreTasks, type ParsedTask, type ScoredTasks } from './train-evaluate';
import type { RunRecords } from './train-records';
import { streamSample, type SampleResult } from './train-sample';

export interface RunDeps {
  readonly trainer: Trainer;
  readonly dataset: string;
  readonly emit: (e: TrainEvent) => void;
  /** Writes the autosave; the run decides when. */
  readonly autosave: (files: CheckpointFiles, folder: string, info: Omit<AutosaveInfo, 'bytes' | 'savedAt'>) => Promise<AutosaveInfo>;
  /** Where the run's record goes (written at each autosave and when scores arrive); absent: no record kept. */
  readonly record?: RunRecordTarget;
  /** What the run's exports are called before `-stepN` (runFileStem); absent: `leveret-` and the preset. */
  readonly fileStem?: string;
}

/** A run's export name before `-stepN`: the imported model's name and what was trained on it, so a download
 *  says which model it came from (`SmolLM-135M-lora-r16-step200.zip`), else `leveret-` and the preset. */
export function runFileStem(base: { name: string } | null, lora: { rank: number } | null): string | undefined {
  if (!base) return undefined;
  return lora ? `${base.name}-lora-r${lora.rank}` : `${base.name}-finetuned`;
}

export interface RunRecordTarget {
  readonly records: RunRecords;
  readonly id: string;
  /** The name of a new record (a stored record keeps its own). */
  readonly name: string;
  readonly recipe: DataRecipe | null;
}

export interface RunSettings {
  sample: SampleSettings;
  autosaveSeconds: number;
  /** Benchmarks scored every N steps (none when absent). */
  evaluation?: EvalSchedule;
}

/** The preset a config is, or 'custom': names exports and autosaves. */
export function configLabel(c: ModelConfig): string {
  for (const [name, p] of Object.entries(PRESETS)) {
    if ((Object.keys(p) as (keyof typeof p)[]).every((k) => p[k] === c[k])) return name;
  }
  return 'custom';
}

const ACTIVE: readonly RunState[] = ['starting', 'running', 'pausing', 'stopping'];

export class Run {
  private state: RunState;
  private queue: Promise<unknown> = Promise.resolve();
  private looping = false;
  private lastSave = Date.now();
  private lastEvalStep = -1;
  private settings: RunSettings;
  /** Samples on demand the page cancelled (before or while they run). */
  private readonly cancelled = new Set<number>();
  /** Evaluations the page cancelled, by id (-1: the scheduled ones). */
  private readonly evalCancelled = new Set<number>();
  /** The schedule's task files, parsed once per schedule; null until first needed. */
  private scheduled: Promise<ParsedTask[]> | null = null;
  private lastScoreStep = -1;

  constructor(private readonly deps: RunDeps, settings: RunSettings, initial: 'paused' | 'running') {
    this.settings = { ...settings };
    this.state = initial === 'paused' ? 'paused' : 'idle';
  }

  get trainer(): Trainer { return this.deps.trainer; }
  get backend(): TrainBackend { return this.deps.trainer.backend; }
  get active(): boolean { return ACTIVE.includes(this.state); }
  get label(): string { return configLabel(this.backend.config); }
  /** The run record's id, when the run keeps one. */
  get recordId(): string | null { return this.deps.record?.id ?? null; }

  info(): RunInfo {
    const t = this.trainer;
    return {
      state: this.state, dataset: this.deps.dataset, model: this.backend.config, train: t.config,
      step: t.step, tokens: t.tokensSeen, backend: this.backend.name, history: [...t.history],
    };
  }

  /** Runs `fn` after everything queued before it: the backend does one thing at a time. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  update(settings: Partial<RunSettings>): void {
    if (settings.evaluation) this.scheduled = null; // new files or tasks: parsed again when next due
    this.settings = { ...this.settings, ...settings };
  }

  begin(): void {
    this.setState('running', `training on ${this.backend.name}`);
    void this.saveRecord(); // the Runs panel lists the run from its first step on
    void this.loop();
  }

  pause(): void {
    if (this.state === 'running') this.setState('pausing', 'pausing after this step');
  }

  resume(): void {
    if (this.state === 'pausing') { this.setState('running', 'resumed'); return; }
    // A stopped run keeps its weights and data cursor, so it can go on too (after a divergence it may diverge again).
    if (this.state !== 'paused' && this.state !== 'stopped') throw new Error(`cannot resume a run that is ${this.state}`);
    if (this.trainer.done) throw new Error(`this run has already taken all its ${this.trainer.config.steps} steps`);
    this.setState('running', `resumed at step ${this.trainer.step}`);
    if (!this.looping) void this.loop();
  }

  stop(): void {
    if (this.state === 'running' || this.state === 'pausing') this.setState('stopping', 'stopping after this step');
    else if (this.state === 'paused') this.setState('stopped', `stopped at step ${this.trainer.step}`);
  }

  /**
   * Text from the current weights between two steps. With an `id` (a sample on demand) every token's text
   * is sent as a 'sampling' event under it, and cancelSample(id) ends the sample at the next token.
   */
  sample(s: SampleSettings, id?: number): Promise<SampleResult> {
    const progress = id === undefined ? () => undefined
      : (text: string, tokens: number) => this.deps.emit({ type: 'sampling', id, text, tokens, maxTokens: s.maxTokens });
    return this.exclusive(async () => {
      try {
        return await streamSample(this.trainer, s, progress, () => id !== undefined && this.cancelled.has(id));
      } finally {
        if (id !== undefined) this.cancelled.delete(id);
      }
    });
  }

  cancelSample(id: number): void {
    this.cancelled.add(id);
  }

  checkpoint(): Promise<CheckpointFiles> {
    return this.exclusive(() => this.trainer.checkpoint());
  }

  /**
   * The checkpoint with the folder name of the step it holds, both read in the same turn of the queue. Asked
   * for while a step runs, the checkpoint waits for that step: a name read at the call would say the step
   * before the one inside (an export named step14 that imports as step 15).
   */
  namedCheckpoint(): Promise<{ files: CheckpointFiles; folder: string; step: number }> {
    return this.exclusive(async () => ({ files: await this.trainer.checkpoint(), folder: this.folderName(), step: this.trainer.step }));
  }

  /** A folder name for the checkpoint's files: the model, the step. */
  folderName(): string {
    return `${this.deps.fileStem ?? `leveret-${this.label}`}-step${this.trainer.step}`;
  }

  async autosave(): Promise<void> {
    try {
      const { files, folder, step } = await this.namedCheckpoint();
      const info = await this.deps.autosave(files, folder, {
        dataset: this.deps.dataset, step, totalSteps: this.trainer.config.steps, label: this.label,
        ...(this.deps.record ? { runId: this.deps.record.id } : {}),
      });
      this.lastSave = Date.now();
      this.deps.emit({ type: 'autosave', info });
    } catch (e) {
      // A failed autosave (storage full, say) must not end the run; the page shows it.
      this.deps.emit({ type: 'error', message: `autosave failed: ${(e as Error).message}` });
    }
    await this.saveRecord();
  }

  /** Writes the run's record as the trainer has it now, with `scores` added; a failure is shown, not thrown. */
  async saveRecord(scores: ScoredTasks['scores'] = {}): Promise<void> {
    const r = this.deps.record;
    if (!r) return;
    try {
      const record = await r.records.save(r.id, this.trainer.trainerState(), r.recipe, r.name, scores);
      if (record) this.deps.emit({ type: 'run-saved', record });
    } catch (e) {
      this.deps.emit({ type: 'error', message: `the run's record could not be saved: ${(e as Error).message}` });
    }
  }

  /**
   * Scores `tasks` on the current weights between two steps, sending 'scoring' progress under `id`, then
   * 'scores' and the record with them. Rejects with EvalCancelled after cancelEvaluate(id).
   */
  evaluateTasks(tasks: readonly ParsedTask[], id: number, auto: boolean, problems: (p: EvalProblem) => void): Promise<ScoredTasks> {
    return this.exclusive(async () => {
      try {
        const step = this.trainer.step;
        const scored = await scoreTasks(this.trainer, tasks, problems, (taskIndex, done, total) => this.deps.emit({
          type: 'scoring', id, auto, task: tasks[taskIndex].key, taskIndex, tasks: tasks.length, done, total,
        }), () => this.evalCancelled.has(id));
        this.deps.emit({ type: 'scores', step, scores: scored.scores, auto });
        return scored;
      } finally {
        this.evalCancelled.delete(id);
      }
    }).then(async (scored) => {
      await this.saveRecord(scored.scores);
      return scored;
    });
  }

  cancelEvaluate(id: number): void {
    this.evalCancelled.add(id);
  }

  /** Ends the run from outside (the device failed under it): the page hears why and goes back to idle. */
  fail(message: string): void {
    if (this.state === 'failed') return;
    this.deps.emit({ type: 'error', message });
    this.setState('failed', `the run failed at step ${this.trainer.step}: ${message}`);
  }

  destroy(): void {
    this.state = 'stopped';
    void this.exclusive(async () => this.backend.destroy());
  }

  private setState(state: RunState, message: string): void {
    this.state = state;
    this.deps.emit({ type: 'state', state, message, step: this.trainer.step });
  }

  private async loop(): Promise<void> {
    this.looping = true;
    try {
      for (;;) {
        if (this.trainer.done) {
          await this.evaluate(true);
          if (this.lastScoreStep !== this.trainer.step) await this.scheduledScores();
          await this.autosave();
          this.setState('finished', `finished all ${this.trainer.config.steps} steps`);
          return;
        }
        if (this.state === 'pausing') {
          await this.autosave();
          if (this.state === 'pausing') { this.setState('paused', `paused at step ${this.trainer.step}`); return; }
          continue; // resumed while the autosave ran
        }
        if (this.state === 'stopping') {
          await this.autosave();
          this.setState('stopped', `stopped at step ${this.trainer.step}`);
          return;
        }
        if (this.state !== 'running') return;
        if (!(await this.step())) return;
      }
    } catch (e) {
      this.fail((e as Error).message); // once: a device failure may already have failed the run
    } finally {
      this.looping = false;
    }
  }

  /** One optimizer step and what follows it; false when the run has to end here. */
  private async step(): Promise<boolean> {
    const t = this.trainer.config;
    const m = await this.exclusive(() => this.trainer.trainStep());
    if (m.diverged) {
      const what = Number.isFinite(m.loss) ? `the gradient became ${m.gradNorm}` : `the loss became ${m.loss}`;
      const message = `${what} at step ${m.step + 1}; the run stopped at step ${m.step}, its last good state ` +
        '(the weights were not updated). Export it, or train again with a lower learning rate or a longer warmup.';
      this.deps.emit({ type: 'diverged', step: m.step, loss: m.loss, message });
      await this.autosave();
      this.setState('stopped', message);
      return false;
    }
    this.deps.emit({
      type: 'step', step: m.step, totalSteps: t.steps, loss: m.loss, gradNorm: m.gradNorm, lr: m.lr,
      tokens: m.tokens, ms: m.ms, tokensPerSecond: m.tokensPerSecond,
    });
    if (t.evalInterval > 0 && m.step % t.evalInterval === 0) await this.evaluate(false);
    const scoreEvery = this.settings.evaluation?.everySteps ?? 0;
    if (scoreEvery > 0 && m.step % scoreEvery === 0) await this.scheduledScores();
    const every = this.settings.sample.everySteps;
    if (every > 0 && m.step % every === 0) {
      try {
        const { text } = await this.sample(this.settings.sample);
        this.deps.emit({ type: 'sample', step: m.step, prompt: this.settings.sample.prompt, text, auto: true });
      } catch (e) {
        // A sample is a look at the model, not part of training: its failure is shown and the run goes on.
        this.deps.emit({ type: 'error', message: `the automatic sample at step ${m.step} failed: ${(e as Error).message}` });
      }
    }
    const seconds = this.settings.autosaveSeconds;
    if (seconds > 0 && Date.now() - this.lastSave >= seconds * 1000) await this.autosave();
    return true;
  }

  /** The schedule's benchmarks on the current weights; a failure is shown and training goes on. */
  private async scheduledScores(): Promise<void> {
    const schedule = this.settings.evaluation;
    if (!schedule || schedule.everySteps <= 0 || schedule.tasks.length === 0) return;
    this.lastScoreStep = this.trainer.step;
    try {
      // Bad rows were shown when the files were dropped (checkTaskFiles): not repeated at every evaluation.
      this.scheduled ??= parseTasks(schedule.tasks, () => undefined);
      await this.evaluateTasks(await this.scheduled, -1, true, () => undefined);
    } catch (e) {
      if (e instanceof EvalCancelled) return;
      this.deps.emit({ type: 'error', message: `the benchmark evaluation at step ${this.trainer.step} failed: ${(e as Error).message}` });
    }
  }

  /** Validation loss, when the dataset has a validation split; `final` evaluates at the end unless just done. */
  private async evaluate(final: boolean): Promise<void> {
    const t = this.trainer.config;
    if (this.trainer.sampler.valWindows === 0 || this.lastEvalStep === this.trainer.step) return;
    if (final && t.evalInterval === 0) return;
    this.lastEvalStep = this.trainer.step;
    const valLoss = await this.exclusive(() => this.trainer.evaluate());
    this.deps.emit({ type: 'eval', step: this.trainer.step, tokens: this.trainer.tokensSeen, valLoss });
  }
}
