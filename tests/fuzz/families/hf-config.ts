// config.json of a real tiny checkpoint, mutated (bytes, any field set to a hostile value, deleted, nested
// deep or made huge), imported with the rest of the checkpoint as the worker does. An accepted import must
// be the model that was saved.
import { configDifferences } from '../../../src/train/checkpoint/config-diff';
import type { FuzzCase, FuzzFamily, Rng } from '../family';
import { mutateJson } from '../json-mutate';
import { anyByteMutation, pick, utf8 } from '../mutate';
import { changedTensors, checkpointBytes, importCheckpoint, input, withFile } from './checkpoint-base';

const FILE = 'config.json';
const SIZE_FIELDS = ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'intermediate_size', 'vocab_size', 'max_position_embeddings'];

function sizeCase(rng: Rng, j: Record<string, unknown>): string {
  const field = pick(rng, [...SIZE_FIELDS, 'rms_norm_eps', 'rope_theta', 'head_dim', 'bos_token_id', 'eos_token_id', 'sliding_window']);
  const value = pick<unknown>(rng, [1e9, 2 ** 31, 2 ** 53, 1e308, -1, 0, 0.5, 3, 17, 65536, 2 ** 21 + 1, '16', [16], null]);
  j[field] = value;
  return `${field} = ${JSON.stringify(value)}`;
}

export const hfConfigFamily: FuzzFamily = {
  name: 'hf-config',
  describe: 'config.json of a real checkpoint (wrong types, absurd sizes, nesting, bytes) through readCheckpoint',
  async make(rng): Promise<FuzzCase> {
    const text = new TextDecoder().decode((await checkpointBytes()).get(FILE));
    const kind = rng.nextInt(3);
    if (kind === 0) {
      const m = anyByteMutation(rng, utf8(text));
      return { label: m.label, fileName: FILE, bytes: m.bytes };
    }
    const j = JSON.parse(text) as Record<string, unknown>;
    if (kind === 1) return { label: sizeCase(rng, j), fileName: FILE, bytes: utf8(JSON.stringify(j)) };
    const m = mutateJson(rng, j as never, SIZE_FIELDS);
    return { label: m.label, fileName: FILE, bytes: utf8(m.text) };
  },
  async run(c) {
    const { ck, tensors } = await importCheckpoint(await withFile(FILE, c.bytes));
    const violations: string[] = [];
    const differences = configDifferences(ck.config, input.config);
    if (differences.length) violations.push(`accepted a different model: ${differences.join('; ')}`);
    const changed = changedTensors(tensors);
    if (changed.length) violations.push(`accepted with changed tensors: ${changed.slice(0, 3).join(', ')}`);
    return { messages: [...ck.warnings], kept: 1, violations };
  },
};
