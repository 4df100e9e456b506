import { describe, expect, it } from 'vitest';
import { blobSource, bodyBytes, bytesSource } from '../../../src/train/checkpoint/byte-source';
import { openSafetensors, safetensorsFile, safetensorsLayout, type TensorSpec } from '../../../src/train/checkpoint/safetensors';
import { collect, sameBits, values } from './fixtures';

const enc = (s: string) => new TextEncoder().encode(s);

/** A safetensors file assembled by hand: header text padded to 8, then the data, with an optional lie
 *  in the length field. */
function handMade(header: string | object, data: Uint8Array, lengthField?: number): Uint8Array {
  const text = enc(typeof header === 'string' ? header : JSON.stringify(header));
  const padded = Math.ceil(text.length / 8) * 8;
  const out = new Uint8Array(8 + padded + data.length).fill(0x20, 8, 8 + padded);
  new DataView(out.buffer).setBigUint64(0, BigInt(lengthField ?? padded), true);
  out.set(text, 8);
  out.set(data, 8 + padded);
  return out;
}

/** An independent reader that follows the published format and nothing else of ours. */
function parseByHand(file: Uint8Array) {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const text = new TextDecoder().decode(file.subarray(8, 8 + n));
  const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const tensor = (name: string) => {
    const [b, e] = header[name].data_offsets;
    return new Float32Array(file.slice(8 + n + b, 8 + n + e).buffer);
  };
  return { n, text, header, tensor };
}

describe('safetensors writer', () => {
  it('writes the exact bytes the format prescribes for a one-tensor file', async () => {
    const layout = safetensorsLayout([{ name: 'a', dtype: 'F32', shape: [2] }], { format: 'pt' });
    const bytes = await bodyBytes('a', safetensorsFile(layout, () => new Float32Array([1, -2])));
    const json = '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const padded = Math.ceil(json.length / 8) * 8;
    const expected = [
      padded, 0, 0, 0, 0, 0, 0, 0,
      ...enc(json), ...new Array(padded - json.length).fill(0x20),
      0x00, 0x00, 0x80, 0x3f, // 1.0f little-endian
      0x00, 0x00, 0x00, 0xc0, // -2.0f
    ];
    expect([...bytes]).toEqual(expected);
  });

  it('streams header then tensors in the given order, readable by a hand-written parser', async () => {
    const specs: TensorSpec[] = [
      { name: 'model.embed_tokens.weight', dtype: 'F32', shape: [5, 3] },
      { name: 'scalar', dtype: 'F32', shape: [] },
      { name: 'empty', dtype: 'F32', shape: [0, 4] },
      { name: 'a.weight', dtype: 'F32', shape: [7] },
    ];
    const data = new Map(specs.map((s, i) => [s.name, values(s.shape.reduce((a, b) => a * b, 1), i + 1)]));
    const layout = safetensorsLayout(specs, { format: 'pt' });
    const requested: string[] = [];
    const file = safetensorsFile(layout, async (name) => {
      requested.push(name);
      return data.get(name) as Float32Array;
    });
    const chunks: Uint8Array[] = [];
    for await (const c of file.chunks()) chunks.push(c.slice());
    expect(chunks[0]).toEqual(layout.header); // the header goes out first, on its own
    expect(requested).toEqual(specs.map((s) => s.name)); // tensors fetched lazily, in order
    const bytes = await collect(file.chunks());
    expect(bytes.length).toBe(file.size);

    const parsed = parseByHand(bytes);
    expect(parsed.n % 8).toBe(0);
    expect(/^ *$/.test(parsed.text.slice(parsed.text.trimEnd().length))).toBe(true);
    expect(Object.keys(parsed.header)).toEqual(['__metadata__', ...specs.map((s) => s.name)]);
    expect(parsed.header.__metadata__).toEqual({ format: 'pt' });
    let end = 0;
    for (const s of specs) {
      expect(parsed.header[s.name].dtype).toBe('F32');
      expect(parsed.header[s.name].shape).toEqual(s.shape);
      expect(parsed.header[s.name].data_offsets[0]).toBe(end); // contiguous, in the order given
      end = parsed.header[s.name].data_offsets[1];
      expect(sameBits(parsed.tensor(s.name), data.get(s.name) as Float32Array)).toBe(true);
    }
    expect(8 + parsed.n + end).toBe(bytes.length);
  });

  it('round-trips bit-exactly through the reader, from memory and from a Blob', async () => {
    const specs: TensorSpec[] = [{ name: 'x', dtype: 'F32', shape: [3, 11] }, { name: 'y', dtype: 'F32', shape: [17] }];
    const data = new Map([['x', values(33, 5)], ['y', values(17, 9)]]);
    const bytes = await bodyBytes('t', safetensorsFile(safetensorsLayout(specs, { format: 'pt', note: 'é' }), (n) => data.get(n) as Float32Array));
    // an odd offset into a larger buffer, so the reader cannot just alias the bytes
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    for (const source of [bytesSource(shifted.subarray(3)), blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>]))]) {
      const reader = await openSafetensors(source, 'model.safetensors');
      expect(reader.metadata).toEqual({ format: 'pt', note: 'é' });
      expect([...reader.tensors.keys()]).toEqual(['x', 'y']);
      expect(reader.tensors.get('x')?.shape).toEqual([3, 11]);
      for (const [name, v] of data) expect(sameBits(await reader.read(name), v)).toBe(true);
    }
  });

  it('refuses a tensor whose values do not fit its shape, naming file and tensor', async () => {
    const layout = safetensorsLayout([{ name: 'w', dtype: 'F32', shape: [2, 3] }]);
    await expect(collect(safetensorsFile(layout, () => new Float32Array(5), 'model.safetensors').chunks()))
      .rejects.toThrow('model.safetensors: tensor w is 5 values; its shape [2, 3] needs 6');
    expect(() => safetensorsLayout([{ name: 'w', dtype: 'F32', shape: [1] }, { name: 'w', dtype: 'F32', shape: [1] }])).toThrow('listed twice');
    expect(() => safetensorsLayout([{ name: '__metadata__', dtype: 'F32', shape: [1] }])).toThrow('reserved');
    expect(() => safetensorsLayout([{ name: 'w', dtype: 'F32', shape: [2.5] }])).toThrow('invalid shape');
  });
});

describe('safetensors half-precision reading', () => {
  const read = async (dtype: string, bits: number[]) => {
    const data = new Uint8Array(new Uint16Array(bits).buffer);
    const file = handMade({ h: { dtype, shape: [bits.length], data_offsets: [0, data.length] } }, data);
    return (await openSafetensors(bytesSource(file), 'half.safetensors')).read('h');
  };

  it('widens F16 bit patterns: normals, subnormals, zeros, infinities, NaN', async () => {
    const got = await read('F16', [0x3c00, 0xc000, 0x7bff, 0x0400, 0x03ff, 0x0001, 0x8001, 0x3555, 0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00]);
    expect([...got.slice(0, 12)]).toEqual([
      1, -2, 65504, 2 ** -14, 1023 * 2 ** -24, 2 ** -24, -(2 ** -24), 0.333251953125, 0, -0, Infinity, -Infinity,
    ]);
    expect(Object.is(got[9], -0)).toBe(true);
    expect(Number.isNaN(got[12])).toBe(true);
  });

  it('widens BF16 bit patterns: the top half of a float32', async () => {
    const got = await read('BF16', [0x3f80, 0xc000, 0x4049, 0x3eab, 0x7f7f, 0x0001, 0x8000, 0x7f80, 0xff80, 0x7fc0]);
    expect([...got.slice(0, 9)]).toEqual([1, -2, 3.140625, 0.333984375, 3.3895313892515355e38, 2 ** -133, -0, Infinity, -Infinity]);
    expect(Object.is(got[6], -0)).toBe(true);
    expect(Number.isNaN(got[9])).toBe(true);
  });
});

describe('safetensors reader refuses corrupt files', () => {
  const F = 'model.safetensors';
  const open = (bytes: Uint8Array) => openSafetensors(bytesSource(bytes), F);
  const two = (a: [number, number], b: [number, number], dataBytes: number) =>
    handMade({ a: { dtype: 'F32', shape: [(a[1] - a[0]) / 4], data_offsets: a }, b: { dtype: 'F32', shape: [(b[1] - b[0]) / 4], data_offsets: b } }, new Uint8Array(dataBytes));
  const good = handMade({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }, new Uint8Array(16));

  it('accepts the well-formed reference file', async () => {
    expect((await open(good)).tensors.get('w')?.shape).toEqual([2, 2]);
  });

  it.each([
    ['a file shorter than the length field', new Uint8Array(5), `${F}: is 5 bytes long, too short`],
    ['a truncated file', good.subarray(0, good.length - 4), `${F}: tensor w: data_offsets [0, 16] run past the end of the data (12 bytes)`],
    ['a header length past the end', handMade({}, new Uint8Array(0), 4096), `${F}: header length 4096 runs past the end of the file`],
    ['a header that is not JSON', handMade('{"w": {"dtype": "F32",', new Uint8Array(0)), `${F}: header is not valid JSON`],
    ['a header that is not an object', handMade('[1, 2]', new Uint8Array(0)), `${F}: header is not a JSON object`],
    ['an unknown dtype', handMade({ w: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, new Uint8Array(16)), `${F}: tensor w has dtype "I64"; Leveret reads F32, F16 and BF16`],
    ['a shape that does not match its bytes', handMade({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), `${F}: tensor w: shape [3] of F32 needs 12 bytes, data_offsets [0, 8] hold 8`],
    ['a bad shape', handMade({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, new Uint8Array(0)), `${F}: tensor w: shape [-1] is not a list of sizes`],
    ['reversed offsets', handMade({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, new Uint8Array(8)), `${F}: tensor w: data_offsets [8,0] is not a [begin, end] pair`],
    ['overlapping tensors', two([0, 8], [4, 12], 12), `${F}: tensors a and b overlap (a ends at 8, b starts at 4)`],
    ['a gap between tensors', two([0, 8], [12, 20], 20), `${F}: bytes 8 to 12 of the data belong to no tensor`],
    ['bytes after the last tensor', two([0, 8], [8, 16], 24), `${F}: bytes 16 to 24 of the data belong to no tensor`],
    ['non-string metadata', handMade({ __metadata__: { step: 3 } }, new Uint8Array(0)), `${F}: __metadata__.step is not a string`],
    ['a dtype that names an Object method', handMade({ w: { dtype: 'toString', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)), `${F}: tensor w has dtype "toString"`],
    ['a shape nested 20,000 deep', handMade(`{"w": {"dtype": "F32", "shape": ${'['.repeat(20_000)}${']'.repeat(20_000)}, "data_offsets": [0, 0]}}`, new Uint8Array(0)),
      `${F}: header nests too deep at w.shape[0][0][0][0]`],
    ['a data offset of 1e999', handMade('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 1e999]}}', new Uint8Array(4)), `${F}: tensor w: data_offsets [0,null] is not a [begin, end] pair`],
    ['a header length of 2^64 - 1', (() => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 2n ** 64n - 1n, true); return b; })(),
      `${F}: header length 18446744073709552000 runs past the end of the file`],
  ])('refuses %s', async (_, bytes, message) => {
    await expect(open(bytes)).rejects.toThrow(message);
  });

  it('refuses to read a tensor it does not have', async () => {
    await expect((await open(good)).read('v')).rejects.toThrow(`${F}: has no tensor named v`);
  });
});
