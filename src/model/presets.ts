// Presets as data: HARE-1.1B exactly as released, and scaled-down shapes that keep its proportions
// (head dim 64 where width allows, 4:1 grouped-query attention, MLP width 2.75 x dim like 5632 / 2048).
import { validateConfig, type ModelConfig } from './config';

const base = { normEps: 1e-5, ropeTheta: 10000 } as const; // HARE-1.1B config.json values

export const PRESETS = {
  // HARE-1.1B (MistralForCausalLM): 22 layers, 2048 wide, 32 query / 8 key-value heads, Mistral's 32000 vocab.
  'hare-1.1b': { ...base, dim: 2048, nLayers: 22, nHeads: 32, nKvHeads: 8, hiddenDim: 5632, vocabSize: 32000, contextLength: 2048 },
  // The paper's 0.25B ablation size: same vocabulary, half the width.
  'hare-0.25b': { ...base, dim: 1024, nLayers: 16, nHeads: 16, nKvHeads: 4, hiddenDim: 2816, vocabSize: 32000, contextLength: 2048 },
  // ~55M parameters: a real model for a laptop GPU.
  small: { ...base, dim: 512, nLayers: 8, nHeads: 8, nKvHeads: 2, hiddenDim: 1408, vocabSize: 32000, contextLength: 1024 },
  // ~6M parameters with a learned 4096-token vocabulary.
  mini: { ...base, dim: 256, nLayers: 6, nHeads: 4, nKvHeads: 1, hiddenDim: 704, vocabSize: 4096, contextLength: 512 },
  // ~1M parameters: trains in minutes on an integrated GPU.
  micro: { ...base, dim: 128, nLayers: 4, nHeads: 4, nKvHeads: 2, hiddenDim: 352, vocabSize: 1024, contextLength: 256 },
  // The smallest: trains in minutes on a CPU-emulated adapter (SwiftShader); used by the end-to-end tests.
  tiny: { ...base, dim: 64, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 176, vocabSize: 512, contextLength: 128 },
} as const satisfies Record<string, ModelConfig>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function preset(name: string, overrides: Partial<ModelConfig> = {}): ModelConfig {
  if (!(name in PRESETS)) {
    throw new Error(`unknown preset "${name}"; choose one of ${PRESET_NAMES.join(', ')}`);
  }
  return validateConfig({ ...PRESETS[name as PresetName], ...overrides });
}
