// The Model & training panel: a preset and every field of the model config and the training config, with
// the memory estimate recomputed as you type and a refusal, before anything starts, when the config is
// invalid or cannot fit the adapter.
import { ConfigError, validateConfig, validateShape, type ModelConfig } from '../model/config';
import { formatBytes, type AdapterLimits } from '../model/memory';
import type { LoraConfig } from '../model/lora';
import { PRESET_NAMES, PRESETS, type PresetName } from '../model/presets';
import { HARE_TRAIN_DEFAULTS, suggestedLearningRate, tokensPerStep, validateTrainConfig, type TrainConfig } from '../train/config';
import { errorText, fill, formatCount, h, labelled, numberInput, uid } from './dom';
import { MODEL_FIELDS, TRAIN_FIELDS, type ModelField, type TrainField } from './config-fields';
import { formChecks, inWords, suggestedWarmup } from './config-words';
import { flopsPerStep, measured, perStepText, profileFor, runCost, type ComputeProfile } from './run-cost';
import { presetWords } from './preset-words';
import { budgetLine, budgetRefusal, planFor, planLines, type FitChange, type FitOffer, type MemoryChoice } from './memory-fit';
import { MemoryOptions } from './memory-options';
import { MEASURE_STEPS, type StepTiming } from '../worker/train-measure';

/** Times one step of a config on this adapter (the worker's warm-up, TrainApi.measureStep). */
export type Measurer = (model: ModelConfig, train: TrainConfig) => Promise<StepTiming>;

/** What a step's time depends on: the model and the batch shape (not the step count, rate or seed). */
const shapeKey = (m: ModelConfig, t: TrainConfig): string => JSON.stringify([m, t.batchSize, t.seqLen, t.accumSteps]);

/**
 * A labelled field whose hint and plain-words help describe the control (aria-describedby): the help is the
 * tooltip on hover and shows under the field while it has focus, so it reaches keyboards and screen readers too.
 */
function describedField(f: { label: string; hint: string; help: string }, input: HTMLInputElement): HTMLLabelElement {
  const label = labelled(f.label, input, f.hint);
  const ids: string[] = [];
  const hint = label.querySelector('small.hint');
  if (hint) { hint.id = uid('hint'); ids.push(hint.id); }
  const help = h('span', { class: 'field-help', id: uid('help'), 'data-testid': 'field-help' }, f.help);
  ids.push(help.id);
  label.append(help);
  label.title = f.hint ? `${f.hint}. ${f.help}` : f.help;
  input.setAttribute('aria-describedby', ids.join(' '));
  return label;
}

export type ConfigResult =
  | { ok: true; model: ModelConfig; train: TrainConfig; preset: string; /** Set when the run would take hours here: Train asks first. */ longRun: string | null;
      /** The memory options the run is planned (and started) with. */ memory: MemoryChoice }
  | { ok: false; problems: string[] };

/** Limits used before the adapter is known, and under tfjs (which binds no storage buffers): WebGPU's defaults. */
const DEFAULT_LIMITS: AdapterLimits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };

export class ConfigPanel {
  private readonly preset: HTMLSelectElement;
  private readonly modelInputs = new Map<ModelField, HTMLInputElement>();
  private readonly trainInputs = new Map<TrainField, HTMLInputElement>();
  private readonly estimate: HTMLElement;
  private readonly refusal: HTMLElement;
  private readonly memory: MemoryOptions;
  /** The LoRA adapter the next run trains on the imported model (null: full training): the plan includes it. */
  private lora: LoraConfig | null = null;
  private readonly presetNote: HTMLElement;
  private readonly measureButton: HTMLButtonElement;
  private readonly measureStatus: HTMLElement;
  private measurer: Measurer | null = null;
  /** The shape the profile's throughput was measured on by a warm-up (null: not measured by one). */
  private measuredShape: string | null = null;
  private measuring = false;
  private limits: AdapterLimits | null = DEFAULT_LIMITS;
  private limitsNote = 'WebGPU default limits (adapter not known yet)';
  private profile: ComputeProfile = profileFor(null);
  private warmupFollows = true;
  private last: ConfigResult | null = null;
  private lastValid: Extract<ConfigResult, { ok: true }> | null = null;
  /** An imported model's config: the model fields show it, locked, and the result carries it whole (family, tie). */
  private locked: ModelConfig | null = null;
  private readonly lockNote: HTMLElement = h('p', { class: 'hint', 'data-testid': 'model-locked-note', hidden: true });

  constructor(root: HTMLElement, private readonly onChange: (r: ConfigResult) => void) {
    this.preset = h('select', { 'data-testid': 'preset-select', onchange: () => this.applyPreset() },
      ...PRESET_NAMES.map((p) => h('option', { value: p }, p)), h('option', { value: 'custom' }, 'custom'));
    this.preset.value = 'tiny';
    this.presetNote = h('p', { class: 'hint preset-note', id: uid('preset-note'), 'data-testid': 'preset-description', 'aria-live': 'polite' });
    this.preset.setAttribute('aria-describedby', this.presetNote.id);
    const modelFields = MODEL_FIELDS.map((f) => {
      const input = numberInput(PRESETS.tiny[f.key], { 'data-testid': `model-${f.key}`, oninput: () => this.edited(true) });
      this.modelInputs.set(f.key, input);
      return describedField(f, input);
    });
    const trainField = (f: (typeof TRAIN_FIELDS)[number]) => {
      const input = numberInput(HARE_TRAIN_DEFAULTS[f.key], { 'data-testid': `train-${f.key}`, oninput: () => {
        // The warmup follows the run's length (a tenth) until the person sets it.
        if (f.key === 'warmupSteps') this.warmupFollows = false;
        if (f.key === 'steps' && this.warmupFollows && Number.isInteger(Number(input.value)) && Number(input.value) > 0) {
          (this.trainInputs.get('warmupSteps') as HTMLInputElement).value = String(suggestedWarmup(Number(input.value)));
        }
        this.edited(false);
      } });
      this.trainInputs.set(f.key, input);
      return describedField(f, input);
    };
    this.estimate = h('div', { class: 'estimate', 'data-testid': 'memory-estimate', 'aria-live': 'polite' });
    this.refusal = h('div', { class: 'refusal', 'data-testid': 'config-refusal', role: 'alert' });
    this.memory = new MemoryOptions(() => this.update());
    this.measureStatus = h('span', { class: 'hint', id: uid('measure-status'), 'data-testid': 'measure-status', 'aria-live': 'polite' },
      `Measure times ${MEASURE_STEPS} warm-up steps of this config here (not training; the weights are thrown away).`);
    this.measureButton = h('button', { type: 'button', 'data-testid': 'measure-button', disabled: true, 'aria-describedby': this.measureStatus.id,
      onclick: () => void this.measure() }, 'Measure time per step');
    fill(root,
      h('h2', {}, '2 · Model & training'),
      h('div', { class: 'grid' }, labelled('Preset', this.preset, 'HARE-1.1B and scaled-down shapes')),
      this.presetNote,
      h('h3', {}, 'Model'),
      this.lockNote,
      h('div', { class: 'grid' }, ...modelFields),
      h('h3', {}, 'Training'),
      h('div', { class: 'grid' }, ...TRAIN_FIELDS.filter((f) => !f.advanced).map(trainField)),
      h('details', {}, h('summary', {}, 'Optimizer details'), h('div', { class: 'grid' }, ...TRAIN_FIELDS.filter((f) => f.advanced).map(trainField))),
      this.memory.root,
      this.estimate, h('div', { class: 'buttons' }, this.measureButton, this.measureStatus), this.refusal);
    this.compute(); // the first verdict is read with result(); onChange is for edits
  }

  /** The adapter the run will use: its binding limits, and its profile (memory budget, speed), decide what fits. */
  setAdapter(limits: AdapterLimits | null, note: string, profile: ComputeProfile): void {
    this.limits = limits;
    this.limitsNote = note;
    this.profile = profile;
    this.update();
  }

  /** The throughput a run measured (FLOP/s): the time estimate uses it from now on. */
  setMeasuredSpeed(flopsPerSecond: number): void {
    const before = this.profile.flopsPerSecond;
    this.profile = measured(this.profile, flopsPerSecond);
    // Steps vary a little; redraw only when the estimate would move visibly.
    if (Math.abs(this.profile.flopsPerSecond - before) > 0.2 * before) this.update();
  }

  /** Where Measure runs its warm-up (the training worker); Measure stays off until there is one. */
  setMeasurer(measurer: Measurer | null): void {
    this.measurer = measurer;
    this.update();
  }

  /** Whether this result's time comes from a warm-up of its own shape (else Train measures a long run first). */
  measuredFor(r: Extract<ConfigResult, { ok: true }>): boolean {
    return this.measuredShape === shapeKey(r.model, r.train);
  }

  /**
   * Runs the warm-up on the current config and puts its time per step into the estimate; resolves with the
   * verdict after it (the same verdict, the reason shown, when the config is refused or the warm-up fails).
   */
  async measure(): Promise<ConfigResult> {
    const before = this.result();
    if (!before.ok || !this.measurer) return before;
    this.measuring = true;
    this.measureButton.disabled = true;
    this.measureStatus.textContent = `Measuring: ${MEASURE_STEPS} warm-up steps of this config (the first compiles the kernels)…`;
    try {
      const t = await this.measurer(before.model, before.train);
      const basis = `measured on a ${MEASURE_STEPS}-step warm-up here`;
      this.profile = measured(this.profile, flopsPerStep(before.model, before.train) / (t.msPerStep / 1000), basis);
      this.measuredShape = shapeKey(before.model, before.train);
      this.measureStatus.textContent = `Measured ${perStepText(t.msPerStep / 1000)} per step on this adapter.`;
    } catch (e) {
      this.measureStatus.textContent = `Could not measure: ${errorText(e)}`;
    } finally {
      this.measuring = false;
    }
    return this.update();
  }

  result(): ConfigResult {
    return this.last ?? this.compute();
  }

  /** The latest config that passed every check: what the data panel sizes the tokenizer and sequences for. */
  valid(): Extract<ConfigResult, { ok: true }> {
    return this.lastValid as Extract<ConfigResult, { ok: true }>;
  }

  /** Shows a run's configs (a restored checkpoint) in the fields. */
  show(model: ModelConfig, train: TrainConfig): void {
    this.warmupFollows = false; // a restored run's warmup is part of it
    for (const [k, input] of this.modelInputs) input.value = String(model[k]);
    for (const [k, input] of this.trainInputs) input.value = String(train[k]);
    this.preset.value = PRESET_NAMES.find((p) => MODEL_FIELDS.every((f) => PRESETS[p][f.key] === model[f.key])) ?? 'custom';
    this.update();
  }

  /**
   * Follows an imported model (null: back to the form's own fields): its config in the model fields, which
   * stay off with `reason` beside them, and the sequence length kept within its context.
   */
  lockModel(model: ModelConfig | null, reason = ''): void {
    this.locked = model;
    this.preset.disabled = model !== null;
    for (const [k, input] of this.modelInputs) {
      input.disabled = model !== null;
      if (model) input.value = String(model[k]);
    }
    if (model) {
      this.preset.value = 'custom';
      const seqLen = this.trainInputs.get('seqLen') as HTMLInputElement;
      if (Number(seqLen.value) > model.contextLength) seqLen.value = String(model.contextLength);
    }
    this.lockNote.textContent = reason;
    this.lockNote.hidden = model === null;
    this.update();
  }

  /** The LoRA choice for an imported model (null: full training): planned with the run, and the f16 base offered with it. */
  setLora(lora: LoraConfig | null): void {
    this.lora = lora;
    this.memory.setLora(lora !== null);
    this.update();
  }

  /** A fit button: the option it names turned on, or the smaller micro-batch with more accumulation. */
  private applyFit(change: FitChange): void {
    if (change.kind === 'memory') {
      this.memory.turnOn(change.option);
      if (change.alsoRecompute) this.memory.turnOn('recompute');
    } else {
      (this.trainInputs.get('batchSize') as HTMLInputElement).value = String(change.batchSize);
      (this.trainInputs.get('accumSteps') as HTMLInputElement).value = String(change.accumSteps);
    }
    this.update();
  }

  setTrainField(key: TrainField, value: number): void {
    (this.trainInputs.get(key) as HTMLInputElement).value = String(value);
    this.update();
  }

  private applyPreset(): void {
    const name = this.preset.value;
    if (name !== 'custom') {
      const p = PRESETS[name as PresetName];
      for (const [k, input] of this.modelInputs) input.value = String(p[k]);
      const seqLen = this.trainInputs.get('seqLen') as HTMLInputElement;
      if (Number(seqLen.value) > p.contextLength) seqLen.value = String(p.contextLength);
      (this.trainInputs.get('lr') as HTMLInputElement).value = String(suggestedLearningRate(p));
    }
    this.update();
  }

  private edited(model: boolean): void {
    if (model) {
      const name = this.preset.value;
      const p = name === 'custom' ? null : PRESETS[name as PresetName];
      if (p && MODEL_FIELDS.some((f) => Number(this.modelInputs.get(f.key)!.value) !== p[f.key])) this.preset.value = 'custom';
    }
    this.update();
  }

  private read<K extends string>(inputs: Map<K, HTMLInputElement>): Record<K, number> {
    const out = {} as Record<K, number>;
    for (const [k, input] of inputs) out[k] = input.value.trim() === '' ? NaN : Number(input.value);
    return out;
  }

  private update(): ConfigResult {
    const result = this.compute();
    this.onChange(result);
    return result;
  }

  /** Checks the fields, shows the estimate or the refusal, and remembers the verdict. */
  private compute(): ConfigResult {
    const problems: string[] = [];
    let model: ModelConfig | null = null;
    let train: TrainConfig | null = null;
    let cost: ReturnType<typeof runCost> | null = null;
    const invalid = new Set<string>();
    const named = (e: unknown) => {
      if (e instanceof ConfigError) { invalid.add(e.field); problems.push(inWords(e.field, e.message)); } else problems.push((e as Error).message);
    };
    const rawModel = this.read(this.modelInputs), rawTrain = this.read(this.trainInputs);
    const early = formChecks(rawModel, rawTrain);
    for (const p of early) invalid.add(p.startsWith('vocabulary') ? 'vocabSize' : 'warmupSteps');
    try { model = validateConfig(this.locked ?? (rawModel as unknown as ModelConfig)); } catch (e) { named(e); }
    try { train = validateTrainConfig(rawTrain as unknown as TrainConfig); } catch (e) { named(e); }
    if (model && train) {
      try { validateShape(train, model); } catch (e) { named(e); }
    }
    problems.push(...early);
    for (const [k, input] of [...this.modelInputs, ...this.trainInputs] as [string, HTMLInputElement][]) {
      input.setAttribute('aria-invalid', String(invalid.has(k)));
    }
    let offers: readonly FitOffer[] = [];
    this.memory.setAccumulating(rawTrain.accumSteps > 1);
    const memory = this.memory.choice();
    if (model && train && problems.length === 0) {
      const limits = this.limits ?? { maxStorageBufferBindingSize: Number.MAX_SAFE_INTEGER, maxBufferSize: Number.MAX_SAFE_INTEGER };
      const est = planFor(model, train, limits, memory, this.lora);
      const b = est.bytes;
      cost = runCost(model, train, this.profile);
      fill(this.estimate,
        h('strong', {}, `${formatCount(est.parameters)} parameters · ${formatBytes(b.total)} of GPU memory`),
        h('div', { 'data-testid': 'memory-budget' }, budgetLine(b.total, this.profile.memoryBudget, this.limits?.maxStorageBufferBindingSize ?? null)),
        ...planLines(est).map((line) => h('div', { 'data-testid': 'memory-plan' }, line)),
        h('div', {}, `largest binding: ${est.largestBinding.name} ${formatBytes(est.largestBinding.bytes)}` +
          (this.limits ? ` (limit ${formatBytes(this.limits.maxStorageBufferBindingSize)}, ${this.limitsNote})` : ` (${this.limitsNote})`)),
        h('div', {}, `${formatCount(tokensPerStep(train))} tokens per step, ${formatCount(tokensPerStep(train) * train.steps)} in the run`),
        h('div', { 'data-testid': 'time-estimate' }, `Time: ${cost.timeText}`),
        cost.longRun ? h('div', { class: 'warning', 'data-testid': 'long-run-warning', role: 'alert' }, `⚠ ${cost.longRun}.`) : null);
      for (const p of est.problems) problems.push(`does not fit this adapter: ${p}`);
      const budget = budgetRefusal(model, train, limits, memory, this.lora, this.profile.memoryBudget);
      if (budget) { problems.push(`does not fit this adapter: ${budget.message}`); offers = budget.offers; }
    } else {
      fill(this.estimate, h('span', { class: 'hint' }, 'No estimate until the fields are valid.'));
    }
    const fixes = offers.map((o) => h('button', { type: 'button', 'data-testid': 'memory-fit', onclick: () => this.applyFit(o.change) }, o.label));
    fill(this.refusal, ...(problems.length ? [h('strong', {}, 'Training is refused:'), h('ul', {}, ...problems.map((p) => h('li', {}, p))),
      fixes.length ? h('div', { class: 'buttons', 'data-testid': 'memory-fits' }, ...fixes) : null] : []));
    this.refusal.hidden = problems.length === 0;
    const name = this.preset.value;
    this.presetNote.textContent = name in PRESETS
      ? presetWords(name as PresetName, train, this.profile)
      : 'custom: your own shape (the estimate below is for it).';
    this.measureButton.disabled = this.measuring || !this.measurer || problems.length > 0;
    const result: ConfigResult = problems.length === 0 && model && train
      ? { ok: true, model, train, preset: this.preset.value, longRun: cost?.longRun ?? null, memory }
      : { ok: false, problems };
    this.last = result;
    if (result.ok) this.lastValid = result;
    return result;
  }
}
