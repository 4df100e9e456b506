// Merging a LoRA adapter into its base, tensor by tensor, as PEFT's merge_and_unload does: each targeted
// weight becomes W + s B A, everything else is the base's. Used where a consumer runs plain weights (the
// benchmark scorer, a merged Hugging Face folder, GGUF), one tensor in memory at a time.
import type { ModelConfig } from '../model/config';
import { loraNames, loraScale, mergeLora, targetShape, targetWeight, type LoraConfig, type LoraTarget } from '../model/lora';

/** The (layer, target) whose adapter changes base weight `name`, or null. */
export function adaptedBy(c: ModelConfig, lora: LoraConfig, name: string): { layer: number; target: LoraTarget } | null {
  const m = /^model\.layers\.(\d+)\./.exec(name);
  if (!m) return null;
  const layer = Number(m[1]);
  const target = lora.targets.find((t) => targetWeight(layer, t) === name);
  return target ? { layer, target } : null;
}

/** Base weight `name` with the adapter merged in (the same array's values when it is not a target). */
export async function mergedWeight(c: ModelConfig, lora: LoraConfig, name: string, w: Float32Array,
  readAdapter: (name: string) => Promise<Float32Array>): Promise<Float32Array> {
  const at = adaptedBy(c, lora, name);
  if (!at) return w;
  const n = loraNames(at.layer, at.target);
  return mergeLora(w, await readAdapter(n.A), await readAdapter(n.B), targetShape(c, at.target), lora.rank, loraScale(lora));
}
