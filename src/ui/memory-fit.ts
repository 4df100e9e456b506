// The page's words for the memory plan: which of the adapter's memory the run will use, group by group, and,
// when the plan is over the budget, the options that would make it fit (memory.ts fitOptions, planned with
// the same tables the engine allocates), each with its planned total and the change a button applies.
import type { ModelConfig } from '../model/config';
import type { LoraConfig } from '../model/lora';
import { estimateMemory, fitOptions, formatBytes, type AdapterLimits, type FitOption, type MemoryEstimate } from '../model/memory';
import type { TrainConfig } from '../train/config';

/** The memory options the form offers (the CLI's --recompute, --f32-base unticked, --update-per-layer, --f16-activations). */
export interface MemoryChoice {
  /** Keep each block's input only and recompute the block in the backward. */
  readonly recompute: boolean;
  /** With a LoRA adapter: the frozen base's linear layers stored as f16. */
  readonly f16Base: boolean;
  /** Full training without accumulation: the update applied layer by layer, one layer's gradients at a time. */
  readonly updatePerLayer: boolean;
  /** The saved activations stored as f16 between the forward and the backward (not with recompute). */
  readonly f16Activations: boolean;
}

export const NO_MEMORY_OPTIONS: MemoryChoice = { recompute: false, f16Base: false, updatePerLayer: false, f16Activations: false };

/** What a fit button changes: a memory option turned on (with recomputation too, `alsoRecompute`), or the
 *  micro-batch and accumulation. */
export type FitChange =
  | { readonly kind: 'memory'; readonly option: keyof MemoryChoice; readonly alsoRecompute?: true }
  | { readonly kind: 'batch'; readonly batchSize: number; readonly accumSteps: number };

export interface FitOffer {
  /** The button's text: the change and the total it plans ("Turn on recomputation: 3.96 GiB"). */
  readonly label: string;
  readonly bytes: number;
  readonly change: FitChange;
}

/** The estimate's options for this choice: the f16 base with an adapter only, the update layer by layer without one. */
const estimateOptions = (choice: MemoryChoice, lora: LoraConfig | null) => ({
  recompute: choice.recompute, f16Activations: choice.f16Activations,
  ...(lora ? { lora, f16Base: choice.f16Base } : { updatePerLayer: choice.updatePerLayer }),
});

/** The plan for this config with these options (and adapter, when LoRA). */
export function planFor(model: ModelConfig, train: TrainConfig, limits: AdapterLimits, choice: MemoryChoice, lora: LoraConfig | null): MemoryEstimate {
  return estimateMemory(model, train, limits, estimateOptions(choice, lora));
}

/** The plan's lines: what holds the memory (weights, gradients, moments), then the activations by group in table order. */
export function planLines(est: MemoryEstimate): string[] {
  const b = est.bytes;
  const weights = est.trainable < est.parameters ? 'weights (frozen base and adapter)' : 'weights';
  return [
    `${weights} ${formatBytes(b.parameters)}, gradients ${formatBytes(b.gradients)}, AdamW moments ${formatBytes(b.adamMoments)}, ` +
      `activations ${formatBytes(b.activations)}${est.recompute ? ' (recomputed in the backward)' : est.f16Activations ? ' (saved as f16)' : ''}` +
      `${est.updatePerLayer ? '; gradients one layer at a time (the update applied layer by layer)' : ''}`,
    `activations: ${est.activationGroups.filter((g) => g.bytes > 0).map((g) => `${g.name} ${formatBytes(g.bytes)}`).join(', ')}`,
  ];
}

/** What the total is measured against: the emulated adapter's budget, or, on a GPU, its binding limit only. */
export function budgetLine(totalBytes: number, budget: number | null, maxBindingBytes: number | null): string {
  if (budget === null) {
    return `${formatBytes(totalBytes)} in all; this GPU reports no memory size, so only its binding limit is checked` +
      (maxBindingBytes === null ? '' : ` (${formatBytes(maxBindingBytes)} per binding)`);
  }
  const share = Math.round(100 * totalBytes / budget);
  return `${formatBytes(totalBytes)} of the ${formatBytes(budget)} this CPU-emulated adapter may use (${share}%)`;
}

const offerLabel = (f: FitOption): string | null => {
  switch (f.option) {
    case 'recompute': return 'Turn on recomputation';
    case 'f16Base': return 'Store the frozen base as f16';
    case 'f16Activations': return 'Store saved activations as f16';
    case 'batch': return `Use batch ${f.shape!.batchSize} with accumulation ${f.shape!.accumSteps}`;
    case 'updatePerLayer': return f.withRecompute ? 'Apply the update layer by layer, with recomputation' : 'Apply the update layer by layer';
    case 'lora': return null; // the page trains LoRA only on an imported model (Start from a model), not on a preset
    default: throw new Error(`unknown fit option ${String(f.option)}`);
  }
};

const offerChange = (f: FitOption): FitChange => f.option === 'batch'
  ? { kind: 'batch', batchSize: f.shape!.batchSize, accumSteps: f.shape!.accumSteps }
  : { kind: 'memory', option: f.option as keyof MemoryChoice, ...(f.withRecompute ? { alsoRecompute: true as const } : {}) };

export interface BudgetRefusal {
  /** The sentence for the refusal list. */
  readonly message: string;
  /** Each option that alone would fit, cheapest change first; empty when none does. */
  readonly offers: readonly FitOffer[];
}

/**
 * Null when the plan is within the budget (or there is none, on a GPU); otherwise the refusal with the
 * options that would fit, or, when none does, the least this config takes with every option the page has on
 * at batch 1 (what remains to cut: a smaller preset or a shorter sequence).
 */
export function budgetRefusal(model: ModelConfig, train: TrainConfig, limits: AdapterLimits, choice: MemoryChoice,
  lora: LoraConfig | null, budget: number | null): BudgetRefusal | null {
  const est = planFor(model, train, limits, choice, lora);
  if (budget === null || est.bytes.total <= budget) return null;
  const opts = estimateOptions(choice, lora);
  const offers: FitOffer[] = [];
  for (const f of fitOptions(model, train, limits, opts, budget)) {
    const label = offerLabel(f);
    if (label) offers.push({ label: `${label}: ${formatBytes(f.bytes)}`, bytes: f.bytes, change: offerChange(f) });
  }
  const over = `needs ${formatBytes(est.bytes.total)}, more than the ${formatBytes(budget)} this CPU-emulated adapter may use`;
  if (offers.length) return { message: `${over}; any one of these would make it fit:`, offers };
  const least = planFor(model, { ...train, batchSize: 1, accumSteps: train.accumSteps * train.batchSize }, limits,
    { recompute: true, f16Base: lora !== null, updatePerLayer: false, f16Activations: false }, lora).bytes.total;
  return {
    message: `${over}, and no memory option brings it within: with recomputation${lora ? ', the base in f16' : ''} and batch 1 ` +
      `it still needs ${formatBytes(least)}; choose a smaller preset (tiny, micro, mini) or a shorter sequence`,
    offers,
  };
}
