// pack_f16.wgsl (f32 to packed halves and back, for EngineOptions.f16Activations) against the CPU reference:
// float32ToFloat16Bits (round to nearest, ties to even) and float16ToFloat32. Bit for bit: ties, subnormal
// halves, f32 subnormals, the overflow to infinity at 65520, infinities, NaN, negative zero, random values
// over 50 binades; odd lengths (the last word's high half zero, nothing written past n); every one of the
// 65536 half patterns unpacked.
import { beforeAll, describe, expect, it } from 'vitest';
import { float32ToFloat16Bits } from '../../src/export/float-encode';
import { packedBytes, packF16, unpackF16 } from '../../src/engine/kernels/pack-f16';
import type { KernelContext } from '../../src/engine/kernel-context';
import { float16ToFloat32 } from '../../src/train/checkpoint/float-formats';
import { gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches } from './harness';

let ctx: KernelContext;
beforeAll(async () => { ctx = await kernelContext(); });

const bitsOf = (v: Float32Array) => new Uint32Array(v.buffer, v.byteOffset, v.length);

/** Values where rounding to f16 has a case of its own, then random ones of every sign and size. */
function awkwardValues(n: number): Float32Array {
  const special = [
    0, -0, 1, -1, 65504, -65504, 65519.996, 65520, -65520, 1e6, -3e38, Infinity, -Infinity, NaN,
    2 ** -14, -(2 ** -14), 2 ** -14 - 2 ** -25, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 3 * 2 ** -25, 2 ** -26, -(2 ** -26),
    1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -11 + 2 ** -20, 2048 + 1, 2048 + 3, 1e-40, -1e-40, 1.4e-45,
  ];
  const r = randomArray(2 * n, 17, 0, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = i < special.length ? special[i] : (r[2 * i] < 0.5 ? -1 : 1) * (1 + r[2 * i + 1]) * 2 ** Math.floor(-32 + 50 * r[2 * i]);
  }
  return out;
}

async function pack(values: Float32Array): Promise<Uint16Array> {
  const n = values.length;
  const halves = gpuBuffer(ctx, Math.ceil(n / 2));   // poisoned: an unwritten word fails
  await runDispatches(ctx, [packF16(ctx, 'pack', { f16: halves, f32: gpuBuffer(ctx, values) }, n)]);
  const words = await readBuffer(ctx, halves);
  expect(halves.size).toBe(packedBytes(n));
  return new Uint16Array(words.buffer, 0, 2 * Math.ceil(n / 2));
}

describe('pack_f16', () => {
  for (const n of [1, 2, 7, 64, 1001, 70001]) {
    it(`pack rounds ${n} values to the CPU's halves bit for bit${n % 2 ? ' (odd: the last high half zero)' : ''}`, async () => {
      const values = awkwardValues(n);
      const got = await pack(values);
      const want = Uint16Array.from(values, (v) => float32ToFloat16Bits(v));
      let bad = 0, first = -1;
      for (let i = 0; i < n; i++) if (got[i] !== want[i]) { bad++; if (first < 0) first = i; }
      if (bad > 0) {
        throw new Error(`${bad} of ${n} halves differ; first at ${first}: ${values[first]} packed to 0x${got[first].toString(16)}, ` +
          `want 0x${want[first].toString(16)}`);
      }
      if (n % 2) expect(got[n]).toBe(0);
    });
  }

  it('keeps what the rounding cases should: -0, subnormal halves, inf from 65520, NaN', async () => {
    const got = await pack(new Float32Array([-0, 2 ** -24, 2 ** -25, 65519.996, 65520, NaN, -1e-40]));
    expect(Array.from(got.subarray(0, 7))).toEqual([0x8000, 0x0001, 0x0000, 0x7bff, 0x7c00, 0x7e00, 0x8000]);
  });

  it('unpack gives every one of the 65536 halves exactly (subnormals, infinities and NaN payloads included)', async () => {
    const words = new Uint32Array(32768);
    for (let i = 0; i < 32768; i++) words[i] = (2 * i) | ((2 * i + 1) << 16);
    const out = gpuBuffer(ctx, 65536);
    await runDispatches(ctx, [unpackF16(ctx, 'unpack', { f32: out, f16: gpuBuffer(ctx, words) }, 65536)]);
    const got = bitsOf(await readBuffer(ctx, out));
    const want = bitsOf(float16ToFloat32(Uint16Array.from({ length: 65536 }, (_, i) => i)));
    let bad = 0, first = -1;
    for (let i = 0; i < 65536; i++) if (got[i] !== want[i]) { bad++; if (first < 0) first = i; }
    if (bad > 0) throw new Error(`${bad} halves unpack wrong; first 0x${first.toString(16)}: 0x${got[first].toString(16)}, want 0x${want[first].toString(16)}`);
  });

  it('an odd-length round trip writes n values and no more, each the f16 rounding of its input', async () => {
    const n = 1001, values = awkwardValues(n);
    const halves = gpuBuffer(ctx, Math.ceil(n / 2)), out = gpuBuffer(ctx, n + 1);   // one poisoned value past n
    await runDispatches(ctx, [
      packF16(ctx, 'pack', { f16: halves, f32: gpuBuffer(ctx, values) }, n),
      unpackF16(ctx, 'unpack', { f32: out, f16: halves }, n),
    ]);
    const got = bitsOf(await readBuffer(ctx, out));
    const want = bitsOf(float16ToFloat32(Uint16Array.from(values, (v) => float32ToFloat16Bits(v))));
    for (let i = 0; i < n; i++) if (got[i] !== want[i]) throw new Error(`value ${i} (${values[i]}): 0x${got[i].toString(16)}, want 0x${want[i].toString(16)}`);
    expect(got[n]).toBe(0x7fc00000);
  });

  it('refuses views too small for n', async () => {
    expect(() => packF16(ctx, 'short', { f16: gpuBuffer(ctx, 2), f32: gpuBuffer(ctx, 5) }, 5)).toThrow(/5 values need 20 bytes of f32 and 12 of halves/);
  });
});
