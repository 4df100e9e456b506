// Half-precision storage of saved activations (EngineOptions.f16Activations): `pack` rounds n f32 values to
// IEEE binary16 and stores them two per 32-bit word, `unpack` restores n f32 values from such words.
// Layout: element i is half (i & 1) of word i / 2, the low half first: pack2x16float's layout, which the
// matmul's f16 weights (shaders.ts B_F16) read with unpack2x16float. An odd n leaves the last word's high
// half zero.
// Both conversions are integer arithmetic on the bits (the f32 tensors are bound as u32 words), not
// pack2x16float / unpack2x16float: WGSL lets pack2x16float round an inexact value to either neighbour and
// leaves its result indeterminate beyond binary16's finite range (|x| > 65504), and a float load or store may
// flush subnormals. Here every adapter gets the same bits, those of the CPU reference
// (src/export/float-encode.ts float32ToFloat16Bits, src/train/checkpoint/float-formats.ts float16ToFloat32):
//   pack:   round to nearest, ties to even; subnormal halves kept (magnitudes of 2^-25 and less become a signed
//           zero, negative zero stays negative); past the largest half (65520 and up) +-infinity,
//           infinities kept, NaN kept quiet with the top of its payload.
//   unpack: exact (every binary16 value is an f32).
// No shader-f16 is needed: neither the f16 type nor an `enable` appears, so every adapter runs it. Compute
// and accumulation stay f32 in every other kernel; these two only move bytes.

struct Params { n: u32 }   // elements (f32 values), not words

override WG: u32 = 256;

/** binary16 bits (low 16) of the f32 with bits `b`, rounded to nearest even. */
fn half_bits(b: u32) -> u32 {
  let sign = (b >> 16u) & 0x8000u;
  let exp8 = (b >> 23u) & 0xffu;
  var man = b & 0x7fffffu;
  if (exp8 == 0xffu) { return sign | 0x7c00u | select(0u, 0x200u | (man >> 13u), man != 0u); }  // inf, quiet NaN
  let e = i32(exp8) - 112;   // rebias 127 -> 15
  if (e >= 31) { return sign | 0x7c00u; }   // too large: infinity
  if (e <= 0) {
    // A subnormal half (or zero): the mantissa with its implicit bit, shifted, the dropped bits rounded.
    if (e < -10) { return sign; }
    man = man | 0x800000u;
    let shift = u32(14 - e);   // 14..24
    let h = man >> shift;
    let rest = man & ((1u << shift) - 1u);
    let mid = 1u << (shift - 1u);
    return sign | (h + select(0u, 1u, rest > mid || (rest == mid && (h & 1u) == 1u)));
  }
  let h = (u32(e) << 10u) | (man >> 13u);
  let rest = man & 0x1fffu;
  // A carry out of the mantissa bumps the exponent, and out of the largest one gives infinity: both right.
  return sign | (h + select(0u, 1u, rest > 0x1000u || (rest == 0x1000u && (h & 1u) == 1u)));
}

/** The f32 bits of the binary16 value in the low 16 bits of `h`. */
fn f32_bits(h: u32) -> u32 {
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let man = h & 0x3ffu;
  if (e == 0x1fu) { return sign | 0x7f800000u | (man << 13u); }   // infinity, or NaN keeping its payload
  if (e != 0u) { return sign | ((e + 112u) << 23u) | (man << 13u); }
  if (man == 0u) { return sign; }
  // Subnormal: man * 2^-24 with the leading bit p of man, a normal f32 of exponent p - 24.
  let p = firstLeadingBit(man);
  return sign | ((p + 103u) << 23u) | ((man << (23u - p)) & 0x7fffffu);
}

// ---- pack: outputs (halves), inputs (f32 values as bits), uniforms. One invocation per word.
@group(0) @binding(0) var<storage, read_write> f16_out: array<u32>;  // (ceil(n / 2)) two halves per word
@group(0) @binding(1) var<storage, read> f32_in: array<u32>;         // (n) f32 bits
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn pack(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = gid.x + gid.y * nwg.x * WG;
  let i = 2u * w;
  if (i >= p.n) { return; }
  let lo = half_bits(f32_in[i]);
  let hi = select(0u, half_bits(f32_in[min(i + 1u, p.n - 1u)]), i + 1u < p.n);
  f16_out[w] = lo | (hi << 16u);
}

// ---- unpack: outputs (f32 values as bits), inputs (halves), uniforms. One invocation per element.
@group(0) @binding(0) var<storage, read_write> f32_out: array<u32>;  // (n) f32 bits
@group(0) @binding(1) var<storage, read> f16_in: array<u32>;         // (ceil(n / 2)) two halves per word
@group(0) @binding(2) var<uniform> pu: Params;

@compute @workgroup_size(WG)
fn unpack(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= pu.n) { return; }
  let word = f16_in[i >> 1u];
  f32_out[i] = f32_bits(select(word & 0xffffu, word >> 16u, (i & 1u) == 1u));
}
