// `npm run train` arguments, parsed and checked without touching a file or the GPU: every value, the preset,
// the sequence length against the preset's context, the training config. Each refusal names its option.
import { ConfigError, type ModelConfig } from '../model/config';
import { DEFAULT_LORA_TARGETS, LORA_TARGETS, SHORT_TARGETS, validateLora, type LoraConfig, type LoraTarget } from '../model/lora';
import { updatePerLayerRefusal } from '../model/memory';
import { preset, PRESET_NAMES } from '../model/presets';
import { HARE_TRAIN_DEFAULTS, suggestedLearningRate, validateTrainConfig, type TrainConfig } from '../train/config';
import { Args, ArgError } from './args';
import type { InitFrom } from './init-from.node';

/** PEFT's LoraConfig default. */
const LORA_ALPHA_DEFAULT = 8;

export const TRAIN_USAGE = `usage: npm run train -- --preset NAME|--init-from DIR --data FILE|DIR [options]
  --preset NAME        ${PRESET_NAMES.join(', ')}
  --init-from DIR      start from a Hugging Face Llama or Mistral folder (config.json, tokenizer.json,
                       model.safetensors or sharded): its weights, its tokenizer (the data is prepared with it)
  --data FILE|DIR      a .txt or .jsonl file (prepared on the spot), or a folder written by npm run data
  --steps N            optimizer steps (default ${HARE_TRAIN_DEFAULTS.steps})
  --batch B --seq-len T --accum A     micro-batch, sequence length (at most the preset's context), micro-batches per step
  --lr X --warmup N --min-lr-ratio R  peak learning rate (default follows the width: 3e-4 at 2048),
                       warmup steps, cosine floor
  --seed S             initialisation and data order (default 1)
  --eval-interval N    validation every N steps (0: never; default ${HARE_TRAIN_DEFAULTS.evalInterval})
  --eval-batches N     validation batches per evaluation (0: all; default ${HARE_TRAIN_DEFAULTS.evalBatches})
  --engine leveret|tfjs  our engine (default) or the reference model on tfjs-backend-webgpu
  --swiftshader        run on SwiftShader (Chromium's CPU Vulkan) instead of a GPU
  --save DIR           write a Hugging Face model folder (+ trainer state) at the end; DIR must be new, empty,
                       or hold only an earlier checkpoint
  --resume DIR         continue the run saved in DIR
  --precision f32|f16  f16 stages matmul tiles in half precision (adapters with shader-f16; default f32)
  --lora R             train a rank-R LoRA adapter on the --init-from model, its weights frozen; --save writes
                       a PEFT adapter folder (adapter_config.json, adapter_model.safetensors) + trainer state
  --lora-alpha A       LoRA scaling alpha / R (default ${LORA_ALPHA_DEFAULT}, PEFT's)
  --lora-targets LIST  modules to adapt, from q,k,v,o,gate,up,down (default q,v, PEFT's for Llama/Mistral)
  --f32-base           with --lora: keep the frozen base's linear layers in f32. By default a LoRA run stores
                       them as f16 (half their memory; products and sums in f32; a BF16 or F16 release loses
                       nothing in f16's range, an f32 model is rounded to f16; a weight beyond ±65504 is
                       refused, naming the tensor). --f16-base asks for the default explicitly
  --recompute          keep each block's input only and recompute the block in the backward: the same losses
                       and gradients, one block's activations in memory instead of every layer's
  --update-per-layer   full training with one micro-batch (no --accum, no --lora): apply AdamW layer by layer
                       in the backward, so one layer's gradients live at a time instead of every layer's (the
                       embedding's, final norm's and lm_head's stay); the same losses and weights, for a second
                       backward per step (about 1.7x the step time)
  --f16-activations    keep the saved activations of every block but the top one as f16 between its forward
                       and its backward (about half their memory; computed in f32; the gradients move by the
                       rounding, within 1e-2 relative in the tests); not with --recompute or --update-per-layer
  --memory-budget GiB  the GPU memory the run may plan; turns --recompute on when the run needs it to fit
                       (not beside --f16-activations), refuses (naming what would fit) when even that is too much
  --plan               print the memory plan (every tensor group and the total) and exit, allocating nothing
                       and opening no GPU; --data is not needed, the vocabulary is the preset's, and --lora may
                       plan on a --preset's shape without --init-from
  --log-every N        print every N steps (default 1)`;

export interface TrainArgs {
  /** The preset's name, or the --init-from folder's path (for messages and the log). */
  preset: string;
  /** The released model the run starts from, opened and checked before parsing (it fixes the defaults). */
  initFrom?: InitFrom;
  /** The preset's config; the vocabulary is the preset's until the data's tokenizer fixes it. */
  base: ModelConfig;
  data: string;
  train: TrainConfig;
  engine: 'leveret' | 'tfjs';
  precision: 'f32' | 'f16';
  swiftshader: boolean;
  save?: string;
  resume?: string;
  logEvery: number;
  /** A LoRA run: an adapter trained on the frozen --init-from model. */
  lora?: LoraConfig;
  /** --recompute: activation recomputation asked for (--memory-budget may also turn it on). */
  recompute: boolean;
  /** --update-per-layer: the AdamW update applied layer by layer in the backward (full training, no accumulation). */
  updatePerLayer: boolean;
  /** --memory-budget in bytes. */
  memoryBudgetBytes?: number;
  /** --plan: print the memory plan and exit. */
  plan: boolean;
  /** The LoRA base's linear layers stored as f16: every LoRA run unless --f32-base. */
  f16Base: boolean;
  /** --f16-activations: the saved activations stored as f16 between the forward and the backward. */
  f16Activations: boolean;
}

/** --lora R [--lora-alpha A] [--lora-targets q,v,...]; the alpha and targets mean nothing without --lora. */
function loraArgs(a: Args, initFrom: InitFrom | undefined, engine: string, plan: boolean): LoraConfig | undefined {
  const rank = a.number('lora'), alpha = a.number('lora-alpha'), list = a.string('lora-targets');
  if (rank === undefined) {
    if (alpha !== undefined || list !== undefined) throw new ArgError(`--lora-alpha and --lora-targets need --lora R`);
    return undefined;
  }
  if (!Number.isInteger(rank) || rank < 1) throw new ArgError(`--lora must be a positive integer rank, got ${rank}`);
  // A plan needs only the base's shape, which a preset gives.
  if (!initFrom && !plan) throw new ArgError('--lora trains an adapter on a released model: give --init-from DIR');
  if (engine !== 'leveret') throw new ArgError('--lora runs on our engine only (not --engine tfjs)');
  let targets: LoraTarget[] = [...DEFAULT_LORA_TARGETS];
  if (list !== undefined) {
    targets = list.split(',').map((t) => t.trim()).map((t) => {
      const full = SHORT_TARGETS[t] ?? (LORA_TARGETS.includes(t as LoraTarget) ? t as LoraTarget : undefined);
      if (!full) throw new ArgError(`--lora-targets: unknown module "${t}" (choose from ${Object.keys(SHORT_TARGETS).join(',')})`);
      return full;
    });
  }
  try {
    return validateLora({ rank, alpha: alpha ?? LORA_ALPHA_DEFAULT, targets });
  } catch (e) {
    throw new ArgError(`--lora: ${(e as Error).message}`);
  }
}

/** TrainConfig fields by the option that sets them, for messages that name the option. */
const OPTION_OF: Partial<Record<keyof TrainConfig, string>> = {
  steps: '--steps', batchSize: '--batch', seqLen: '--seq-len', accumSteps: '--accum', lr: '--lr', warmupSteps: '--warmup',
  minLrRatio: '--min-lr-ratio', seed: '--seed', evalInterval: '--eval-interval', evalBatches: '--eval-batches',
};

function trainConfig(a: Args, base: ModelConfig): TrainConfig {
  const d = HARE_TRAIN_DEFAULTS;
  const steps = a.number('steps', d.steps);
  const config = {
    ...d,
    steps,
    batchSize: a.number('batch', d.batchSize),
    seqLen: a.number('seq-len', Math.min(d.seqLen, base.contextLength)),
    accumSteps: a.number('accum', d.accumSteps),
    lr: a.number('lr', suggestedLearningRate(base)),
    warmupSteps: a.number('warmup', Math.min(d.warmupSteps, Math.floor(steps / 10))),
    minLrRatio: a.number('min-lr-ratio', d.minLrRatio),
    seed: a.number('seed', d.seed),
    evalInterval: a.number('eval-interval', d.evalInterval),
    evalBatches: a.number('eval-batches', d.evalBatches),
  };
  try {
    return validateTrainConfig(config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const option = OPTION_OF[e.field as keyof TrainConfig];
    throw new ArgError(option ? `${option}: ${e.message.slice(e.field.length + 2)}` : e.message);
  }
}

/** `initFrom`: the folder --init-from names, already opened (see init-from.node.ts); its config.json is the model. */
export function parseTrainArgs(argv: readonly string[], initFrom?: InitFrom): TrainArgs {
  const a = new Args(argv, new Set(['swiftshader', 'recompute', 'plan', 'f16-base', 'f32-base', 'update-per-layer', 'f16-activations']));
  const plan = a.flag('plan');
  let name: string;
  let base: ModelConfig;
  if (a.string('init-from') !== undefined) {
    if (!initFrom) throw new ArgError('--init-from: its folder is opened before the options are parsed (validateTrainRun does this)');
    if (a.string('preset') !== undefined) throw new ArgError(`--preset and --init-from exclude each other: the model is ${initFrom.dir}/config.json`);
    name = initFrom.dir;
    base = initFrom.folder.config;
  } else {
    name = a.required('preset');
    try { base = preset(name); } catch (e) { throw new ArgError(`--preset ${name}: ${(e as Error).message}`); }
  }
  const data = plan ? a.string('data') ?? '' : a.required('data');
  const train = trainConfig(a, base);
  if (train.seqLen > base.contextLength) {
    throw new ArgError(`--seq-len ${train.seqLen}: longer than ${name}'s context of ${base.contextLength} tokens`);
  }
  const engine = a.string('engine') ?? 'leveret';
  if (engine !== 'leveret' && engine !== 'tfjs') throw new ArgError(`--engine must be leveret or tfjs, got "${engine}"`);
  const precision = a.string('precision') ?? 'f32';
  if (precision !== 'f32' && precision !== 'f16') throw new ArgError(`--precision must be f32 or f16, got "${precision}"`);
  const logEvery = a.number('log-every', 1);
  if (!Number.isInteger(logEvery) || logEvery < 1) throw new ArgError(`--log-every must be a positive integer, got ${logEvery}`);
  const lora = loraArgs(a, initFrom, engine, plan);
  const budget = a.number('memory-budget');
  if (budget !== undefined && !(budget > 0)) throw new ArgError(`--memory-budget must be a positive number of GiB, got ${budget}`);
  const recompute = a.flag('recompute'), askedF16 = a.flag('f16-base'), askedF32 = a.flag('f32-base');
  if (askedF16 && !lora) throw new ArgError('--f16-base stores a frozen base: it needs --lora (full training keeps f32 weights)');
  if (askedF32 && !lora) throw new ArgError('--f32-base is for a frozen LoRA base: it needs --lora (full training keeps f32 weights anyway)');
  if (askedF16 && askedF32) throw new ArgError('--f16-base and --f32-base exclude each other: give one (f16 is the default with --lora)');
  // The frozen base of a LoRA run is stored as f16 unless asked otherwise: half of the run's largest tensor
  // group, exact for the BF16/F16 releases LoRA starts from (in f16's range; ParamStore refuses a weight beyond).
  const f16Base = lora !== undefined && !askedF32;
  if (recompute && engine !== 'leveret') throw new ArgError('--recompute runs on our engine only (not --engine tfjs)');
  const updatePerLayer = a.flag('update-per-layer');
  if (updatePerLayer) {
    if (engine !== 'leveret') throw new ArgError('--update-per-layer runs on our engine only (not --engine tfjs)');
    const refusal = updatePerLayerRefusal({ lora, accumSteps: train.accumSteps });
    if (refusal) throw new ArgError(`--update-per-layer: ${refusal}${lora ? ' (drop --lora, or --update-per-layer)' : ' (use --accum 1)'}`);
  }
  const f16Activations = a.flag('f16-activations');
  if (f16Activations && engine !== 'leveret') throw new ArgError('--f16-activations runs on our engine only (not --engine tfjs)');
  if (f16Activations && recompute) {
    throw new ArgError('--f16-activations and --recompute exclude each other: recomputation keeps no saved activations to store ' +
      'as f16 (only each block\'s input, in f32); choose one');
  }
  if (f16Activations && updatePerLayer) {
    throw new ArgError('--f16-activations and --update-per-layer exclude each other: the update pass runs the backward again from the saved ' +
      'activations, which the first backward has already unpacked over; choose one');
  }
  const out: TrainArgs = {
    preset: name, initFrom, base, data, train, engine, precision, logEvery,
    swiftshader: a.flag('swiftshader'), save: a.string('save'), resume: a.string('resume'),
    ...(lora ? { lora } : {}),
    recompute, updatePerLayer, plan, f16Base, f16Activations, ...(budget !== undefined ? { memoryBudgetBytes: budget * 2 ** 30 } : {}),
  };
  a.checkAllUsed();
  return out;
}
