// Shared inputs for the checkpoint tests: a tiny model, a small tokenizer.json, tensors with awkward bit
// patterns (so "bit-exact" means something), and a trainer state.
import type { ModelConfig } from '../../../src/model/config';
import { paramSpecs, numel } from '../../../src/model/params';
import type { TokenizerJSON } from '../../../src/data/tokenizer/tokenizer';
import { crc32 } from '../../../src/train/checkpoint/crc32';
import { expAvgName, expAvgSqName, type TrainerState } from '../../../src/train/checkpoint/trainer-state';
import type { CheckpointInput } from '../../../src/train/checkpoint/checkpoint';

export const TINY: ModelConfig = {
  dim: 16, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 24, vocabSize: 32, normEps: 1e-5, ropeTheta: 10000, contextLength: 64,
};

export function tokenizerJSON(extraToken = 'z'): TokenizerJSON {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let i = 3; i < 32; i++) vocab[i === 31 ? extraToken : `t${i}`] = i;
  return {
    version: '1.0',
    added_tokens: [
      { id: 0, content: '<unk>', special: true },
      { id: 1, content: '<s>', special: true },
      { id: 2, content: '</s>', special: true },
    ],
    model: { type: 'BPE', unk_token: '<unk>', vocab, merges: [] },
  };
}

/** A stand-in for the tokenizer module's fingerprint: any stable digest of the JSON works here. */
export const fingerprint = (json: TokenizerJSON): string => crc32(new TextEncoder().encode(JSON.stringify(json))).toString(16);

/** Deterministic values, salted with rarely-round-tripped floats: -0, subnormals, infinities, a NaN payload. */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 0.2;
  }
  const specials = [0x80000000, 0x00000001, 0x007fffff, 0x7f800000, 0xff800000, 0x7fc01234];
  for (let k = 0; k < specials.length && k < n; k++) bits[(k * 7 + seed) % n] = specials[k];
  return out;
}

export function tinyTensors(config: ModelConfig) {
  const params = new Map<string, Float32Array>();
  const moments = new Map<string, Float32Array>();
  paramSpecs(config).forEach((p, i) => {
    const n = numel(p.shape);
    params.set(p.name, values(n, 3 * i + 1));
    moments.set(expAvgName(p.name), values(n, 3 * i + 2));
    moments.set(expAvgSqName(p.name), values(n, 3 * i + 3).map(Math.abs));
  });
  return { params, moments };
}

export function trainerState(config: ModelConfig, tokenizer: TokenizerJSON, step = 120): TrainerState {
  return {
    modelConfig: config,
    trainConfig: { lr: 3e-4, warmup: 10, steps: 1000, batch: 4, seqLen: 64, accum: 2, seed: 7, weightDecay: 0.1, betas: [0.9, 0.95], eps: 1e-8, clip: 1, schedule: 'cosine', compile: true },
    step,
    tokensSeen: step * 512,
    schedulePosition: step,
    sampler: { version: 1, rng: [11, 22, 33, 44], sources: [{ name: 'web', epoch: 1, position: 4096 }, { name: 'books', epoch: 0, position: 17 }] },
    rng: { s: [123456789, 362436069, 521288629, 88675123] },
    tokenizerFingerprint: fingerprint(tokenizer),
    datasetId: 'corpus-v1',
    lossHistory: [{ step: 1, loss: 10.5 }, { step: 60, loss: 4.25, valLoss: 4.5 }, { step: 120, loss: 3.1 }],
  };
}

export function tinyInput(config: ModelConfig = TINY): CheckpointInput & { params: Map<string, Float32Array>; moments: Map<string, Float32Array> } {
  const tokenizer = tokenizerJSON();
  const { params, moments } = tinyTensors(config);
  return { config, tokenizerJSON: tokenizer, bosId: 1, eosId: 2, params, moments, trainerState: trainerState(config, tokenizer) };
}

/** Equal as bits, so NaN payloads and -0 count. */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
}

/** Byte equality without a deep-equality diff over every element (slow on large arrays). */
export const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);

export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c.slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
