// The fields of the Model & training form: each config key with the label the form shows and its hint.
// Refusals name fields by these labels (config-words.ts), never by the code's key.
import type { ModelConfig } from '../model/config';
import type { TrainConfig } from '../train/config';

/** The model's numeric fields: the ones this form shows (presets define exactly these). */
export type ModelField = { [K in keyof ModelConfig]-?: ModelConfig[K] extends number ? K : never }[keyof ModelConfig];
export type TrainField = keyof TrainConfig;

export const MODEL_FIELDS: { key: ModelField; label: string; hint: string }[] = [
  { key: 'dim', label: 'width (dim)', hint: 'C: width of the residual stream' },
  { key: 'nLayers', label: 'layers', hint: 'L: transformer blocks' },
  { key: 'nHeads', label: 'heads', hint: 'H: query heads; dim / heads must be a multiple of 4' },
  { key: 'nKvHeads', label: 'key/value heads', hint: 'KV: grouped-query attention when fewer than heads' },
  { key: 'hiddenDim', label: 'MLP width', hint: 'F: SwiGLU intermediate width' },
  { key: 'vocabSize', label: 'vocabulary', hint: 'V: at least the tokenizer\'s size' },
  { key: 'contextLength', label: 'context length', hint: 'longest sequence the model sees' },
  { key: 'normEps', label: 'RMSNorm epsilon', hint: '' },
  { key: 'ropeTheta', label: 'RoPE theta', hint: '' },
];

export const TRAIN_FIELDS: { key: TrainField; label: string; hint: string; advanced?: boolean }[] = [
  { key: 'steps', label: 'steps', hint: 'optimizer steps (the cosine schedule\'s length)' },
  { key: 'batchSize', label: 'batch', hint: 'sequences per micro-batch' },
  { key: 'seqLen', label: 'sequence length', hint: 'tokens per sequence (≤ context length)' },
  { key: 'accumSteps', label: 'accumulation', hint: 'micro-batches per optimizer step' },
  { key: 'lr', label: 'learning rate', hint: 'peak, after warmup' },
  { key: 'warmupSteps', label: 'warmup steps', hint: 'linear warmup, then cosine decay' },
  { key: 'seed', label: 'seed', hint: 'initial weights and batch order' },
  { key: 'evalInterval', label: 'validation interval', hint: 'steps between validation losses (0: never)' },
  { key: 'evalBatches', label: 'validation batches', hint: '0: the whole validation split' },
  { key: 'minLrRatio', label: 'final LR ratio', hint: 'the cosine ends at lr × this', advanced: true },
  { key: 'weightDecay', label: 'weight decay', hint: 'AdamW (none on norm weights)', advanced: true },
  { key: 'gradClip', label: 'gradient clip', hint: 'global norm', advanced: true },
  { key: 'beta1', label: 'AdamW β1', hint: '', advanced: true },
  { key: 'beta2', label: 'AdamW β2', hint: '', advanced: true },
  { key: 'eps', label: 'AdamW ε', hint: '', advanced: true },
];


/** Every form label by config key. */
export const LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  [...MODEL_FIELDS, ...TRAIN_FIELDS].map((f) => [f.key, f.label]));
