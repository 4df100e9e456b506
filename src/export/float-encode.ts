// Float32 narrowed to the half-precision formats GGUF stores, rounding to nearest with ties to even as
// numpy's astype(float16) and torch's .to(bfloat16) do (the converter's path), so an exported file matches a
// file converted from the same weights by llama.cpp's own script. The inverse is in float-formats.ts.

const f32 = new Float32Array(1);
const bits32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of one float32: overflow to infinity, gradual underflow, NaN stays NaN. */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  const b = bits32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let man = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 | (man >>> 13) : 0); // inf, or a quiet NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // too large: infinity
  if (e <= 0) {
    // Subnormal half (or zero): shift the mantissa, implicit bit included, and round the dropped bits.
    if (e < -10) return sign;
    man |= 0x800000;
    const shift = 14 - e;
    const half = man >>> shift;
    const rest = man & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && (half & 1)) ? 1 : 0));
  }
  const half = (e << 10) | (man >>> 13);
  const rest = man & 0x1fff;
  // A carry out of the mantissa bumps the exponent, and out of the largest exponent gives infinity: both right.
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && (half & 1)) ? 1 : 0));
}

/** bfloat16 bits of one float32: the top 16 bits, rounded to nearest even; NaN kept quiet. */
export function float32ToBfloat16Bits(x: number): number {
  f32[0] = x;
  const b = bits32[0];
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return (b >>> 16) | 0x40;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** A float32 array as little-endian bytes of the named format (F32: a view, no copy). */
export function encodeFloats(values: Float32Array, type: 'F32' | 'F16' | 'BF16'): Uint8Array {
  if (type === 'F32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint16Array(values.length);
  const narrow = type === 'F16' ? float32ToFloat16Bits : float32ToBfloat16Bits;
  for (let i = 0; i < values.length; i++) out[i] = narrow(values[i]);
  return new Uint8Array(out.buffer);
}
