// Model folders for the GGUF tests, written by the project's own checkpoint writer: a tiny Llama or Mistral
// config, a real tokenizer (a byte-level BPE learned here, or Mistral's), and weights scaled so logits are
// well apart (greedy decoding then does not hinge on the last bit of a float sum).
import type { ModelConfig } from '../../../src/model/config';
import { numel, paramSpecs } from '../../../src/model/params';
import { buildCheckpoint } from '../../../src/train/checkpoint/checkpoint';
import { sourcesInMemory, type ByteSource } from '../../../src/train/checkpoint/byte-source';
import { openHFFolder, type HFModelFolder } from '../../../src/train/checkpoint/hf-folder';
import { trainBpe, type Tokenizer } from '../../../src/data/tokenizer';
import { expAvgName, expAvgSqName } from '../../../src/train/checkpoint/trainer-state';
import { trainerState } from '../checkpoint/fixtures';

export const TEXT = [
  'Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse,',
  'and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part',
  'of the world. It is a way I have of driving off the spleen, and regulating the circulation. 1851, 42 ships.',
];

export const bpeTokenizer = (): Promise<Tokenizer> => trainBpe(TEXT, { vocabSize: 320, minFrequency: 1 });

export function smallConfig(vocabSize: number, over: Partial<ModelConfig> = {}): ModelConfig {
  return { dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 48, vocabSize, normEps: 1e-5, ropeTheta: 10000, contextLength: 64, ...over };
}

/** Deterministic weights: uniform in ±scale/sqrt(fan-in) for matrices, norms around 1. */
export function weights(c: ModelConfig, seed = 5, scale = 3): Map<string, Float32Array> {
  let s = seed >>> 0;
  const rand = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
  const out = new Map<string, Float32Array>();
  for (const p of paramSpecs(c)) {
    const v = new Float32Array(numel(p.shape));
    const k = p.kind === 'norm' ? 0.5 : (2 * scale) / Math.sqrt(p.shape[p.shape.length - 1]);
    for (let i = 0; i < v.length; i++) v[i] = (p.kind === 'norm' ? 1 : 0) + k * rand();
    out.set(p.name, v);
  }
  return out;
}

/** The folder's files in memory and the folder opened by the Hugging Face reader. */
export async function modelFolder(c: ModelConfig, tok: Tokenizer, params = weights(c)):
  Promise<{ files: Map<string, ByteSource>; folder: HFModelFolder; params: Map<string, Float32Array> }> {
  const json = tok.toJSON();
  const moments = new Map<string, Float32Array>();
  for (const [n, v] of params) { moments.set(expAvgName(n), new Float32Array(v.length)); moments.set(expAvgSqName(n), new Float32Array(v.length)); }
  const built = buildCheckpoint({ config: c, tokenizerJSON: json, bosId: tok.bosId, eosId: tok.eosId, params, moments, trainerState: trainerState(c, json) });
  const files = await sourcesInMemory(built);
  return { files, folder: await openHFFolder(files, 'test-model'), params };
}
