// The model's shape: one frozen record, validated with messages that name the bad field.
//
// Letters used in shape comments across the project:
//   B batch, T sequence length, N = B*T tokens, C model width (dim), H attention heads, KV key/value heads,
//   D head dim (C / H), F MLP hidden width, V vocabulary, L layers.

export interface ModelConfig {
  readonly dim: number;          // C: width of the residual stream
  readonly nLayers: number;      // L
  readonly nHeads: number;       // H: query heads
  readonly nKvHeads: number;     // KV: key/value heads (grouped-query attention when < H)
  readonly hiddenDim: number;    // F: SwiGLU intermediate width
  readonly vocabSize: number;    // V
  readonly normEps: number;      // RMSNorm epsilon
  readonly ropeTheta: number;    // RoPE base
  readonly contextLength: number; // longest sequence the model is trained and evaluated on
  // Optional so presets and older checkpoints keep their shape; absent means the default.
  /** The head reads the embedding matrix (SmolLM, TinyLlama-style models): one tensor, two uses. Default false. */
  readonly tieWordEmbeddings?: boolean;
  /** The Hugging Face family written back on export, so a Llama imported is a Llama exported. Default 'mistral'. */
  readonly architecture?: Architecture;
}

export type Architecture = 'mistral' | 'llama';
export const ARCHITECTURES: readonly Architecture[] = ['mistral', 'llama'];

export const isTied = (c: ModelConfig): boolean => c.tieWordEmbeddings === true;
export const architectureOf = (c: ModelConfig): Architecture => c.architecture ?? 'mistral';

export class ConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

const INT_FIELDS = ['dim', 'nLayers', 'nHeads', 'nKvHeads', 'hiddenDim', 'vocabSize', 'contextLength'] as const;

/** Checks every field and returns a frozen copy; throws ConfigError naming the first bad field. */
export function validateConfig(c: ModelConfig): ModelConfig {
  for (const f of INT_FIELDS) {
    const v = c[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new ConfigError(f, `must be a positive integer, got ${String(v)}`);
    }
  }
  if (!(c.normEps > 0 && c.normEps < 1)) throw new ConfigError('normEps', `must be in (0, 1), got ${c.normEps}`);
  if (!(c.ropeTheta > 1)) throw new ConfigError('ropeTheta', `must be greater than 1, got ${c.ropeTheta}`);
  if (c.dim % c.nHeads !== 0) {
    throw new ConfigError('nHeads', `must divide dim (${c.dim} is not a multiple of ${c.nHeads})`);
  }
  if (c.nHeads % c.nKvHeads !== 0) {
    throw new ConfigError('nKvHeads', `must divide nHeads (${c.nHeads} is not a multiple of ${c.nKvHeads})`);
  }
  const d = c.dim / c.nHeads;
  // RoPE rotates pairs (i, i + D/2); the attention kernels read heads as vec4.
  if (d % 4 !== 0) {
    throw new ConfigError('nHeads', `head dim dim/nHeads = ${d} must be a multiple of 4`);
  }
  if (d > 256) throw new ConfigError('nHeads', `head dim dim/nHeads = ${d} is above the supported 256`);
  if (c.tieWordEmbeddings !== undefined && typeof c.tieWordEmbeddings !== 'boolean') {
    throw new ConfigError('tieWordEmbeddings', `must be true or false, got ${String(c.tieWordEmbeddings)}`);
  }
  if (c.architecture !== undefined && !ARCHITECTURES.includes(c.architecture)) {
    throw new ConfigError('architecture', `must be one of ${ARCHITECTURES.join(', ')}, got ${String(c.architecture)}`);
  }
  if (c.vocabSize < 4) throw new ConfigError('vocabSize', `must be at least 4 (special tokens), got ${c.vocabSize}`);
  return Object.freeze({ ...c });
}

export const headDim = (c: ModelConfig): number => c.dim / c.nHeads;

/** Training-shape choices that are not part of the model itself. */
export interface TrainShape {
  readonly batchSize: number;   // B: sequences per micro-batch
  readonly seqLen: number;      // T: tokens per sequence (<= contextLength)
  readonly accumSteps: number;  // micro-batches summed into one optimizer step
}

export function validateShape(s: TrainShape, c: ModelConfig): TrainShape {
  for (const f of ['batchSize', 'seqLen', 'accumSteps'] as const) {
    if (!Number.isInteger(s[f]) || s[f] < 1) throw new ConfigError(f, `must be a positive integer, got ${s[f]}`);
  }
  if (s.seqLen > c.contextLength) {
    throw new ConfigError('seqLen', `${s.seqLen} is longer than the model's contextLength ${c.contextLength}`);
  }
  return Object.freeze({ ...s });
}
