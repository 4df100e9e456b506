// The memory plan of a training run, as `npm run train -- ... --plan` prints it and as the run itself uses it:
// the tables of src/model/memory.ts (the allocation), recomputation turned on when --memory-budget needs it,
// and, when the run does not fit, what would. Printing a plan opens no GPU: the binding limits are a stated
// default (PLAN_LIMITS), and a real run checks the adapter's own.
import type { ModelConfig } from '../model/config';
import { estimateMemory, formatBytes, type AdapterLimits, type MemoryEstimate } from '../model/memory';
import type { TrainArgs } from './train-args';

/** Limits a plan assumes without an adapter: 2 GiB per binding. Logits chunks are capped at 256 MiB, so the
 *  total is the same on every adapter that binds at least that much; weights are split into pieces only
 *  below it, which moves no byte. */
export const PLAN_LIMITS: AdapterLimits = { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 31 };

export interface TrainPlan {
  readonly estimate: MemoryEstimate;
  /** The run recomputes activations: asked for with --recompute, or chosen because --memory-budget needs it. */
  readonly recompute: boolean;
  readonly recomputeChosen: boolean;
}

/** The plan for these arguments on an adapter with these limits. */
export function planTrainRun(args: TrainArgs, config: ModelConfig, limits: AdapterLimits): TrainPlan {
  const opts = { lora: args.lora, budgetBytes: args.memoryBudgetBytes, f16Base: args.f16Base, updatePerLayer: args.updatePerLayer,
    f16Activations: args.f16Activations };
  let recompute = args.recompute, recomputeChosen = false;
  // Never beside f16 activations, which it excludes: an over-budget plan then says what would fit instead.
  if (!recompute && !args.f16Activations && args.memoryBudgetBytes !== undefined &&
    estimateMemory(config, args.train, limits, { ...opts, recompute: false }).bytes.total > args.memoryBudgetBytes) {
    recompute = recomputeChosen = true;
  }
  return { estimate: estimateMemory(config, args.train, limits, { ...opts, recompute }), recompute, recomputeChosen };
}

/** The plan as printed: what the run is, every tensor group, the total, then any problem with what would fit. */
export function formatPlan(args: TrainArgs, config: ModelConfig, plan: TrainPlan, limitsNote: string): string[] {
  const e = plan.estimate, b = e.bytes, t = args.train;
  const row = (name: string, bytes: number, note = '') => `  ${name.padEnd(44)} ${formatBytes(bytes).padStart(10)}${note ? `  ${note}` : ''}`;
  const what = args.lora
    ? `LoRA r ${args.lora.rank} on ${args.lora.targets.join(', ')} (${(e.trainable / 1e6).toFixed(3)}M trained), the base frozen`
    : 'full training';
  const lines = [
    `plan: ${args.preset}, ${what}; batch ${t.batchSize} x ${t.seqLen}, ${t.accumSteps} micro-batch${t.accumSteps > 1 ? 'es' : ''} per step; ` +
      `recomputation ${plan.recompute ? (plan.recomputeChosen ? 'on (chosen: --memory-budget needs it)' : 'on') : 'off'}; ` +
      `update ${e.updatePerLayer ? 'layer by layer in the backward' : 'after the backward'}` +
      `${e.f16Activations ? '; saved activations f16 (computed in f32)' : ''}`,
    `  vocabulary ${config.vocabSize}${args.initFrom ? '' : ' (the preset\'s; the data\'s tokenizer may change it)'}; ${limitsNote}`,
    row('weights', b.parameters, `${(e.parameters / 1e6).toFixed(2)}M parameters, ${args.f16Base ? 'the base\'s linear layers f16, the rest f32' : 'f32'}`),
    row('gradients', b.gradients, args.lora ? 'the adapter\'s only'
      : e.updatePerLayer ? 'one layer\'s at a time, the embedding\'s, final norm\'s and lm_head\'s' : ''),
    row('AdamW moments', b.adamMoments, 'two per trained parameter, f32'),
    row('activations', b.activations),
    ...e.activationGroups.map((g) => row(`  ${g.name}`, g.bytes)),
    `total: ${formatBytes(b.total)}` +
      (args.memoryBudgetBytes !== undefined ? ` of the ${formatBytes(args.memoryBudgetBytes)} budget` : ''),
  ];
  for (const p of e.problems) lines.push(`does not fit: ${p}`);
  return lines;
}
