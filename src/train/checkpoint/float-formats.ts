// Half-precision storage formats decoded to float32. Checkpoints Leveret writes are float32, but a model
// folder saved by Hugging Face tools is often float16 or bfloat16, and the trainer computes in float32.

// Typed arrays use the host's byte order and safetensors is little-endian; every browser and Node platform
// Leveret runs on is little-endian, and this makes the assumption loud instead of silently wrong.
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
export function assertLittleEndianHost(): void {
  if (!HOST_LITTLE_ENDIAN) throw new Error('checkpoints need a little-endian host; this one is big-endian');
}

/** Decodes IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits. */
export function float16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i];
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const man = h & 0x3ff;
    if (exp === 0x1f) {
      bits[i] = sign | 0x7f800000 | (man << 13); // infinity, or NaN keeping its payload
    } else if (exp !== 0) {
      bits[i] = sign | ((exp + 112) << 23) | (man << 13); // rebias 15 -> 127
    } else {
      // zero or subnormal: man * 2^-24 is exact in float32
      out[i] = man * 2 ** -24;
      bits[i] |= sign;
    }
  }
  return out;
}

/** Decodes bfloat16: the top 16 bits of a float32, so widening is a shift. */
export function bfloat16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) bits[i] = halves[i] << 16;
  return out;
}
