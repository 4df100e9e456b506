// The fields of the Model & training form: each config key with the label the form shows, its short hint, and
// `help`: what the field does in plain words, its tooltip and accessible description (aria-describedby).
// Refusals name fields by these labels (config-words.ts), never by the code's key.
import type { ModelConfig } from '../model/config';
import type { TrainConfig } from '../train/config';

/** The model's numeric fields: the ones this form shows (presets define exactly these). */
export type ModelField = { [K in keyof ModelConfig]-?: ModelConfig[K] extends number ? K : never }[keyof ModelConfig];
export type TrainField = keyof TrainConfig;

export const MODEL_FIELDS: { key: ModelField; label: string; hint: string; help: string }[] = [
  { key: 'dim', label: 'width (dim)', hint: 'C: width of the residual stream', help: "The size of the vector each token is carried in through the model. Wider learns more per step and costs more memory and time (roughly the square of the width)." },
  { key: 'nLayers', label: 'layers', hint: 'L: transformer blocks', help: "How many transformer blocks the tokens pass through. More layers: a deeper, slower model." },
  { key: 'nHeads', label: 'heads', hint: 'H: query heads; dim / heads must be a multiple of 4', help: "Attention heads: each looks back at the earlier tokens in its own way. The width is split between them (head size = width / heads)." },
  { key: 'nKvHeads', label: 'key/value heads', hint: 'KV: grouped-query attention when fewer than heads', help: "Heads that keys and values are computed for; query heads share them in groups (grouped-query attention, as in HARE and Mistral). Must divide the heads." },
  { key: 'hiddenDim', label: 'MLP width', hint: 'F: SwiGLU intermediate width', help: "Width inside each block's feed-forward network (SwiGLU): about 2.75 times the width in the presets, as in HARE-1.1B." },
  { key: 'vocabSize', label: 'vocabulary', hint: 'V: at least the tokenizer\'s size', help: "How many different tokens the model knows. The tokenizer learned in the Data panel is made this size; each token adds a row of embeddings." },
  { key: 'contextLength', label: 'context length', hint: 'longest sequence the model sees', help: "The longest text, in tokens, the model is built to read at once. Training sequences may be shorter." },
  { key: 'normEps', label: 'RMSNorm epsilon', hint: '', help: "A tiny number added inside RMSNorm so it never divides by zero. HARE uses 1e-5: leave it unless a model you import differs." },
  { key: 'ropeTheta', label: 'RoPE theta', hint: '', help: "The base of the rotary position encoding: how fast the position angles turn. 10000 as in HARE and Llama; larger values suit longer contexts." },
];

export const TRAIN_FIELDS: { key: TrainField; label: string; hint: string; help: string; advanced?: boolean }[] = [
  { key: 'steps', label: 'steps', hint: 'optimizer steps (the cosine schedule\'s length)', help: "How many times the weights are updated. The learning-rate schedule (warmup, then cosine decay) is stretched over exactly this many steps." },
  { key: 'batchSize', label: 'batch', hint: 'sequences per micro-batch', help: "How many sequences go through one forward and backward pass together. Larger is steadier and needs more memory." },
  { key: 'seqLen', label: 'sequence length', hint: 'tokens per sequence (≤ context length)', help: "Tokens in each training sequence, at most the context length. Memory and time grow with it (attention with its square)." },
  { key: 'accumSteps', label: 'accumulation', hint: 'micro-batches per optimizer step', help: "Micro-batches whose gradients are added up before one update: the effect of a larger batch without its memory." },
  { key: 'lr', label: 'learning rate', hint: 'peak, after warmup', help: "How big a step the optimizer takes at its peak. Too high and the loss jumps or turns NaN; too low and it barely moves. A preset sets one by its width." },
  { key: 'warmupSteps', label: 'warmup steps', hint: 'linear warmup, then cosine decay', help: "Steps over which the learning rate rises from 0 to its peak, so the first updates of random weights do not blow up. About a tenth of the run." },
  { key: 'seed', label: 'seed', hint: 'initial weights and batch order', help: "Fixes the random starting weights and the order batches are drawn in: the same seed and data give the same run." },
  { key: 'evalInterval', label: 'validation interval', hint: 'steps between validation losses (0: never)', help: "Every this many steps the loss is measured on text held out of training: it tells whether the model generalises or memorises. 0: never." },
  { key: 'evalBatches', label: 'validation batches', hint: '0: the whole validation split', help: "How many batches of the held-out text each validation reads (0: all of it). Fewer is quicker and noisier." },
  { key: 'minLrRatio', label: 'final LR ratio', hint: 'the cosine ends at lr × this', help: "Where the cosine decay ends, as a fraction of the peak learning rate (0.1: a tenth of it).", advanced: true },
  { key: 'weightDecay', label: 'weight decay', hint: 'AdamW (none on norm weights)', help: "AdamW pulls every weight slightly toward zero each step, so weights do not grow without need. Norm weights are left alone.", advanced: true },
  { key: 'gradClip', label: 'gradient clip', hint: 'global norm', help: "When the gradient's overall length is above this, it is scaled down to it: one bad batch cannot throw the weights far.", advanced: true },
  { key: 'beta1', label: 'AdamW β1', hint: '', help: "AdamW's memory of past gradients (momentum): 0.9 averages over about the last 10 steps.", advanced: true },
  { key: 'beta2', label: 'AdamW β2', hint: '', help: "AdamW's memory of past squared gradients, which sets each weight's own step size: 0.95 as in HARE.", advanced: true },
  { key: 'eps', label: 'AdamW ε', hint: '', help: "A tiny number in AdamW's division, so a weight with near-zero gradients does not take a huge step.", advanced: true },
];


/** Every form label by config key. */
export const LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  [...MODEL_FIELDS, ...TRAIN_FIELDS].map((f) => [f.key, f.label]));
