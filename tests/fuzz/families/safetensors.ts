// model.safetensors and optimizer.safetensors from a real tiny checkpoint, mutated in the length field, the
// header JSON (bytes, a tensor's dtype, shape or offsets, metadata, nesting) or the data (cut, extended),
// through openSafetensors and a read of every tensor.
import { numel } from '../../../src/model/params';
import { bytesSource } from '../../../src/train/checkpoint/byte-source';
import { openSafetensors } from '../../../src/train/checkpoint/safetensors';
import type { FuzzCase, FuzzFamily, Rng } from '../family';
import { anyByteMutation, appendJunk, deepJson, pick, truncate, utf8 } from '../mutate';
import { checkpointBytes } from './checkpoint-base';

const HOSTILE_FIELD: readonly string[] = [
  '"F64"', '"I8"', '"bf16"', '"toString"', '"__proto__"', 'null', '5', '[]', '[1e12]', '[-1]', '[1.5]', '[3, 3]', '[4294967296, 4294967296]',
  '[0, 0]', '[2, 1]', '[0, 1152921504606846976]', '[0, 1e999]', '[-8, 0]', '[0]', '[0, 4, 8]', '"x"', '{}', deepJson(20000),
];

/** The file with its header replaced by `json` (padded to 8 bytes) and its data kept. */
function withHeader(bytes: Uint8Array, json: string): Uint8Array {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const text = utf8(json.padEnd(Math.ceil(utf8(json).length / 8) * 8, ' '));
  const data = bytes.subarray(8 + headerLength);
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

function mutate(rng: Rng, bytes: Uint8Array): { label: string; bytes: Uint8Array } {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)).trimEnd();
  const header = JSON.parse(headerText) as Record<string, Record<string, unknown>>;
  const names = Object.keys(header).filter((n) => n !== '__metadata__');
  switch (rng.nextInt(7)) {
    case 0: {
      const out = bytes.slice();
      const v = pick(rng, [0n, 1n, 2n, BigInt(headerLength - 1), BigInt(headerLength + 8), BigInt(bytes.length), 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]);
      new DataView(out.buffer).setBigUint64(0, v, true);
      return { label: `header length ${v}`, bytes: out };
    }
    case 1: {
      const m = anyByteMutation(rng, utf8(headerText));
      return { label: `header bytes: ${m.label}`, bytes: withHeader(bytes, new TextDecoder().decode(m.bytes)) };
    }
    case 2: {
      // Spliced as text, so values JSON.stringify cannot write (1e999, deep nesting) reach the reader.
      const name = pick(rng, names);
      const field = pick(rng, ['dtype', 'shape', 'data_offsets']);
      const value = pick(rng, HOSTILE_FIELD);
      header[name][field] = '@V@';
      return { label: `${name}.${field} = ${value.slice(0, 40)}`, bytes: withHeader(bytes, JSON.stringify(header).replace('"@V@"', value)) };
    }
    case 3: {
      // Two tensors share bytes, or one is moved over another.
      const [a, b] = [pick(rng, names), pick(rng, names)];
      header[b] = { ...header[b], data_offsets: header[a].data_offsets, shape: header[a].shape, dtype: header[a].dtype };
      return { label: `${b} placed over ${a}`, bytes: withHeader(bytes, JSON.stringify(header)) };
    }
    case 4: {
      const value = pick(rng, ['[]', '"pt"', '{"format": 5}', '{"step": "120", "x": {}}', deepJson(20000, 'object'), 'null']);
      return { label: `__metadata__ = ${value.slice(0, 40)}`, bytes: withHeader(bytes, JSON.stringify({ ...header, __metadata__: '@V@' }).replace('"@V@"', value)) };
    }
    case 5: {
      const m = pick(rng, [truncate, appendJunk])(rng, bytes);
      return m;
    }
    default: {
      const m = anyByteMutation(rng, bytes);
      return { label: `file bytes: ${m.label}`, bytes: m.bytes };
    }
  }
}

export const safetensorsFamily: FuzzFamily = {
  name: 'safetensors',
  describe: 'model/optimizer.safetensors of a real checkpoint (length field, header JSON, data) through openSafetensors + read',
  async make(rng): Promise<FuzzCase> {
    const fileName = pick(rng, ['model.safetensors', 'optimizer.safetensors']);
    const m = mutate(rng, (await checkpointBytes()).get(fileName)!);
    return { label: m.label, fileName, bytes: m.bytes };
  },
  async run(input) {
    const reader = await openSafetensors(bytesSource(input.bytes), input.fileName);
    const violations: string[] = [];
    for (const t of reader.tensors.values()) {
      const values = await reader.read(t.name);
      if (values.length !== numel(t.shape)) violations.push(`${t.name} read ${values.length} values for shape [${t.shape.join(', ')}]`);
    }
    return { messages: [], kept: reader.tensors.size, violations };
  },
};
